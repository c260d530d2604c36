function y = pc_dup(x)
  y = x + 2;
end
