function y = pf_bigint(x)
  y = uint64(2)^60 + 1;
end
