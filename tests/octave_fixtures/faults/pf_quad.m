function [J, grad] = pf_quad(x)
  % 0.5*|x|^2 and its gradient: faithful at every scale.
  J = 0.5 * sum(x .^ 2);
  grad = x;
end
