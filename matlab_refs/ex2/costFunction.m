function [J, grad] = costFunction(theta, X, y)
%COSTFUNCTION Cross-entropy cost of logistic regression and its gradient.
%   [J, grad] = costFunction(theta, X, y)
%     theta : (n+1) x 1 parameters, theta(1) multiplies the bias column
%     X     : m x (n+1) design matrix whose FIRST column is all ones
%     y     : m x 1 labels in {0, 1}
%     J     : scalar, -(1/m) * sum(y.*log(h) + (1-y).*log(1-h)), h = sigmoid(X*theta)
%     grad  : (n+1) x 1, (1/m) * X' * (h - y)
%
%   y must be a column: with a row y, h - y would broadcast to m x m.

  m = numel(y);
  h = sigmoid(X * theta);
  J = -(y' * log(h) + (1 - y)' * log(1 - h)) / m;
  grad = X' * (h - y) / m;
end
