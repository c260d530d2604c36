function y = pf_charmatrix(x)
  y = ["ab"; "cd"];
end
