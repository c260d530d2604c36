function keyboard(varargin)
% KEYBOARD  portcheck's stand-in: a debugger prompt would wait forever.
  error('portcheck:stdin', ['the reference called keyboard, which stops for a debugger prompt; ' ...
        'Octave run by portcheck has no keyboard. Remove the keyboard statement.']);
end
