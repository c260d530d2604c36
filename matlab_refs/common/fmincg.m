function [X, fX, i] = fmincg(f, X, options, varargin)
%FMINCG Minimize a smooth function by nonlinear conjugate gradients.
%   [X, fX, i] = fmincg(f, X0, options)
%     f       : function handle (or function name); [cost, grad] = f(X) with
%               grad the same size as X
%     X0      : starting point (vector or array; worked on as X0(:))
%     options : from optimset; fields read with optimget:
%                 MaxIter  iterations allowed (default 100). A negative value
%                          -N limits function evaluations to N instead.
%                 TolFun   stop once max(abs(grad)) <= TolFun (default 0, so
%                          by default the run ends at MaxIter or when no
%                          further decrease can be found)
%                 Display  'iter' prints one line per iteration; anything
%                          else (default 'off') prints nothing
%     X       : the final point, same size as X0
%     fX      : i x 1 column, the cost after each iteration
%     i       : the number of iterations performed
%
%   [X, fX, i] = fmincg(f, X0, options, P1, P2, ...) evaluates f(X, P1, P2, ...).
%
%   Method: Polak-Ribiere conjugate gradients with the PR+ rule
%   beta = max(0, g1'*(g1 - g0) / (g0'*g0)), restarted along -grad whenever
%   the new direction is not a descent direction. Each step length satisfies
%   the strong Wolfe conditions (c1 = 1e-4, c2 = 0.1), found by bracketing and
%   a zoom with safeguarded cubic interpolation or bisection (Nocedal & Wright,
%   Numerical Optimization, 2nd ed., Algorithms 3.5 and 3.6, section 5.2).
%   When no acceptable step exists (typically at the minimum, where cost
%   differences fall below rounding), the search restarts once along -grad
%   and the run ends if that fails too.

  if nargin < 3 || isempty(options)
    options = struct();
  end
  if ischar(f)
    f = str2func(f);
  end
  maxIter = optimget(options, 'MaxIter', 100);
  tolFun = optimget(options, 'TolFun', 0);
  display = optimget(options, 'Display', 'off');
  verbose = ischar(display) && strcmpi(display, 'iter');
  if maxIter < 0
    maxEval = -maxIter;
    maxIter = Inf;
  else
    maxEval = Inf;
  end

  shape = size(X);
  x = X(:);
  [fx, g] = evaluate(f, x, shape, varargin);
  nEval = 1;
  fX = zeros(0, 1);
  i = 0;

  d = -g;
  slope = -(g' * g);
  steepest = true;
  alpha = 1 / max(1, max(abs(g)));   % first trial step: at most unit length per coordinate

  while i < maxIter && nEval < maxEval
    if max(abs(g)) <= tolFun
      break;
    end
    [step, fNew, gNew, used, ok] = wolfeSearch(f, x, shape, fx, d, slope, alpha, ...
                                              maxEval - nEval, varargin);
    nEval = nEval + used;
    if ~ok
      if steepest
        break;   % no decrease even along -grad: nothing left to gain
      end
      d = -g;
      slope = -(g' * g);
      steepest = true;
      alpha = 1 / max(1, max(abs(g)));
      continue;
    end

    i = i + 1;
    x = x + step * d;
    beta = max(0, (gNew' * (gNew - g)) / (g' * g));   % PR+
    dNew = -gNew + beta * d;
    slopeNew = gNew' * dNew;
    steepest = false;
    if ~(slopeNew < 0)
      dNew = -gNew;
      slopeNew = -(gNew' * gNew);
      steepest = true;
    end
    % Next trial step: assume the first-order change matches the last one
    % (Nocedal & Wright, eq. 3.60).
    alpha = step * slope / slopeNew;
    if ~(isfinite(alpha) && alpha > 0)
      alpha = 1 / max(1, max(abs(gNew)));
    end

    fx = fNew;
    g = gNew;
    d = dNew;
    slope = slopeNew;
    fX(i, 1) = fx;
    if verbose
      fprintf('Iteration %5d | Cost: %.6e\n', i, fx);
    end
  end
  X = reshape(x, shape);
end


function [fx, g] = evaluate(f, x, shape, args)
  [fx, g] = f(reshape(x, shape), args{:});
  g = g(:);
end


function [a, fa, ga, n, ok] = wolfeSearch(f, x, shape, f0, d, s0, a1, budget, args)
% Step a along d with phi(a) = f(x + a*d): phi(a) <= f0 + c1*a*s0 and
% |phi'(a)| <= -c2*s0 (strong Wolfe). Algorithm 3.5 of Nocedal & Wright.
  c1 = 1e-4;
  c2 = 0.1;
  maxBracket = 25;
  aPrev = 0;  fPrev = f0;  sPrev = s0;  gPrev = [];
  a = a1;
  n = 0;
  ok = false;
  fa = f0;
  ga = [];
  for k = 1:maxBracket
    if n >= budget
      break;
    end
    [fa, ga] = evaluate(f, x + a * d, shape, args);
    n = n + 1;
    sa = ga' * d;
    if ~isfinite(fa) || any(~isfinite(ga)) || fa > f0 + c1 * a * s0 || (k > 1 && fa >= fPrev)
      [a, fa, ga, nz, ok] = zoom(f, x, shape, f0, d, s0, c1, c2, ...
                                 aPrev, fPrev, sPrev, gPrev, a, fa, sa, budget - n, args);
      n = n + nz;
      return;
    end
    if abs(sa) <= -c2 * s0
      ok = true;
      return;
    end
    if sa >= 0
      [a, fa, ga, nz, ok] = zoom(f, x, shape, f0, d, s0, c1, c2, ...
                                 a, fa, sa, ga, aPrev, fPrev, sPrev, budget - n, args);
      n = n + nz;
      return;
    end
    % Still going down: extrapolate by cubic interpolation, the next
    % increment kept between 1 and 10 times the last one.
    width = a - aPrev;
    aNext = cubicMin(aPrev, fPrev, sPrev, a, fa, sa);
    if ~(isfinite(aNext) && aNext >= a + width && aNext <= a + 10 * width)
      aNext = a + 2 * width;
    end
    aPrev = a;  fPrev = fa;  sPrev = sa;  gPrev = ga;
    a = aNext;
  end
  % Out of budget or extrapolations while still going down: keep the last
  % point evaluated (it satisfied sufficient decrease, or we would have zoomed).
  a = aPrev;  fa = fPrev;  ga = gPrev;
  ok = ~isempty(gPrev) && fPrev < f0;
end


function [a, fa, ga, n, ok] = zoom(f, x, shape, f0, d, s0, c1, c2, ...
                                   aLo, fLo, sLo, gLo, aHi, fHi, sHi, budget, args)
% Shrink [aLo, aHi] (aLo: lowest cost found, sufficient decrease holds)
% until a strong Wolfe step is found. Algorithm 3.6 of Nocedal & Wright.
  maxZoom = 30;
  n = 0;
  for k = 1:maxZoom
    width = aHi - aLo;
    if n >= budget || abs(width) <= eps * max(1, abs(aLo))
      break;
    end
    aj = NaN;
    if isfinite(fHi) && isfinite(sHi)
      aj = cubicMin(aLo, fLo, sLo, aHi, fHi, sHi);
    end
    lower = min(aLo, aHi) + 0.1 * abs(width);
    upper = max(aLo, aHi) - 0.1 * abs(width);
    if ~(isfinite(aj) && aj >= lower && aj <= upper)
      aj = aLo + width / 2;   % bisection
    end
    [fj, gj] = evaluate(f, x + aj * d, shape, args);
    n = n + 1;
    sj = gj' * d;
    if ~isfinite(fj) || any(~isfinite(gj)) || fj > f0 + c1 * aj * s0 || fj >= fLo
      aHi = aj;  fHi = fj;  sHi = sj;
    else
      if abs(sj) <= -c2 * s0
        a = aj;  fa = fj;  ga = gj;  ok = true;
        return;
      end
      if sj * (aHi - aLo) >= 0
        aHi = aLo;  fHi = fLo;  sHi = sLo;
      end
      aLo = aj;  fLo = fj;  sLo = sj;  gLo = gj;
    end
  end
  % No strong Wolfe point: fall back on the best point if it is a decrease.
  a = aLo;  fa = fLo;  ga = gLo;
  ok = aLo > 0 && fLo < f0 && ~isempty(gLo);
end


function am = cubicMin(a, fa, sa, b, fb, sb)
% Minimizer of the cubic through (a, fa) and (b, fb) with slopes sa, sb
% (Nocedal & Wright, eq. 3.59); NaN when it does not exist.
  d1 = sa + sb - 3 * (fa - fb) / (a - b);
  rad = d1 ^ 2 - sa * sb;
  am = NaN;
  if rad >= 0
    d2 = sign(b - a) * sqrt(rad);
    den = sb - sa + 2 * d2;
    if den ~= 0
      am = b - (b - a) * (sb + d2 - d1) / den;
    end
  end
end
