function Q = quantizeColors(X, levels)
%QUANTIZECOLORS Snap intensities in [0, 1] to evenly spaced levels.
%   Q = quantizeColors(X, levels)
%
%   X      : any size, intensities (e.g. m x 3 RGB pixels scaled to [0, 1]).
%   levels : number of allowed values, an integer >= 2; they are
%            0, 1/(levels-1), ..., 1.
%
%   Q      : same size as X, each entry the nearest level.
%
%   An intensity exactly half-way between two levels goes to the upper one
%   (for negative inputs: away from zero), because MATLAB's round rounds
%   halves away from zero. NumPy's np.round rounds halves to even instead.

  step = levels - 1;
  Q = round(X * step) / step;
end
