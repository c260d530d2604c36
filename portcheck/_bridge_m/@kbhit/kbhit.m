function key = kbhit(varargin)
% KBHIT  portcheck's stand-in: kbhit(1) reports no key; kbhit() would wait for one forever.
  if nargin > 0
    key = '';
    return;
  end
  error('portcheck:stdin', ['the reference called kbhit(), which waits for a key press; Octave run ' ...
        'by portcheck has no keyboard. Remove it, or use kbhit(1).']);
end
