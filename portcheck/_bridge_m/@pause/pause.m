function varargout = pause(varargin)
% PAUSE  portcheck's stand-in: pause(n) sleeps as usual; pause() and pause(Inf) would wait forever.
  if nargin == 0 || (isnumeric(varargin{1}) && isscalar(varargin{1}) && isinf(varargin{1}))
    error('portcheck:stdin', ['the reference called pause without a finite time, which waits for ' ...
          'a key press; Octave run by portcheck has no keyboard. Use pause(seconds) or remove it.']);
  end
  [varargout{1:nargout}] = builtin('pause', varargin{:});
end
