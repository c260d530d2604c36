function y = pf_text(s)
  y = [s, " ünïcode"];
end
