function out = portcheck_trace_record(k, v)
%PORTCHECK_TRACE_RECORD Collector for portcheck's trace of a reference.
%   portcheck_trace_record(k, v)  records value v for assignment site k (an
%     integer chosen by portcheck when it instrumented the reference: one
%     site per file, line and variable). Called after every assignment of an
%     instrumented copy, so it must stay cheap: it keeps the first and last
%     value of each site (references, no copies), the running sum of its
%     values while their sizes agree, how often it ran and when it ran first.
%   out = portcheck_trace_record()  returns what was recorded and forgets it:
%     a struct with fields order, count, numeric (1 x nsites; order 0 = never
%     ran; numeric false when a value was not numeric or logical) and first,
%     last, total (1 x nsites cells). Numeric and logical values come
%     back as double (complex kept); values with more than LIMIT elements come
%     back as a struct of moments (a fingerprint); other values as [].
%
%   portcheck copies this file into the temporary folder of each traced call,
%   so every trace starts with empty state.

  persistent count order next first last total same isnum
  if nargin == 2
    if k <= numel(count)
      c = count(k) + 1;
      count(k) = c;
      % The hot path (a line in a loop, third pass on): sum and keep.
      if c > 2 && same(k) && size_equal(v, total{k}) && (isnumeric(v) || islogical(v))
        total{k} = total{k} + double(v);
        last{k} = v;
        return;
      end
    else
      c = 1;
      count(k) = 1;
    end
    num = isnumeric(v) || islogical(v);
    if c == 1
      if isempty(next)
        next = 0;
      end
      next = next + 1;
      order(k) = next;
      isnum(k) = num;
      same(k) = num;
      if num
        last{k} = v;
      else
        last{k} = [];
      end
      return;
    end
    if ~(num && isnum(k))
      % A value that is (or was) not numeric: the site is recorded, not its values.
      isnum(k) = false;
      same(k) = false;
      last{k} = [];
      return;
    end
    if c == 2
      first{k} = last{k};
      if size_equal(v, last{k})
        total{k} = double(last{k}) + double(v);
      else
        same(k) = false;
      end
    elseif same(k)
      if size_equal(v, total{k})
        total{k} = total{k} + double(v);
      else
        same(k) = false;
        total{k} = [];
      end
    end
    last{k} = v;
    return;
  end

  % Collect: convert what the bridge should carry, then forget everything.
  LIMIT = 100000;  % = portcheck.trace.FULL_VALUE_LIMIT (a test checks it)
  n = numel(count);
  out.order = zeros(1, n);
  out.order(1:numel(order)) = order;
  out.count = count;
  out.numeric = false(1, n);
  out.numeric(1:numel(isnum)) = isnum;
  out.first = cell(1, n);
  out.last = cell(1, n);
  out.total = cell(1, n);
  for k = 1:n
    if k <= numel(last)
      out.last{k} = carry(last{k}, LIMIT);
    end
    if count(k) > 1 && isnum(k)
      out.first{k} = carry(first{k}, LIMIT);
      if same(k)
        out.total{k} = carry(total{k}, LIMIT);
      end
    end
  end
  count = []; order = []; next = []; first = {}; last = {}; total = {}; same = []; isnum = [];
end

function v = carry(v, limit)
  % Small arrays travel whole (as double); large ones as their moments,
  % the same as portcheck.trace.fingerprint computes in Python.
  if ~(isnumeric(v) || islogical(v))
    v = [];
    return;
  end
  if numel(v) > limit
    if issparse(v)
      % Moments from the stored entries (never a full copy); the implicit
      % zeros only count for the minimum and maximum.
      a = double(nonzeros(v));
      zeros_too = nnz(v) < numel(v);
    else
      a = double(v(:));
      zeros_too = false;
    end
    if iscomplex(a)
      a = abs(a);
    end
    a = a(isfinite(a));
    if zeros_too
      a_ext = [a; 0];
    else
      a_ext = a;
    end
    fp.fingerprint = true;
    fp.shape = size(v);
    fp.total = sum(a);
    fp.total_abs = sum(abs(a));
    fp.total_sq = sum(a .* a);
    if isempty(a_ext)
      fp.minimum = NaN;
      fp.maximum = NaN;
    else
      fp.minimum = min(a_ext);
      fp.maximum = max(a_ext);
    end
    v = fp;
  elseif issparse(v) || ~isa(v, 'double')
    v = double(full(v));
  end
end
