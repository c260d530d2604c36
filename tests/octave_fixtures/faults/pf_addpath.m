function y = pf_addpath(x)
  addpath(fullfile(fileparts(mfilename("fullpath")), "shadow"));
  y = 2 * x;
end
