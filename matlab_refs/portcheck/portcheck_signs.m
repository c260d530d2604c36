function s = portcheck_signs(len, hp)
%PORTCHECK_SIGNS Random +-1 pattern of len entries, identical to portcheck's Python side.
%   s = portcheck_signs(len, hp)
%     len : number of entries
%     hp  : [a c e f], four integer hash parameters chosen by portcheck
%     s   : len x 1 of +1 / -1
%
%   Entry i (0-based) is u(1 + mod(i, K)) * w(1 + mod(i, J)) * v(1 + floor(i / K)),
%   K = 4099 and J = 4093 (primes), where u, w and v are the signs of an
%   integer hash of 1..K, K+1..K+J and K+J+1..K+J+ceil(len/K). The hash is
%   evaluated in doubles with every product below 2^53, so Octave and NumPy
%   compute the same integers; hashing K + J + len/K integers instead of len
%   keeps it cheap at a million entries.

  K = 4099;
  J = 4093;
  P = 33554393;
  i = (1:K + J + ceil(len / K))';
  t = mod(hp(1) * i + hp(2), P);
  t = mod(t .* t + hp(3), P);
  t = mod(t .* t + hp(4), P);
  r = 2 * (2 * t >= P) - 1;
  u = r(1:K);
  w = r(K + 1:K + J);
  v = r(K + J + 1:end);
  k = (0:len - 1)';
  s = u(1 + mod(k, K)) .* w(1 + mod(k, J)) .* v(1 + floor(k / K));
  s = reshape(s, [], 1);
end
