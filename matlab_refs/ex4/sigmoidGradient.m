function g = sigmoidGradient(z)
%SIGMOIDGRADIENT Derivative of the logistic function, element by element.
%   g = sigmoidGradient(z) returns sigmoid(z) .* (1 - sigmoid(z)), the same
%   size as z; 0.25 at z = 0.

  s = sigmoid(z);
  g = s .* (1 - s);
end
