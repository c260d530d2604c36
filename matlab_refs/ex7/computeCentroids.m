function centroids = computeCentroids(X, idx, K)
%COMPUTECENTROIDS Mean of the examples assigned to each centroid.
%   centroids = computeCentroids(X, idx, K)
%
%   X         : m x n, one example per row.
%   idx       : m x 1 assignments, 1-based (values in 1..K).
%   K         : number of centroids.
%
%   centroids : K x n; row k is the mean over rows of X with idx == k,
%               taken down the columns (dimension 1). A centroid with no
%               examples gets NaN, as the mean of an empty set.

  n = size(X, 2);
  centroids = zeros(K, n);
  for k = 1:K
    members = X(idx(:) == k, :);
    centroids(k, :) = sum(members, 1) / size(members, 1);
  end
end
