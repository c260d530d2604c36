function y = pf_forever_marked(x)
  % Never returns, like pf_forever, but first creates the file named by
  % PORTCHECK_TEST_MARK, so a test presses Ctrl-C only once the loop runs.
  fclose(fopen(getenv('PORTCHECK_TEST_MARK'), 'w'));
  y = x;
  while true
    y = y + 1;
  end
end
