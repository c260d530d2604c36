function [a, b, c] = pc_outputs(x)
%PC_OUTPUTS Three outputs, so nout defaults and tuples can be tested.
  a = x;
  b = 2 * x;
  c = 3 * x;
end
