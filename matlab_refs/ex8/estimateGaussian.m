function [mu, sigma2] = estimateGaussian(X)
%ESTIMATEGAUSSIAN Per-feature mean and variance of a Gaussian model.
%   [mu, sigma2] = estimateGaussian(X)
%
%   X      : m x n, one example per row.
%
%   mu     : n x 1 column of feature means.
%   sigma2 : n x 1 column of feature variances, normalized by m (the
%            maximum-likelihood estimate the course uses, not var's m - 1).

  m = size(X, 1);
  mu = (sum(X, 1) / m)';
  centered = bsxfun(@minus, X, mu');
  sigma2 = (sum(centered .^ 2, 1) / m)';
end
