function g = sigmoid(z)
%SIGMOID Logistic function, element by element.
%   g = sigmoid(z) returns 1 ./ (1 + exp(-z)), the same size as z (scalar,
%   vector or matrix). Shared by ex2 (logistic regression) and ex4 (the
%   neural network).
%
%   For very negative z, exp(-z) overflows to Inf and g is exactly 0, without
%   a warning; a NumPy port sees an overflow RuntimeWarning at the same place.

  g = 1 ./ (1 + exp(-z));
end
