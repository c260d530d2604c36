function [lg, i32, sg, em, st, ce, ch, cx] = pc_kinds()
%PC_KINDS One value of each class the bridge converts back to Python.
  lg = [1 2 3] > 1;
  i32 = int32([4 5]);
  sg = single([1.5 2.5]);
  em = zeros(0, 3);
  st = struct('a', [1; 2], 'b', 7);
  ce = {1, [2 3]};
  ch = 'text';
  cx = [1+2i, 3];
end
