function X_poly = polyFeatures(X, p)
%POLYFEATURES Powers 1..p of a single feature.
%   X_poly = polyFeatures(X, p)
%
%   X      : m x 1 column (a row or any vector is read as its m elements).
%   p      : highest power, a positive integer.
%
%   X_poly : m x p, X_poly(:, j) = X .^ j. No bias column is added.

  X = X(:);
  X_poly = zeros(numel(X), p);
  for j = 1:p
    X_poly(:, j) = X .^ j;
  end
end
