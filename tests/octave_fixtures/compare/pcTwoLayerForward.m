function [h, cache] = pcTwoLayerForward(nn_params, n_in, n_hidden, n_out, X)
%PCTWOLAYERFORWARD Forward pass of a sigmoid network, returning its intermediates.
%   [h, cache] = pcTwoLayerForward(nn_params, n_in, n_hidden, n_out, X)
%   nn_params = [Theta1(:); Theta2(:)], Theta1 is n_hidden x (n_in + 1),
%   Theta2 is n_out x (n_hidden + 1); X is m x n_in (examples in rows).
%   cache holds a1, z2, a2, z3 in the order they are computed.
%   Test fixture for portcheck's first-divergence localisation.

  n1 = n_hidden * (n_in + 1);
  Theta1 = reshape(nn_params(1:n1), n_hidden, n_in + 1);
  Theta2 = reshape(nn_params(n1 + 1:end), n_out, n_hidden + 1);
  m = rows(X);
  cache.a1 = [ones(m, 1), X];
  cache.z2 = cache.a1 * Theta1';
  cache.a2 = [ones(m, 1), 1 ./ (1 + exp(-cache.z2))];
  cache.z3 = cache.a2 * Theta2';
  h = 1 ./ (1 + exp(-cache.z3));
end
