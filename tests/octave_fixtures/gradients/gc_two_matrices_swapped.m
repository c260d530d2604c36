function [J, grad] = gc_two_matrices_swapped(x, A, B)
%GC_TWO_MATRICES_SWAPPED A gradient-check fixture: two 3x4 blocks, gradients unrolled in swapped order.
%   x = [P(:); Q(:)], J = sum(sum(sin(A .* P))) + sum(sum((B .* Q) .^ 2)) / 2.
  P = reshape(x(1:12), 3, 4);
  Q = reshape(x(13:24), 3, 4);
  J = sum(sum(sin(A .* P))) + sum(sum((B .* Q) .^ 2)) / 2;
  gP = A .* cos(A .* P);
  gQ = B .^ 2 .* Q;
  grad = [gQ(:); gP(:)];
end
