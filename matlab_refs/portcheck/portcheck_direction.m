function d = portcheck_direction(xb, hp)
%PORTCHECK_DIRECTION Unit random direction over one block, identical to portcheck's Python side.
%   d = portcheck_direction(xb, hp)
%     xb : the block's current values (any shape; used column-major)
%     hp : [a c e f], four integer hash parameters chosen by portcheck
%     d  : numel(xb) x 1, random signs weighted by max(1, |xb|), norm 1
%
%   The signs come from portcheck_signs (an integer hash evaluated in
%   doubles, exact), so Octave and NumPy build the same direction without
%   sending it across the bridge.

  d = portcheck_signs(numel(xb), hp) .* max(1, abs(double(xb(:))));
  d = d / norm(d);
end
