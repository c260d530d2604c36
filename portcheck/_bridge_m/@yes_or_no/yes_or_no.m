function answer = yes_or_no(varargin)
% YES_OR_NO  portcheck's stand-in: a question typed at the keyboard cannot be answered.
  error('portcheck:stdin', ['the reference called yes_or_no, which waits for a typed answer; Octave ' ...
        'run by portcheck has no keyboard. Pass the decision as an argument.']);
end
