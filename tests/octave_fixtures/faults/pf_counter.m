function y = pf_counter(x)
  % Global state: every call returns a different value.
  global pf_calls
  if isempty(pf_calls)
    pf_calls = 0;
  end
  pf_calls = pf_calls + 1;
  y = x * pf_calls;
end
