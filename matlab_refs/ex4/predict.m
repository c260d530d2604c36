function p = predict(Theta1, Theta2, X)
%PREDICT Class predicted by a trained 3-layer sigmoid network.
%   p = predict(Theta1, Theta2, X)
%     Theta1 : h x (n+1), Theta2 : K x (h+1) (column 1 of each: bias)
%     X      : m x n features, WITHOUT the bias column (added here)
%     p      : m x 1 double, 1-based class index 1..K of the largest output
%
%   ex2 has its own predict (logistic regression); from Python call this one
%   as "ex4/predict".

  m = size(X, 1);
  h1 = sigmoid([ones(m, 1), X] * Theta1');
  h2 = sigmoid([ones(m, 1), h1] * Theta2');
  [~, p] = max(h2, [], 2);
  p = double(p);
end
