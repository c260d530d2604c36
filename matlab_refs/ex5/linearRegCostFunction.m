function [J, grad] = linearRegCostFunction(X, y, theta, lambda)
%LINEARREGCOSTFUNCTION Regularized least-squares cost of linear regression.
%   [J, grad] = linearRegCostFunction(X, y, theta, lambda)
%
%   X      : m x (n+1) design matrix; its first column is the bias (ones).
%   y      : m x 1 targets.
%   theta  : (n+1) x 1 parameters (note the order of the arguments:
%            X, y, theta, lambda, not theta first).
%   lambda : scalar regularization strength.
%
%   J      : scalar, 1/(2m) * sum((X*theta - y).^2)
%            + lambda/(2m) * sum(theta(2:end).^2).
%   grad   : (n+1) x 1 column, dJ/dtheta.
%
%   theta(1), the bias, is not regularized: the penalty and its gradient
%   start at the second parameter.

  m = numel(y);
  theta = theta(:);
  r = X * theta - y(:);

  % Zeroing the bias entry keeps it out of the penalty and its gradient.
  penalized = theta;
  penalized(1) = 0;

  J = (r' * r) / (2 * m) + lambda / (2 * m) * (penalized' * penalized);
  grad = (X' * r) / m + (lambda / m) * penalized;
end
