function y = pc_dup(x)
  y = x + 1;
end
