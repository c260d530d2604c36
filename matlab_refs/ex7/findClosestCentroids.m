function idx = findClosestCentroids(X, centroids)
%FINDCLOSESTCENTROIDS Index of the nearest centroid for every example.
%   idx = findClosestCentroids(X, centroids)
%
%   X         : m x n, one example per row.
%   centroids : K x n, one centroid per row.
%
%   idx       : m x 1 column of 1-based indices into the rows of centroids
%               (double, as MATLAB's min returns them). The distance is the
%               squared Euclidean one; on an exact tie the lower index wins,
%               as min does.

  m = size(X, 1);
  K = size(centroids, 1);
  d = zeros(m, K);
  for k = 1:K
    diff = bsxfun(@minus, X, centroids(k, :));
    d(:, k) = sum(diff .^ 2, 2);
  end
  [~, idx] = min(d, [], 2);
end
