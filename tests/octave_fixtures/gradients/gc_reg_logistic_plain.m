function [J, grad] = gc_reg_logistic_plain(theta, X, y, lambda)
%GC_REG_LOGISTIC_PLAIN Regularized logistic regression written with .' only.
%   Same value as ex2's costFunctionReg, but every transpose is the plain .'
%   so the complex step goes through: a gradient-check test fixture.
  m = numel(y);
  h = 1 ./ (1 + exp(-X * theta));
  penalized = [0; theta(2:end)];
  J = -(y.' * log(h) + (1 - y).' * log(1 - h)) / m + lambda / (2 * m) * sum(penalized .^ 2);
  grad = X.' * (h - y) / m + (lambda / m) * penalized;
end
