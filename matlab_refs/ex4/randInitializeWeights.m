function W = randInitializeWeights(L_in, L_out, u)
%RANDINITIALIZEWEIGHTS Symmetry-breaking initial weights of one layer.
%   W = randInitializeWeights(L_in, L_out) returns L_out x (1 + L_in)
%   weights (column 1: bias) uniform in [-epsilon_init, epsilon_init] with
%   epsilon_init = sqrt(6) / sqrt(L_in + L_out).
%
%   W = randInitializeWeights(L_in, L_out, u) uses the given uniform draws u
%   (L_out x (1 + L_in), values in [0, 1]) instead of rand, so the scaling can
%   be compared with a port: no two languages share a random generator.

  epsilon_init = sqrt(6) / sqrt(L_in + L_out);
  if nargin < 3
    u = rand(L_out, 1 + L_in);
  end
  W = u * 2 * epsilon_init - epsilon_init;
end
