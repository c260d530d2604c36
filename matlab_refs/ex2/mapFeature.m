function out = mapFeature(X1, X2)
%MAPFEATURE Polynomial features of two inputs up to degree 6.
%   out = mapFeature(X1, X2)
%     X1, X2 : m-element vectors (rows or columns) or scalars
%     out    : m x 28, columns
%              1, X1, X2, X1.^2, X1.*X2, X2.^2, ..., X1.*X2.^5, X2.^6
%              i.e. for degree d = 1..6 and j = 0..d the column X1.^(d-j) .* X2.^j,
%              after a leading column of ones (the bias).

  degree = 6;
  X1 = X1(:);
  X2 = X2(:);
  out = ones(numel(X1), 1);
  for d = 1:degree
    for j = 0:d
      out(:, end + 1) = (X1 .^ (d - j)) .* (X2 .^ j);
    end
  end
end
