function [error_train, error_val] = learningCurve(X, y, Xval, yval, lambda)
%LEARNINGCURVE Training and validation error against the training set size.
%   [error_train, error_val] = learningCurve(X, y, Xval, yval, lambda)
%
%   X, y       : m x (n+1) training design matrix (bias column included), m x 1.
%   Xval, yval : validation design matrix and targets, same column count.
%   lambda     : regularization used for training only.
%
%   error_train, error_val : m x 1 columns. Entry i trains on the first i
%   examples with trainLinearReg(X(1:i,:), y(1:i), lambda) and reports the
%   unregularized cost (lambda = 0) on those i examples and on the whole
%   validation set.

  m = size(X, 1);
  error_train = zeros(m, 1);
  error_val = zeros(m, 1);
  for i = 1:m
    theta = trainLinearReg(X(1:i, :), y(1:i), lambda);
    % The errors measure fit only, so the penalty is switched off.
    error_train(i) = linearRegCostFunction(X(1:i, :), y(1:i), theta, 0);
    error_val(i) = linearRegCostFunction(Xval, yval, theta, 0);
  end
end
