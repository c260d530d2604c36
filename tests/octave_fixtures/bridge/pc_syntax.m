function y = pc_syntax(x)
%PC_SYNTAX Deliberately broken: line 4 does not parse.
  y = x;
  y = y +* 2;
end
