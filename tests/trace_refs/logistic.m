function g = logistic(t)
  % The user's own helper, in its own file beside the reference.
  g = 1 ./ (1 + exp(-t));
end
