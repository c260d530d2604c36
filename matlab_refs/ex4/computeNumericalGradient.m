function numgrad = computeNumericalGradient(J, theta, varargin)
%COMPUTENUMERICALGRADIENT Central-difference estimate of the gradient of J.
%   numgrad = computeNumericalGradient(J, theta)
%     J       : function handle (or function name) returning the scalar cost
%               as its first output, J(theta)
%     theta   : parameter vector (or array)
%     numgrad : same size as theta, (J(theta + e*u_p) - J(theta - e*u_p)) / (2e)
%               for each element p, with e = 1e-4
%
%   numgrad = computeNumericalGradient(J, theta, P1, P2, ...) evaluates
%   J(theta, P1, P2, ...), so a function name plus its extra arguments can be
%   passed from another language where handles cannot.
%
%   The truncation error is O(e^2) and the rounding error O(eps/e), which is
%   why e = 1e-4 gives about 8 to 10 correct digits.

  if ischar(J)
    J = str2func(J);
  end
  e = 1e-4;
  numgrad = zeros(size(theta));
  perturb = zeros(size(theta));
  for p = 1:numel(theta)
    perturb(p) = e;
    loss1 = J(theta - perturb, varargin{:});
    loss2 = J(theta + perturb, varargin{:});
    numgrad(p) = (loss2 - loss1) / (2 * e);
    perturb(p) = 0;
  end
end
