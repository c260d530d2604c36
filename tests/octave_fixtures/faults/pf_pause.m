function y = pf_pause(x)
  pause;
  y = x;
end
