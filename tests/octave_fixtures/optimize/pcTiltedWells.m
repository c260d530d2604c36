function [J, grad] = pcTiltedWells(x, c)
%PCTILTEDWELLS A non-convex test cost: a double well per coordinate, tilted by c.
%   [J, grad] = pcTiltedWells(x, c)
%   J = sum(x.^4/4 - x.^2/2 + c*x) has two minima per coordinate, near -1
%   and near +1; for c > 0 the one near -1 is the deeper. Used to check that
%   two optimizers ending in different wells are reported as local minima.

  J = sum(x .^ 4 / 4 - x .^ 2 / 2 + c * x);
  grad = x .^ 3 - x + c;
end
