function [U, S] = pca(X)
%PCA Principal directions of (already normalized) data.
%   [U, S] = pca(X)
%
%   X : m x n, one example per row, each column with zero mean (normalize
%       first, e.g. with featureNormalize).
%
%   U : n x n, principal directions as columns, from [U, S, V] = svd(Sigma)
%       with the covariance Sigma = X' * X / m (normalized by m).
%   S : n x n diagonal, the singular values of Sigma in decreasing order.
%
%   Sign convention: a singular vector is defined only up to its sign, and
%   different LAPACK drivers (Octave's gesvd, NumPy's gesdd) may pick
%   different ones. This reference therefore flips each column of U so that
%   its entry of largest magnitude is positive; a port that does the same
%   can be compared entry by entry. Projections (projectData) change sign
%   with the column, reconstructions (recoverData) do not.

  m = size(X, 1);
  Sigma = (X' * X) / m;
  [U, S, ~] = svd(Sigma);

  [~, where] = max(abs(U), [], 1);
  picked = U(sub2ind(size(U), where, 1:size(U, 2)));
  flip = sign(picked);
  flip(flip == 0) = 1;
  U = bsxfun(@times, U, flip);
end
