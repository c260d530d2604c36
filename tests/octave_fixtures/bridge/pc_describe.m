function [cls, sz, val] = pc_describe(x)
%PC_DESCRIBE Report how an argument arrived: class name, size, and the value.
  cls = class(x);
  sz = size(x);
  val = x;
end
