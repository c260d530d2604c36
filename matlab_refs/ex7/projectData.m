function Z = projectData(X, U, K)
%PROJECTDATA Coordinates of the data on the top K principal directions.
%   Z = projectData(X, U, K)
%
%   X : m x n normalized data, one example per row.
%   U : n x n principal directions as columns (from pca).
%   K : number of directions to keep, 1 <= K <= n.
%
%   Z : m x K, Z = X * U(:, 1:K).

  Z = X * U(:, 1:K);
end
