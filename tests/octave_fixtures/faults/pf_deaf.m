function y = pf_deaf(x)
  % A child process that ignores Ctrl-C: Octave cannot return until it ends.
  system("trap \"\" INT; sleep 30");
  y = x;
end
