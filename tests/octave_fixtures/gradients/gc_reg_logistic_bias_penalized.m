function [J, grad] = gc_reg_logistic_bias_penalized(theta, X, y, lambda)
%GC_REG_LOGISTIC_BIAS_PENALIZED A gradient-check fixture with one planted mistake.
%   The cost leaves theta(1) out of the penalty, the gradient does not:
%   grad(1) carries an extra lambda/m * theta(1).
  m = numel(y);
  h = 1 ./ (1 + exp(-X * theta));
  J = -(y.' * log(h) + (1 - y).' * log(1 - h)) / m + lambda / (2 * m) * sum(theta(2:end) .^ 2);
  grad = X.' * (h - y) / m + (lambda / m) * theta;
end
