function y = pf_restoredefaultpath(x)
  restoredefaultpath();
  y = 2 * x;
end
