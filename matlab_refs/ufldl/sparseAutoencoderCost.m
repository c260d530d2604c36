function [cost, grad] = sparseAutoencoderCost(theta, visibleSize, hiddenSize, lambda, sparsityParam, beta, data)
%SPARSEAUTOENCODERCOST Cost and gradient of a sparse autoencoder (UFLDL).
%   [cost, grad] = sparseAutoencoderCost(theta, visibleSize, hiddenSize, ...
%                                        lambda, sparsityParam, beta, data)
%
%   theta         : [W1(:); W2(:); b1(:); b2(:)], column-major unrolling of
%                   W1 hiddenSize x visibleSize, W2 visibleSize x hiddenSize,
%                   b1 hiddenSize x 1, b2 visibleSize x 1.
%   visibleSize   : number of input (and output) units.
%   hiddenSize    : number of hidden units.
%   lambda        : weight decay on W1 and W2 (never on b1, b2).
%   sparsityParam : target mean activation rho of each hidden unit.
%   beta          : weight of the sparsity penalty.
%   data          : visibleSize x m, one example per COLUMN.
%
%   cost : scalar,
%            1/(2m) * sum over examples of ||a3 - x||^2
%          + lambda/2 * (sum(W1(:).^2) + sum(W2(:).^2))
%          + beta * sum_j KL(rho || rho_hat_j),
%          with a2 = sigmoid(W1*x + b1), a3 = sigmoid(W2*a2 + b2),
%          rho_hat = mean of a2 over the examples and
%          KL(r || q) = r*log(r/q) + (1-r)*log((1-r)/(1-q)).
%   grad : [W1grad(:); W2grad(:); b1grad(:); b2grad(:)], same layout as theta.

  nW = hiddenSize * visibleSize;
  W1 = reshape(theta(1:nW), hiddenSize, visibleSize);
  W2 = reshape(theta(nW + 1:2 * nW), visibleSize, hiddenSize);
  b1 = theta(2 * nW + 1:2 * nW + hiddenSize);
  b2 = theta(2 * nW + hiddenSize + 1:end);
  b1 = b1(:);
  b2 = b2(:);

  m = size(data, 2);
  a2 = sigmoid(bsxfun(@plus, W1 * data, b1));
  a3 = sigmoid(bsxfun(@plus, W2 * a2, b2));

  rho = sparsityParam;
  rho_hat = sum(a2, 2) / m;
  kl = rho * log(rho ./ rho_hat) + (1 - rho) * log((1 - rho) ./ (1 - rho_hat));

  err = a3 - data;
  cost = sum(err(:) .^ 2) / (2 * m) ...
       + lambda / 2 * (sum(W1(:) .^ 2) + sum(W2(:) .^ 2)) ...
       + beta * sum(kl);

  % Back-propagation: the sigmoid's derivative is a .* (1 - a); the sparsity
  % penalty depends on a2 only through rho_hat, which adds the same term to
  % every example's hidden-layer error.
  delta3 = err .* a3 .* (1 - a3);
  sparsity_delta = beta * (-rho ./ rho_hat + (1 - rho) ./ (1 - rho_hat));
  delta2 = bsxfun(@plus, W2' * delta3, sparsity_delta) .* a2 .* (1 - a2);

  W1grad = (delta2 * data') / m + lambda * W1;
  W2grad = (delta3 * a2') / m + lambda * W2;
  b1grad = sum(delta2, 2) / m;
  b2grad = sum(delta3, 2) / m;
  grad = [W1grad(:); W2grad(:); b1grad(:); b2grad(:)];
end
