function Q = quantizeProjection(Z, step)
%QUANTIZEPROJECTION Truncate projected coordinates to a grid, toward zero.
%   Q = quantizeProjection(Z, step)
%
%   Z    : any size, e.g. the m x K output of projectData (signed values).
%   step : positive grid spacing.
%
%   Q    : same size as Z, Q = Z - rem(Z, step): the nearest multiple of
%          step between 0 and Z, so a coordinate never grows in magnitude.
%
%   rem takes the sign of Z (truncating division). Python's % and np.mod
%   take the sign of step instead, which moves negative coordinates down
%   to the next multiple (away from zero); np.fmod is MATLAB's rem.
%   With a step that is a power of two, rem is exact in floating point.

  Q = Z - rem(Z, step);
end
