function d = portcheck_direction(xb, hp)
%PORTCHECK_DIRECTION Unit random direction over one block, identical to portcheck's Python side.
%   d = portcheck_direction(xb, hp)
%     xb : the block's current values (any shape; used column-major)
%     hp : [a c e f], four integer hash parameters chosen by portcheck
%     d  : numel(xb) x 1, random signs weighted by max(1, |xb|), norm 1
%
%   The signs come from an integer hash evaluated in doubles: every product
%   stays below 2^53, so Octave and NumPy compute the same integers and the
%   same direction without sending it across the bridge.

  P = 33554393;
  i = (1:numel(xb))';
  t = mod(hp(1) * i + hp(2), P);
  t = mod(t .* t + hp(3), P);
  t = mod(t .* t + hp(4), P);
  s = 2 * (2 * t >= P) - 1;
  d = s .* max(1, abs(double(xb(:))));
  d = d / norm(d);
end
