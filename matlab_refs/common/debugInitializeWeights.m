function W = debugInitializeWeights(fan_out, fan_in)
%DEBUGINITIALIZEWEIGHTS Deterministic weights for comparing ports.
%   W = debugInitializeWeights(fan_out, fan_in) returns a fan_out x (1 + fan_in)
%   matrix (first column: bias weights) filled with sin(1), sin(2), ... / 10.
%
%   The fill is column-major, which is what reshape does in Octave/MATLAB. A
%   NumPy port must use reshape(..., order='F') to get the same matrix.

  count = fan_out * (1 + fan_in);
  W = reshape(sin(1:count), fan_out, 1 + fan_in) / 10;
end
