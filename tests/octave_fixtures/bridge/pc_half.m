function r = pc_half(m)
%PC_HALF 1/(2*m): integer arithmetic would make this 0 for an int64 m.
  r = 1.0 / (2 * m);
end
