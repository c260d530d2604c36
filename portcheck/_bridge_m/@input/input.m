function varargout = input(varargin)
% INPUT  portcheck's stand-in: a reference run by portcheck cannot ask for input.
  error('portcheck:stdin', ['the reference called input(), which waits for an answer typed at a ' ...
        'keyboard; Octave run by portcheck has no keyboard. Pass the value as an argument instead.']);
end
