function y = pc_oob(x)
%PC_OOB Indexes past the end on line 4.
  n = numel(x);
  y = x(n + 1);
end
