function y = pf_value(x)
  % The value every later call must keep returning: x + 1.
  y = x + 1;
end
