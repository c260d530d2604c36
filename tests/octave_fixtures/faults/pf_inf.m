function y = pf_inf(x)
  % +Inf in the first element, x elsewhere.
  y = [Inf; x; x];
end
