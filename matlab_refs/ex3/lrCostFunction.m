function [J, grad] = lrCostFunction(theta, X, y, lambda)
%LRCOSTFUNCTION Vectorized, regularized logistic-regression cost and gradient.
%   [J, grad] = lrCostFunction(theta, X, y, lambda)
%     theta  : (n+1) x 1 parameters; theta(1) (the bias) is NOT regularized
%     X      : m x (n+1) design matrix, first column all ones
%     y      : m x 1 labels in {0, 1} (one-vs-all passes double(y == c))
%     lambda : regularization strength
%     J      : scalar cost; grad : (n+1) x 1, no loops over examples or features

  m = numel(y);
  h = sigmoid(X * theta);
  penalized = [0; theta(2:end)];
  J = -(y' * log(h) + (1 - y)' * log(1 - h)) / m ...
      + lambda / (2 * m) * sum(penalized .^ 2);
  grad = (X' * (h - y) + lambda * penalized) / m;
end
