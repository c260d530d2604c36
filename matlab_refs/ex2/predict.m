function p = predict(theta, X)
%PREDICT Logistic-regression class predictions (0 or 1).
%   p = predict(theta, X)
%     theta : (n+1) x 1 parameters
%     X     : m x (n+1) design matrix, first column all ones
%     p     : m x 1 double, 1 where sigmoid(X*theta) >= 0.5, else 0
%
%   ex4 has its own predict (a neural network); from Python call this one as
%   "ex2/predict".

  p = double(sigmoid(X * theta) >= 0.5);
end
