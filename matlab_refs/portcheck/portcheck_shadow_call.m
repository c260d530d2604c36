function varargout = portcheck_shadow_call(folder, base, name, nout, collect, varargin)
%PORTCHECK_SHADOW_CALL Call a function with a folder first on the path, for this call only.
%   [out1, ..., outN, collected] = portcheck_shadow_call(folder, base, name, N, collect, args...)
%     folder  : a folder whose .m files shadow same-named functions for this call
%     base    : '' or the folder name was qualified with; it goes on the path
%               (and stays, as for any folder-qualified call) behind folder
%     name    : the function to call with args...; N of its outputs are returned
%     collect : '' or the name of a function (no inputs, one output) called
%               after name returns, while folder is still on the path; its
%               output is returned last ([] when collect is '')
%   The folder leaves the path, and collect's state is cleared, however the
%   call ends (error or interrupt included).

  if ~isempty(base)
    addpath(base);
  end
  addpath(folder);
  unwind_protect
    outs = cell(1, nout);
    if nout > 0
      [outs{:}] = feval(name, varargin{:});
    else
      feval(name, varargin{:});
    end
    if isempty(collect)
      collected = [];
    else
      collected = feval(collect);
    end
  unwind_protect_cleanup
    rmpath(folder);
    if ~isempty(collect)
      clear('-f', collect);
    end
  end_unwind_protect
  varargout = [outs, {collected}];
end
