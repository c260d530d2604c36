function y = pf_forever(x)
  y = x;
  while true
    y = y + 1;
  end
end
