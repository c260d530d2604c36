function varargout = portcheck_call(token, dname, fname, nout, varargin)
% PORTCHECK_CALL  Run one call for portcheck's bridge and leave the session as it was.
%
%   [token, out1, ..., outN] = portcheck_call(token, dname, fname, nout, args...)
%
%   Calls fname(args...) for nout outputs, with dname first on the path while
%   it runs. Whatever the function does to the path or the current folder
%   (addpath, rmpath, restoredefaultpath, cd) is undone when it returns, fails
%   or is interrupted, so the next call finds the same files. The token is
%   returned first so Python can tell this call's result from an older one.
%   Strings travel as UTF-8 bytes in both directions (see decode_value, encode_value).
  saved_path = path();
  saved_dir = pwd();
  restore = onCleanup(@() restore_session(saved_path, saved_dir));
  dname = decode_value(dname);
  fname = decode_value(fname);
  args = decode_value(varargin);
  if ~isempty(dname)
    addpath(dname);
  end
  out = cell(1, nout);
  if nout > 0
    [out{:}] = feval(fname, args{:});
  else
    feval(fname, args{:});
  end
  for k = 1:nout
    out{k} = encode_value(out{k});
  end
  varargout = [{token}, out];
end

function restore_session(saved_path, saved_dir)
  if ~strcmp(path(), saved_path)
    path(saved_path);
  end
  if ~strcmp(pwd(), saved_dir)
    cd(saved_dir);
  end
end

function v = decode_value(v)
% DECODE_VALUE  Strings sent by portcheck as UTF-8 bytes become char rows again.
%
%   MAT-file strings hold one byte per character, so portcheck sends every
%   non-ASCII string as struct('portcheck_utf8__', bytes); Octave's char
%   arrays are UTF-8, so char(uint8(bytes)) is the original text.
  if isstruct(v) && isscalar(v)
    f = fieldnames(v);
    if numel(f) == 1 && strcmp(f{1}, 'portcheck_utf8__')
      v = char(uint8(v.portcheck_utf8__(:)'));
      return;
    end
    for k = 1:numel(f)
      v.(f{k}) = decode_value(v.(f{k}));
    end
  elseif iscell(v)
    for k = 1:numel(v)
      v{k} = decode_value(v{k});
    end
  end
end

function v = encode_value(v)
% ENCODE_VALUE  Make a result safe to send back through a MAT file.
%
%   Non-ASCII char rows travel as struct('portcheck_utf8__', bytes); a char
%   matrix (several rows), which Python has no type for, is replaced by a
%   struct naming what it was, so Python raises a ConversionError naming
%   the output instead of failing to read the file.
  if ischar(v)
    if rows(v) > 1 || ndims(v) > 2
      v = struct('portcheck_unsendable__', sprintf('a %s char matrix', size_text(v)));
    elseif any(double(v(:)) > 127)
      v = struct('portcheck_utf8__', double(uint8(v)));
    end
  elseif isstruct(v)
    f = fieldnames(v);
    for j = 1:numel(v)
      for k = 1:numel(f)
        v(j).(f{k}) = encode_value(v(j).(f{k}));
      end
    end
  elseif iscell(v)
    for k = 1:numel(v)
      v{k} = encode_value(v{k});
    end
  end
end

function t = size_text(v)
  t = strjoin(arrayfun(@num2str, size(v), 'UniformOutput', false), 'x');
end
