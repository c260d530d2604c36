function [J, grad] = costFunctionReg(theta, X, y, lambda)
%COSTFUNCTIONREG Regularized logistic-regression cost and gradient.
%   [J, grad] = costFunctionReg(theta, X, y, lambda)
%     theta  : (n+1) x 1 parameters; theta(1) (the bias) is NOT regularized
%     X      : m x (n+1) design matrix, first column all ones
%     y      : m x 1 labels in {0, 1}
%     lambda : regularization strength (scalar, >= 0)
%     J      : costFunction's J + lambda/(2*m) * sum(theta(2:end).^2)
%     grad   : (n+1) x 1; entries 2..n+1 gain lambda/m * theta(2:end)

  m = numel(y);
  h = sigmoid(X * theta);
  % The bias is excluded by zeroing its copy, so both terms use one vector.
  penalized = theta;
  penalized(1) = 0;
  J = -(y' * log(h) + (1 - y)' * log(1 - h)) / m ...
      + lambda / (2 * m) * (penalized' * penalized);
  grad = X' * (h - y) / m + (lambda / m) * penalized;
end
