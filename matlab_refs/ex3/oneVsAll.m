function all_theta = oneVsAll(X, y, num_labels, lambda)
%ONEVSALL Train one regularized logistic-regression classifier per class.
%   all_theta = oneVsAll(X, y, num_labels, lambda)
%     X          : m x n features, WITHOUT the bias column (added here)
%     y          : m x 1 labels 1..num_labels (1-based)
%     num_labels : number of classes K
%     lambda     : regularization strength
%     all_theta  : K x (n+1); row c holds the parameters of "class c vs rest",
%                  column 1 the bias
%
%   Each class starts from zeros and runs fmincg for 50 iterations on
%   lrCostFunction with the labels double(y == c).

  [m, n] = size(X);
  Xb = [ones(m, 1), X];
  all_theta = zeros(num_labels, n + 1);
  options = optimset('GradObj', 'on', 'MaxIter', 50);
  for c = 1:num_labels
    yc = double(y(:) == c);
    theta = fmincg(@(t) lrCostFunction(t, Xb, yc, lambda), zeros(n + 1, 1), options);
    all_theta(c, :) = theta';
  end
end
