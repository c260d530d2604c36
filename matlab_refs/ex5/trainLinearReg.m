function theta = trainLinearReg(X, y, lambda)
%TRAINLINEARREG Fit regularized linear regression with fmincg.
%   theta = trainLinearReg(X, y, lambda)
%
%   X      : m x (n+1) design matrix with the bias column.
%   y      : m x 1 targets.
%   lambda : scalar regularization strength.
%
%   theta  : (n+1) x 1 minimizer of linearRegCostFunction, found by fmincg
%            from theta = zeros(n+1, 1) with at most 200 iterations.
%
%   The cost is a convex quadratic (strictly convex when lambda > 0), so any
%   optimizer that converges reaches the same theta up to its tolerance.

  start = zeros(size(X, 2), 1);
  objective = @(t) linearRegCostFunction(X, y, t, lambda);
  options = optimset('MaxIter', 200, 'GradObj', 'on');
  theta = fmincg(objective, start, options);
end
