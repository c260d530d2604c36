function y = pf_clearall(x)
  y = 2 * x;
  evalin("base", "clear all");
  clear functions;
end
