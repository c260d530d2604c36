function y = pf_sum(v)
  y = sum(v);
end
