function y = pf_rmpath(x)
  rmpath(fileparts(mfilename("fullpath")));
  y = 2 * x;
end
