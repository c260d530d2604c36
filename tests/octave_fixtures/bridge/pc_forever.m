function y = pc_forever(x)
%PC_FOREVER Never returns; used to test timeouts.
  y = x;
  while true
    y = y + 1;
  end
end
