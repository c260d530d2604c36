function [loss, grad] = twoLayerNetCost(params, input_size, hidden_size, num_classes, X, y, reg)
%TWOLAYERNETCOST Softmax loss and gradient of a two-layer ReLU network.
%   [loss, grad] = twoLayerNetCost(params, input_size, hidden_size, num_classes, X, y, reg)
%     params : [W1(:); b1(:); W2(:); b2(:)], unrolled COLUMN-MAJOR, with
%              W1 D x H, b1 1 x H, W2 H x C, b2 1 x C
%              (D = input_size, H = hidden_size, C = num_classes)
%     X      : m x D inputs (no bias column: the biases are b1, b2)
%     y      : m x 1 labels 1..C (1-based)
%     reg    : L2 strength on W1 and W2 (not on the biases)
%     loss   : mean softmax cross-entropy of scores = max(0, X*W1 + b1)*W2 + b2,
%              + 0.5 * reg * (sum(W1(:).^2) + sum(W2(:).^2))
%     grad   : same layout as params
%
%   The ReLU derivative is taken as 0 at z = 0 exactly (subgradient).

  D = input_size;
  H = hidden_size;
  C = num_classes;
  o = 0;
  W1 = reshape(params(o + 1:o + D * H), D, H);  o = o + D * H;
  b1 = reshape(params(o + 1:o + H), 1, H);      o = o + H;
  W2 = reshape(params(o + 1:o + H * C), H, C);  o = o + H * C;
  b2 = reshape(params(o + 1:o + C), 1, C);
  m = size(X, 1);

  z1 = X * W1 + repmat(b1, m, 1);
  a1 = max(0, z1);
  scores = a1 * W2 + repmat(b2, m, 1);

  % Softmax is shift-invariant; subtracting the row maximum avoids overflow.
  shifted = scores - repmat(max(scores, [], 2), 1, C);
  logsum = log(sum(exp(shifted), 2));
  logp = shifted - repmat(logsum, 1, C);
  idx = sub2ind([m, C], (1:m)', y(:));
  loss = -sum(logp(idx)) / m + 0.5 * reg * (sum(W1(:) .^ 2) + sum(W2(:) .^ 2));

  if nargout > 1
    dscores = exp(logp);
    dscores(idx) = dscores(idx) - 1;
    dscores = dscores / m;
    dW2 = a1' * dscores + reg * W2;
    db2 = sum(dscores, 1);
    dz1 = (dscores * W2') .* (z1 > 0);
    dW1 = X' * dz1 + reg * W1;
    db1 = sum(dz1, 1);
    grad = [dW1(:); db1(:); dW2(:); db2(:)];
  end
end
