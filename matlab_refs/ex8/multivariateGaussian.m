function p = multivariateGaussian(X, mu, Sigma2)
%MULTIVARIATEGAUSSIAN Density of a multivariate normal at each example.
%   p = multivariateGaussian(X, mu, Sigma2)
%
%   X      : m x k, one example per row.
%   mu     : k-element vector (row or column) of means.
%   Sigma2 : k x k covariance, or a k-element vector of variances, which
%            means the diagonal covariance diag(Sigma2).
%
%   p      : m x 1 column,
%            (2*pi)^(-k/2) * det(Sigma2)^(-1/2)
%              * exp(-1/2 * sum((X - mu') * pinv(Sigma2) .* (X - mu'), 2)).

  k = numel(mu);
  if any(size(Sigma2) == 1)
    % A row or column of variances: the covariance is diagonal.
    Sigma2 = diag(Sigma2);
  end
  centered = bsxfun(@minus, X, mu(:)');
  quad = sum((centered * pinv(Sigma2)) .* centered, 2);
  p = (2 * pi) ^ (-k / 2) * det(Sigma2) ^ (-0.5) * exp(-0.5 * quad);
end
