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

  for p = 1:P
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
  for p = 1:P
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

  % --- nested helpers share the workspace above -----------------------------

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
