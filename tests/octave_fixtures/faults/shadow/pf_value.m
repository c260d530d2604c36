function y = pf_value(x)
  % A different pf_value that must never be called by the bridge.
  y = x + 1000;
end
