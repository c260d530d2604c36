function [X_norm, mu, sigma] = featureNormalize(X)
%FEATURENORMALIZE Center each column and divide by its standard deviation.
%   [X_norm, mu, sigma] = featureNormalize(X)
%
%   X      : m x n, one example per row.
%
%   X_norm : m x n, (X - mu) ./ sigma column by column.
%   mu     : 1 x n row of column means.
%   sigma  : 1 x n row of column standard deviations from std, which
%            normalizes by m - 1 (the sample standard deviation).

  mu = mean(X, 1);
  X_norm = bsxfun(@minus, X, mu);
  sigma = std(X_norm, 0, 1);
  X_norm = bsxfun(@rdivide, X_norm, sigma);
end
