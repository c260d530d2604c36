function X_rec = recoverData(Z, U, K)
%RECOVERDATA Approximate the data back from its K principal coordinates.
%   X_rec = recoverData(Z, U, K)
%
%   Z     : m x K projected data (from projectData).
%   U     : n x n principal directions as columns (from pca).
%   K     : number of directions Z was projected on.
%
%   X_rec : m x n, X_rec = Z * U(:, 1:K)'.

  X_rec = Z * U(:, 1:K)';
end
