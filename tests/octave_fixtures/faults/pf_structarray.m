function y = pf_structarray(x)
  y = struct("a", {1, 2}, "b", {"p", "q"});
end
