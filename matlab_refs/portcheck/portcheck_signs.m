function s = portcheck_signs(len, hp)
%PORTCHECK_SIGNS Random +-1 pattern of len entries, identical to portcheck's Python side.
%   s = portcheck_signs(len, hp)
%     len : number of entries
%     hp  : [a c e f], four integer hash parameters chosen by portcheck
%     s   : len x 1 of +1 / -1
%
%   Entry i (0-based) is u(1 + mod(i, K)) * v(1 + floor(i / K)), K = 4099 (a
%   prime), where u and v are the signs of an integer hash of 1..K and of
%   K+1..K+ceil(len/K). The hash is evaluated in doubles with every product
%   below 2^53, so Octave and NumPy compute the same integers; hashing
%   K + len/K integers instead of len keeps it cheap at a million entries.

  K = 4099;
  P = 33554393;
  i = (1:K + ceil(len / K))';
  t = mod(hp(1) * i + hp(2), P);
  t = mod(t .* t + hp(3), P);
  t = mod(t .* t + hp(4), P);
  r = 2 * (2 * t >= P) - 1;
  S = r(1:K) * r(K + 1:end)';
  s = reshape(S(1:len), [], 1);
end
