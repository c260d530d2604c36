function written = portcheck_record(folder, out)
%PORTCHECK_RECORD  Record reference results for portcheck, in MATLAB or Octave.
%   PORTCHECK_RECORD(FOLDER) reads every FOLDER/<pair>.inputs.mat written by
%   `portcheck export-inputs SUITE`, makes each reference call it lists, and
%   writes the recording FOLDER/<pair>.mat that `portcheck run SUITE --replay`
%   reads without Octave. A recording that already exists is extended, so
%   running export-inputs and PORTCHECK_RECORD again adds the re-runs the
%   diagnosis asks for once it has the plain outputs.
%
%   PORTCHECK_RECORD(FOLDER, OUT) writes the recordings into OUT instead.
%   WRITTEN is a cell array of the files written.
%
%   Put your reference's folder on the path first (addpath), exactly as
%   portcheck would; calls this recorder cannot make (the trace's
%   instrumented run) are left out, and replay says which checks that limits.
%
%   File format: the module docstring of portcheck/recording.py.

  if nargin < 2
    out = folder;
  end
  listing = dir(fullfile(folder, '*.inputs.mat'));
  written = {};
  for k = 1:numel(listing)
    plan = load(fullfile(folder, listing(k).name));
    if ~isfield(plan, 'format') || ~strcmp(plan.format, 'portcheck-inputs')
      warning('portcheck_record:skip', '%s is not a portcheck inputs file; skipped.', listing(k).name);
      continue;
    end
    target = fullfile(out, [listing(k).name(1:end - numel('.inputs.mat')) '.mat']);
    rec = plan;
    calls = {};
    if exist(target, 'file')
      old = load(target);
      if isfield(old, 'calls')
        calls = old.calls(:);
      end
      if isfield(old, 'nargout') && ~isempty(old.nargout)
        rec.nargout = [old.nargout; rec.nargout];
      end
    end
    for i = 1:numel(plan.calls)
      c = plan.calls{i};
      if strncmp(c.name, 'shadowed:', 9)
        continue;  % the trace's instrumented run needs portcheck itself
      end
      [fn, cleanup] = reach(c.name, rec.resolve);
      n = c.nout;
      if n < 0
        n = nargout(fn);
        if n < 0
          n = max(1, abs(n) - 1);
        end
        rec.nargout(end + 1, :) = {c.name, n};
      end
      c.nout = n;
      outs = cell(1, n);
      c.error = [];
      try
        if n == 0
          feval(fn, c.args{:});
        else
          [outs{:}] = feval(fn, c.args{:});
        end
      catch err
        c.error = error_struct(err, fn);
        outs = cell(1, 0);
      end
      cleanup();
      c.outputs = outs;
      calls{end + 1, 1} = c; %#ok<AGROW>
    end
    rec.calls = calls;
    rec.format = 'portcheck-recording';
    rec.recorder = 'portcheck_record.m';
    rec.octave_version = platform();
    rec.recorded_at = [datestr(now, 'yyyy-mm-dd') ' ' datestr(now, 'HH:MM:SS')];
    save('-v7', target, '-struct', 'rec');
    written{end + 1} = target; %#ok<AGROW>
  end
end

function [fn, cleanup] = reach(name, resolved)
  % A folder-qualified name ("ex2/predict") runs from the folder portcheck resolved it to.
  fn = name;
  cleanup = @() [];
  slash = find(name == '/', 1, 'last');
  if isempty(slash)
    return;
  end
  fn = name(slash + 1:end);
  folder = '';
  for r = 1:size(resolved, 1)
    if strcmp(resolved{r, 1}, name)
      fn = resolved{r, 2};
      folder = resolved{r, 3};
    end
  end
  if ~isempty(folder) && exist(folder, 'dir')
    addpath(folder);
    cleanup = @() rmpath(folder);
  end
end

function s = error_struct(err, fn)
  file = '';
  line = 0;
  where = fn;
  if ~isempty(err.stack)
    file = err.stack(1).file;
    line = err.stack(1).line;
    where = err.stack(1).name;
  end
  s = struct('type', 'OctaveRuntimeError', 'message', err.message, 'function', where, ...
             'file', file, 'line', line, 'timeout', 0, 'text', err.message);
end

function v = platform()
  if exist('OCTAVE_VERSION', 'builtin')
    v = ['GNU Octave ' OCTAVE_VERSION];
  else
    v = ['MATLAB ' version];
  end
end
