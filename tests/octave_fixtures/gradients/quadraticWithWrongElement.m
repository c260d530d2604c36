function [J, grad] = quadraticWithWrongElement(x, a, b, wrong, factor)
%QUADRATICWITHWRONGELEMENT J = sum(a/2 .* x.^2 + b .* x); grad(wrong) scaled by factor.
%   A cheap elementwise cost for gradient checks at n = 1e6; wrong = 0 plants nothing.
%   wrong may list several 1-based indices.
  J = sum(a ./ 2 .* x .^ 2 + b .* x);
  grad = a .* x + b;
  if any(wrong > 0)
    grad(wrong) = factor .* grad(wrong);
  end
end
