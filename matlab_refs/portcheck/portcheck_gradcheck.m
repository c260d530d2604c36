function out = portcheck_gradcheck(spec, x, varargin)
%PORTCHECK_GRADCHECK All the finite differences of a gradient check, in one Octave call.
%   out = portcheck_gradcheck(spec, x, arg1, arg2, ...)
%
%   Evaluates [J, grad] = f(x, arg1, arg2, ...) and the cost along every
%   probe portcheck planned, so a check costs one round trip whatever the
%   number of parameters. portcheck.check_gradient builds SPEC and judges the
%   result with the same rules it applies to Python functions.
%
%   spec fields (P probes, S Taylor sweeps of T steps, B blocks):
%     name, folder   function to check; folder is '' when it is on the path
%     wrt            position of x among the arguments (0: first), so that
%                    f(args{1:wrt}, x, args{wrt+1:end}) is called
%     method         'auto' | 'central' | 'complex' | 'richardson'
%     kind           P x 1: 0 single element, 1 random direction in a block
%     index          P x 1: 0-based element index (elements)
%     start, len     P x 1: 0-based start and length of the probe's block
%     block          P x 1: 0-based block number
%     hashp          P x 4: hash parameters of directions (portcheck_direction)
%     h, hc          P x 1: central step and complex step
%     rtol, rtol_c, kappa, epsw, h_rel, refine   tolerance constants
%     measure_noise, noise_multiple   measure f's noise floor from the sweeps
%     sw_start, sw_len   S x 1 ranges of the Taylor directions
%     sw_hash        S x 4 their hash parameters
%     sw_h           S x T their steps
%     trial_h        B x 1 central step of each block's complex-step trial,
%                    taken along the block's sweep direction (sweep b + 2)
%
%   out fields: f0, f0b, g, gb (two evaluations at x), fp, fm (f at x +/- h d),
%   fp2, fm2 (at h/2), fc (imag(f(x + i hc d)) / hc), fcr (its real part),
%   cstatus (B x 1 cell: 'ok', '' or why the complex step cannot be used),
%   trials (B x 7: h, fc, fcr, fp, fm, fp2, fm2 of each block's trial),
%   sw_f (S x T costs), noise (rounding noise of f used for the
%   tolerances), evals, file (which(name)).
%
%   The complex step works for code written with .' (transpose); ' is the
%   conjugate transpose, which flips the sign of the imaginary part it
%   touches. Each block is tried once against central differences and falls
%   back to them when the two disagree.

  if ~isempty(spec.folder)
    saved = path();
    addpath(spec.folder);
    restore = onCleanup(@() path(saved));
  end
  if ~any(exist(spec.name) == [2 3 5])  % an .m file, a compiled function or a built-in
    error('portcheck_gradcheck: %s is not a function on the Octave path', spec.name);
  end
  fh = str2func(spec.name);
  before = varargin(1:spec.wrt);
  after = varargin(spec.wrt + 1:end);
  f = @(xx) fh(before{:}, xx, after{:});
  evals = 0;

  try
    [f0, g] = f(x);
  catch err
    if ~isempty(strfind(err.message, 'too many outputs'))
      error('portcheck_gradcheck: %s returns only a cost; a gradient check needs [J, grad] = %s(...)', ...
            spec.name, spec.name);
    end
    rethrow(err);
  end
  [f0b, gb] = f(x);
  evals = evals + 2;
  is_single = isa(f0, 'single') || isa(g, 'single');
  f0 = double(f0);
  f0b = double(f0b);
  g = double(g(:));
  gb = double(gb(:));

  P = numel(spec.kind);
  nb = max(spec.block) + 1;
  fp = nan(P, 1); fm = fp; fp2 = fp; fm2 = fp; fc = fp; fcr = fp;
  ana = zeros(P, 1);
  dirs = cell(P, 1);
  for p = 1:P
    dirs{p} = probe_direction(p);
    r = spec.start(p) + (1:spec.len(p));
    ana(p) = g(r)' * dirs{p};
  end

  % Taylor sweeps first: their smallest steps also measure how noisy f is.
  S = numel(spec.sw_start);
  T = size(spec.sw_h, 2);
  sw_f = nan(S, T);
  for s = 1:S
    r = spec.sw_start(s) + (1:spec.sw_len(s));
    d = portcheck_direction(x(r), spec.sw_hash(s, :));
    for k = 1:T
      xs = x;
      xs(r) = xs(r) + spec.sw_h(s, k) * d;
      sw_f(s, k) = double(f(xs));
      evals = evals + 1;
    end
  end

  % The noise floor of f: the quadratic through f(x) and the sweep's 5th and
  % 4th smallest steps predicts f at the three smallest steps far below
  % rounding, so the misses are rounding alone unless they grow with h at
  % both steps (a kink). Same rule as portcheck's noise_level; double only.
  noise = spec.kappa * spec.epsw * max(abs(f0), realmin);
  if spec.measure_noise && T >= 5
    samples = [];
    for s = 1:S
      hh = spec.sw_h(s, T - 4:T);
      ff = sw_f(s, T - 4:T) - f0;
      if ~all(isfinite(ff)) || ff(5) == 0
        continue;
      end
      det = hh(1) * hh(2) * (hh(2) - hh(1));
      a = (ff(1) * hh(2) ^ 2 - ff(2) * hh(1) ^ 2) / det;
      c = (ff(2) * hh(1) - ff(1) * hh(2)) / det;
      miss = abs(ff(3:5) - a * hh(3:5) - c * hh(3:5) .^ 2);
      if miss(1) > 4 * miss(2) && miss(2) > 4 * miss(3)
        continue;
      end
      samples(end + 1) = median(miss);
    end
    if ~isempty(samples)
      noise = max(noise, spec.noise_multiple * median(samples));
    end
  end

  cstatus = repmat({''}, nb, 1);
  use_complex = false(nb, 1);

  % Complex-step trial per block, along the block's random Taylor direction
  % (sweep b + 2; sweep 1 covers all of x), so that an unsafe operation
  % anywhere in the block shows up.
  tr = nan(nb, 7);  % h fc fcr fp fm fp2 fm2
  if any(strcmp(spec.method, {'auto', 'complex'}))
    for b = 0:nb - 1
      r = spec.sw_start(b + 2) + (1:spec.sw_len(b + 2));
      d = portcheck_direction(x(r), spec.sw_hash(b + 2, :));
      h = spec.trial_h(b + 1);
      [Jc, why] = complex_cost(r, d, spec.hc(1));
      tr(b + 1, 1) = h;
      tr(b + 1, 4) = double(f(along(r, d, h)));
      tr(b + 1, 5) = double(f(along(r, d, -h)));
      evals = evals + 2;
      d1 = (tr(b + 1, 4) - tr(b + 1, 5)) / (2 * h);
      ok = false;
      if isempty(why)
        tr(b + 1, 2) = imag(double(Jc)) / spec.hc(1);
        tr(b + 1, 3) = real(double(Jc));
        ok = consistent(tr(b + 1, 2), tr(b + 1, 3), d1, NaN, h);
        if ~ok
          tr(b + 1, 6) = double(f(along(r, d, h / 2)));
          tr(b + 1, 7) = double(f(along(r, d, -h / 2)));
          evals = evals + 2;
          d2 = (tr(b + 1, 6) - tr(b + 1, 7)) / h;
          ok = consistent(tr(b + 1, 2), tr(b + 1, 3), d1, (4 * d2 - d1) / 3, h);
        end
        if ~ok
          if tr(b + 1, 2) == 0 && d1 ~= 0
            why = 'the imaginary part of the cost is zero (abs, real, or a comparison drops it)';
          else
            why = 'the imaginary part disagrees with central differences';
          end
        end
      end
      if ok
        cstatus{b + 1} = 'ok';
        use_complex(b + 1) = true;
      else
        cstatus{b + 1} = why;
      end
    end
  end

  fill_probes(1:P);

  % Group testing (portcheck/gradients/_search.py, transcribed): per planned
  % block, the derivative along a random signed direction moving every
  % element by its own step, halved down to the wrong element, row or column.
  nsb = 0;
  if isfield(spec, 's_block')
    nsb = numel(spec.s_block);
  end
  s_outcome = zeros(nsb, 1);
  s_root = nan(nsb, 5);   % value analytic sigma estimate(0 complex, 1 richardson) evals
  s_meas = zeros(nsb, 1);
  s_evals = zeros(nsb, 1);
  s_items = zeros(0, 3);  % search, kind (1 element, 2 column, 3 row), 0-based index in the block
  s_confirm = zeros(0, 1);
  % the state of the block being searched, shared by the helpers below
  k = 0; st = 0; nk = 0; nrows = 1; ncols = 1; sgn = []; sgb = []; cplx = false;
  spent = 0; nmeas = 0; budget = 0; s_step = 0;
  for k = 1:nsb
    search_one(k);
  end
  if ~isempty(s_confirm)
    first = P + 1;
    for j = s_confirm'
      b = find(spec.s_start <= j & j < spec.s_start + spec.s_len, 1);
      P = P + 1;
      spec.kind(P, 1) = 0;
      spec.index(P, 1) = j;
      spec.start(P, 1) = spec.s_start(b);
      spec.len(P, 1) = spec.s_len(b);
      spec.block(P, 1) = spec.s_block(b);
      spec.hashp(P, :) = 0;
      spec.h(P, 1) = 2 ^ round(log2(spec.h_rel * max(1, abs(double(x(j + 1))))));
      spec.hc(P, 1) = spec.hc(1);
      fp(P, 1) = NaN; fm(P, 1) = NaN; fp2(P, 1) = NaN; fm2(P, 1) = NaN; fc(P, 1) = NaN; fcr(P, 1) = NaN;
      dirs{P, 1} = probe_direction(P);
      ana(P, 1) = g(j + 1);
    end
    fill_probes(first:P);
  end

  out = struct();
  out.f0 = f0; out.f0b = f0b; out.g = g; out.gb = gb;
  out.fp = fp; out.fm = fm; out.fp2 = fp2; out.fm2 = fm2; out.fc = fc; out.fcr = fcr;
  out.cstatus = cstatus;
  out.trials = tr;
  out.sw_f = sw_f;
  out.noise = noise;
  out.evals = evals;
  out.file = which(spec.name);
  out.single = is_single;
  out.s_outcome = s_outcome;
  out.s_root = s_root;
  out.s_meas = s_meas;
  out.s_evals = s_evals;
  out.s_items = s_items;
  out.s_confirm = s_confirm;

  % --- nested helpers share the workspace above -----------------------------

  function fill_probes(ps)
    for p = ps
      if strcmp(spec.method, 'richardson')
        central(p);
        half(p);
      elseif use_complex(spec.block(p) + 1)
        if isnan(fc(p))
          complex_eval(p);
        end
      else
        central(p);
      end
    end
    % Probes whose first estimate does not clearly agree get h/2 as well
    % (the same rule as portcheck's needs_refinement).
    for p = ps
      if isfinite(fc(p))
        num = fc(p);
        scale = spec.h(p) / spec.h_rel;
        tol = spec.rtol_c * (max(abs(num), abs(ana(p))) + abs(f0) / scale);
      else
        num = (fp(p) - fm(p)) / (2 * spec.h(p));
        tol = spec.rtol * max(abs(num), abs(ana(p))) + noise / spec.h(p);
      end
      if ~(abs(num - ana(p)) <= spec.refine * tol)
        central(p);
        half(p);
      end
    end
  end

  function search_one(kk)
    k = kk;
    bk = spec.s_block(k) + 1;
    st = spec.s_start(k);
    nk = spec.s_len(k);
    nrows = spec.s_rows(k);
    ncols = nk / nrows;
    sxb = double(x(st + (1:nk)));
    sgn = portcheck_signs(nk, spec.s_hash(k, :)) .* max(1, abs(sxb(:)));
    sgb = g(st + (1:nk));
    cplx = use_complex(bk) && any(strcmp(spec.method, {'auto', 'complex'}));
    spent = 0;
    s_step = spec.s_t;
    nmeas = 1;
    budget = spec.s_budget(k);
    root = measure(0, 0, nk);
    s_root(k, :) = root;
    code = 0;
    if significant(root)
      [how, groups] = bisect(0, nk, root);
      if strcmp(how, 'done')
        code = 1;
        add_items(1, groups(:, 1));
      elseif strcmp(how, 'spread')
        cols = [];
        for r = 1:rows(groups)
          cols = union(cols, floor(groups(r, 1) / nrows):floor((groups(r, 2) - 1) / nrows));
        end
        if ncols > 1 && numel(cols) <= spec.max_leads && all(groups(:, 2) - groups(:, 1) <= nrows)
          code = 2;
          add_items(2, cols(:));
        elseif ncols > 1
          [how, groups] = bisect(1, nrows, root);
          if strcmp(how, 'done')
            code = 3;
            add_items(3, groups(:, 1));
          else
            code = 4 * strcmp(how, 'spread') + 5 * strcmp(how, 'lost') + 6 * strcmp(how, 'budget');
          end
        else
          code = 4;
        end
      else
        code = 5 * strcmp(how, 'lost') + 6 * strcmp(how, 'budget');
      end
    end
    s_outcome(k) = code;
    s_meas(k) = nmeas;
    s_evals(k) = spent;
    % elements to check one by one: each element found, or per wrong line
    % the element with the largest |g| and the one with the largest |x|
    if code == 1
      s_confirm = [s_confirm; st + sort(groups(:, 1))];
    elseif code == 2 || code == 3
      lines = s_items(s_items(:, 1) == k, 3);
      for ln = lines'
        if code == 2
          idx = (ln * nrows) + (0:nrows - 1)';
        else
          idx = ln + nrows * (0:ncols - 1)';
        end
        for vals = {sgb, sxb(:)}
          [~, i] = max(abs(vals{1}(idx + 1)));
          j = st + idx(i);
          if ~any(s_confirm == j)
            s_confirm = [s_confirm; j];
          end
        end
      end
    end
  end

  function add_items(kind, ks)
    ks = sort(ks(:));
    s_items = [s_items; [repmat([k kind], numel(ks), 1) ks]];
  end

  function [how, groups] = bisect(axis, units, root_m)
    F = [0 units];
    FM = root_m;
    while true
      N = zeros(0, 2);
      NM = zeros(0, 5);
      for r = 1:rows(F)
        lo = F(r, 1); hi = F(r, 2); m = FM(r, :);
        if hi - lo <= 1
          N(end + 1, :) = [lo hi];
          NM(end + 1, :) = m;
          continue;
        end
        if axis == 0 && hi - lo > nrows && mod(lo, nrows) == 0 && mod(hi, nrows) == 0
          mid = lo + floor((hi - lo) / nrows / 2) * nrows;
        else
          mid = lo + floor((hi - lo) / 2);
        end
        if nmeas + 2 > budget
          how = 'budget';
          groups = F;
          return;
        end
        ma = measure(axis, lo, mid);
        nmeas = nmeas + 1;
        if significant(ma)
          N(end + 1, :) = [lo mid];
          NM(end + 1, :) = ma;
        end
        inferred = [m(1) - ma(1), m(2) - ma(2), m(3) + ma(3), 0, 0];
        if significant(inferred) || ~significant(ma)
          mb = measure(axis, mid, hi);
          nmeas = nmeas + 1;
          if significant(mb)
            N(end + 1, :) = [mid hi];
            NM(end + 1, :) = mb;
          end
        end
      end
      if isempty(N)
        how = 'lost'; groups = F; return;
      end
      if rows(N) > spec.max_leads
        how = 'spread'; groups = N; return;
      end
      if all(N(:, 2) - N(:, 1) <= 1)
        how = 'done'; groups = N; return;
      end
      F = N;
      FM = NM;
    end
  end

  function m = measure(axis, lo, hi)
    if axis == 0
      loc = (lo + 1:hi)';
    else
      loc = reshape((lo + 1:hi)' + nrows * (0:ncols - 1), [], 1);
    end
    idx = st + loc;
    sg = sgn(loc);
    terms = sgb(loc) .* sg;
    a = sum(terms);
    aa = sum(abs(terms));
    if cplx
      xs = x;
      xs(idx) = xs(idx) + 1i * spec.s_hc * sg;
      spent = spent + 1;
      evals = evals + 1;
      ok = true;
      try
        Jc = f(xs);
      catch
        ok = false;
      end
      if ok && numel(Jc) == 1 && isfinite(Jc)
        cv = imag(double(Jc)) / spec.s_hc;
        m = [cv, a, spec.epsw * spec.analytic_ulps * (aa + abs(cv)), 0, 0];
        return;
      end
    end
    m = central_m(idx, sg, s_step, a, aa);
    if spent <= 4 && m(4) == 1 && ~significant(m) && m(5) <= spec.rounding_only * noise / s_step ...
        && abs(m(1) - m(2)) > spec.significant * m(3) / spec.larger_step
      % rounding-bound root measurement: retake it with larger steps (see rounding_hides)
      wide = central_m(idx, sg, spec.larger_step * s_step, a, aa);
      if wide(3) < m(3)
        m = wide;
        s_step = spec.larger_step * s_step;
      end
    end
  end

  function m = central_m(idx, sg, t, a, aa)
    fv = zeros(1, 6);
    steps = [t, -t, t / 2, -t / 2];
    for q = 1:4
      fv(q) = moved_cost(idx, sg, steps(q));
    end
    d1 = (fv(1) - fv(2)) / (2 * t);
    d2 = (fv(3) - fv(4)) / t;
    r1 = (4 * d2 - d1) / 3;
    fl = spec.epsw * aa * (spec.analytic_ulps + 1 / t);
    m = [r1, a, abs(d1 - d2) + 3 * noise / t + fl, 1, abs(d1 - d2)];
    gap = abs(m(1) - m(2));
    if ~significant(m) && m(5) > 0 && gap > spec.significant * (m(3) - m(5))
      fv(5) = moved_cost(idx, sg, t / 4);
      fv(6) = moved_cost(idx, sg, -t / 4);
      d3 = (fv(5) - fv(6)) / (t / 2);
      r2 = (4 * d3 - d2) / 3;
      m = [r2, a, abs(r1 - r2) + 6 * noise / t + fl, 1, abs(r1 - r2)];
    end
  end

  function v = moved_cost(idx, sg, step)
    xs = x;
    xs(idx) = xs(idx) + step * sg;
    v = double(f(xs));
    spent = spent + 1;
    evals = evals + 1;
  end

  function yes = significant(m)
    gap = abs(m(1) - m(2));
    lim = spec.significant * m(3);
    if ~isfinite(gap)
      yes = true;
    elseif lim > 0
      yes = gap > lim;
    else
      yes = gap > 0;
    end
  end

  function d = probe_direction(p)
    if spec.kind(p) == 0
      d = zeros(spec.len(p), 1);
      d(spec.index(p) - spec.start(p) + 1) = 1;
    else
      d = portcheck_direction(x(spec.start(p) + (1:spec.len(p))), spec.hashp(p, :));
    end
  end

  function xs = moved(p, step)
    xs = x;
    r = spec.start(p) + (1:spec.len(p));
    xs(r) = xs(r) + step * dirs{p};
  end

  function central(p)
    if isnan(fp(p))
      fp(p) = double(f(moved(p, spec.h(p))));
      fm(p) = double(f(moved(p, -spec.h(p))));
      evals = evals + 2;
    end
  end

  function half(p)
    if isnan(fp2(p))
      fp2(p) = double(f(moved(p, spec.h(p) / 2)));
      fm2(p) = double(f(moved(p, -spec.h(p) / 2)));
      evals = evals + 2;
    end
  end

  function complex_eval(p)
    [Jc, why] = complex_cost(spec.start(p) + (1:spec.len(p)), dirs{p}, spec.hc(p));
    if isempty(why)
      fc(p) = imag(double(Jc)) / spec.hc(p);
      fcr(p) = real(double(Jc));
    end
  end

  function xs = along(r, d, step)
    xs = x;
    xs(r) = xs(r) + step * d;
  end

  function [Jc, why] = complex_cost(r, d, hc)
    why = '';
    Jc = NaN;
    evals = evals + 1;
    try
      Jc = f(along(r, d, 1i * hc));
    catch err
      why = ['the function raised: ' err.message];
      return;
    end
    if numel(Jc) ~= 1 || ~isfinite(Jc)
      why = 'the cost is not a finite scalar for a complex input';
    end
  end

  function ok = consistent(fcv, fcrv, d1, r, h)
    ok = false;
    if ~(isfinite(fcv) && isfinite(fcrv))
      return;
    end
    if abs(fcrv - f0) > 100 * noise
      return;
    end
    tol = spec.rtol * max(abs(d1), abs(fcv)) + noise / h;
    if abs(fcv - d1) <= tol
      ok = true;
    elseif isfinite(r)
      tol_r = spec.rtol * max(abs(r), abs(fcv)) + 3 * noise / h;
      ok = abs(fcv - r) <= tol_r;
    end
  end
end
