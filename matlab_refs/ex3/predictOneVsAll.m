function p = predictOneVsAll(all_theta, X)
%PREDICTONEVSALL Class with the largest one-vs-all score.
%   p = predictOneVsAll(all_theta, X)
%     all_theta : K x (n+1), as returned by oneVsAll (column 1: bias)
%     X         : m x n features, WITHOUT the bias column (added here)
%     p         : m x 1 double, 1-based class index 1..K; ties go to the
%                 lowest index (max's rule)
%
%   sigmoid is monotone, so the raw scores X*theta give the same argmax.

  m = size(X, 1);
  [~, p] = max([ones(m, 1), X] * all_theta', [], 2);
  p = double(p);
end
