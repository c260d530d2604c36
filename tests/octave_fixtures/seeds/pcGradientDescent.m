function [theta, J_history] = pcGradientDescent(X, y, theta, alpha, num_iters)
%PCGRADIENTDESCENT Batch gradient descent for least squares (every step uses all m examples).
%   theta <- theta - alpha/m * X' * (X*theta - y), num_iters times;
%   J_history(k) is the cost (1/(2m)) * sum((X*theta - y).^2) after step k.
  m = length(y);
  J_history = zeros(num_iters, 1);
  for iter = 1:num_iters
    h = X * theta;
    theta = theta - (alpha / m) * (X' * (h - y));
    J_history(iter) = sum((X * theta - y) .^ 2) / (2 * m);
  end
end
