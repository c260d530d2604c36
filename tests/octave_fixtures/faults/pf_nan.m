function y = pf_nan(x)
  % NaN in the first element, x elsewhere.
  y = [NaN; x; x];
end
