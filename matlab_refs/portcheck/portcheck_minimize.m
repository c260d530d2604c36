function out = portcheck_minimize(spec, x0, varargin)
%PORTCHECK_MINIMIZE A whole Octave optimization in one call, for portcheck.compare_minimize.
%   out = portcheck_minimize(spec, x0, arg1, arg2, ...)
%
%   Minimizes J(x) = f(x, arg1, arg2, ...) from x0 with fmincg or fminunc and
%   returns what a comparison needs. A function handle cannot be sent from
%   Python, so the handle is built here from the function's name.
%
%   spec fields:
%     name, folder  function [J, grad] = name(x, ...); folder is '' when the
%                   function is on the path (otherwise it is added for the run)
%     optimizer     'fmincg' or 'fminunc'
%     maxiter       MaxIter of the optimizer
%     tolfun        TolFun: fmincg stops once max(abs(grad)) <= tolfun;
%                   fminunc uses it for its own gradient and cost-change tests
%
%   out fields:
%     x             final point, same shape as x0
%     trajectory    column: cost at x0, then the cost after each iteration
%     iterations    iterations performed
%     evaluations   evaluations of f made by the optimizer
%     message       why the optimizer stopped, in words
%     status        fmincg: 0 MaxIter, 1 gradient below TolFun, 2 no further
%                   decrease found; fminunc: its INFO output
%     cost, grad    J and grad at the final point (not counted in evaluations)
%     file          which(name), so the report says which reference ran

  if ~isempty(spec.folder)
    saved = path();
    addpath(spec.folder);
    restore = onCleanup(@() path(saved));
  end
  f = str2func(spec.name);
  if isfield(spec, 'wrt') && double(spec.wrt) > 0
    % The parameters are argument wrt+1 (linearRegCostFunction(X, y, theta, lambda)):
    % optimize an x-first view of the function.
    named = f;
    k = double(spec.wrt);
    f = @(x, varargin) named(varargin{1:k}, x, varargin{k+1:end});
  end
  args = varargin;
  maxiter = double(spec.maxiter);
  tolfun = double(spec.tolfun);

  tally('reset');
  objective = @(x) counted(f, x, args);
  cost0 = f(x0, args{:});

  switch lower(spec.optimizer)
    case 'fmincg'
      options = optimset('MaxIter', maxiter, 'TolFun', tolfun);
      [x, fX, iterations] = fmincg(objective, x0, options);
      trajectory = [cost0; fX(:)];
      [cost, grad] = f(x, args{:});
      if iterations >= maxiter
        status = 0;
        message = sprintf('MaxIter (%d) reached', maxiter);
      elseif max(abs(grad(:))) <= tolfun
        status = 1;
        message = sprintf('max(abs(grad)) <= TolFun (%g)', tolfun);
      else
        status = 2;
        message = 'no further decrease found along -grad (converged to rounding)';
      end
    case 'fminunc'
      % OutputFcn records the cost after each iteration: fminunc returns
      % only the final cost.
      options = optimset('GradObj', 'on', 'MaxIter', maxiter, 'TolFun', tolfun, ...
                         'OutputFcn', @record_iteration, 'Display', 'off');
      [x, ~, status, output] = fminunc(objective, x0, options);
      trajectory = [cost0; tally('trajectory')];
      iterations = output.iterations;
      [cost, grad] = f(x, args{:});
      message = fminunc_message(status, maxiter);
    otherwise
      error('portcheck_minimize: optimizer must be ''fmincg'' or ''fminunc'', got ''%s''', ...
            spec.optimizer);
  end

  out.x = x;
  out.trajectory = trajectory;
  out.iterations = iterations;
  out.evaluations = tally('evaluations');
  out.message = message;
  out.status = status;
  out.cost = cost;
  out.grad = grad(:);
  out.file = which(spec.name);
end


function [J, grad] = counted(f, x, args)
  tally('evaluation');
  [J, grad] = f(x, args{:});
end


function stop = record_iteration(~, optimValues, state)
  stop = false;
  if strcmp(state, 'iter')
    tally('iteration', optimValues.fval);
  end
end


function value = tally(action, cost)
% Counters of one run. Handles copy the workspace they capture, so a counter
% cannot live in a closure; a persistent variable of this subfunction can.
  persistent evaluations trajectory
  value = [];
  switch action
    case 'reset'
      evaluations = 0;
      trajectory = zeros(0, 1);
    case 'evaluation'
      evaluations = evaluations + 1;
    case 'iteration'
      trajectory(end + 1, 1) = cost;
    case 'evaluations'
      value = evaluations;
    case 'trajectory'
      value = trajectory;
  end
end


function message = fminunc_message(info, maxiter)
  switch info
    case 1
      message = 'converged: gradient norm below tolerance';
    case 2
      message = 'converged: last step changed x by less than TolX';
    case 3
      message = 'converged: last step changed the cost by less than TolFun';
    case 0
      message = sprintf('MaxIter (%d) reached', maxiter);
    case -1
      message = 'stopped by the output function';
    case -3
      message = 'trust region radius became too small (no further decrease)';
    otherwise
      message = sprintf('fminunc returned INFO = %d', info);
  end
end
