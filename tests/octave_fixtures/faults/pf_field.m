function y = pf_field(s)
  % Reads a struct field: the port receives the same struct as a dict.
  y = 2 * s.a;
end
