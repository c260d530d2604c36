function [J, gradEncoder, gradDecoder] = aeCost(encoder, decoder, x)
%AECOST Squared reconstruction error of an untied, bias-free sigmoid autoencoder.
%   x is m x v (one example per row), encoder v x h, decoder h x v.
  a = logistic(x * encoder);
  z = logistic(a * decoder);   # reconstruction
  J = sum(sum(0.5 * (z - x) .^ 2));
  err0 = (z - x) .* z .* (1 - z);
  gradDecoder = a' * err0;
  err1 = (err0 * decoder') .* a .* (1 - a);
  gradEncoder = x' * err1;
end
