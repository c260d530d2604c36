function r = pcRequirePositive(x)
%PCREQUIREPOSITIVE Square roots of a vector that must be positive.
%   Raises an error (with an identifier) for a non-positive entry, so tests
%   can check how portcheck reports a failing reference.
  if any(x(:) <= 0)
    error('pcRequirePositive:domain', 'x must be positive, got %g', min(x(:)));
  end
  r = sqrt(x);
end
