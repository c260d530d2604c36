function [J, grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, ...
                                   num_labels, X, y, lambda)
%NNCOSTFUNCTION Cost and gradient of a 3-layer sigmoid network (one hidden layer).
%   [J, grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size,
%                              num_labels, X, y, lambda)
%     nn_params : [Theta1(:); Theta2(:)], unrolled COLUMN-MAJOR, where
%                 Theta1 is hidden_layer_size x (input_layer_size + 1) and
%                 Theta2 is num_labels x (hidden_layer_size + 1); column 1 of
%                 each multiplies the bias unit
%     X         : m x input_layer_size, WITHOUT the bias column (added here)
%     y         : m x 1 labels 1..num_labels (1-based)
%     lambda    : regularization strength; bias columns are not regularized
%     J         : scalar, mean over examples of the summed cross-entropy of
%                 the K outputs, + lambda/(2m) * (sum of squared non-bias weights)
%     grad      : [Theta1_grad(:); Theta2_grad(:)], same layout as nn_params
%
%   The gradient is computed only when asked for (nargout > 1).

  n1 = hidden_layer_size * (input_layer_size + 1);
  Theta1 = reshape(nn_params(1:n1), hidden_layer_size, input_layer_size + 1);
  Theta2 = reshape(nn_params(n1 + 1:end), num_labels, hidden_layer_size + 1);
  m = size(X, 1);

  a1 = [ones(m, 1), X];
  z2 = a1 * Theta1';
  a2 = [ones(m, 1), sigmoid(z2)];
  a3 = sigmoid(a2 * Theta2');

  % One-hot targets: row i is row y(i) of the identity (labels are 1-based).
  I = eye(num_labels);
  Y = I(y(:), :);

  W1 = Theta1(:, 2:end);
  W2 = Theta2(:, 2:end);
  J = -sum(sum(Y .* log(a3) + (1 - Y) .* log(1 - a3))) / m ...
      + lambda / (2 * m) * (sum(W1(:) .^ 2) + sum(W2(:) .^ 2));

  if nargout > 1
    % With cross-entropy on sigmoid outputs the sigmoid' factor cancels.
    d3 = a3 - Y;
    d2 = (d3 * W2) .* sigmoidGradient(z2);
    Theta1_grad = (d2' * a1) / m;
    Theta2_grad = (d3' * a2) / m;
    Theta1_grad(:, 2:end) = Theta1_grad(:, 2:end) + (lambda / m) * W1;
    Theta2_grad(:, 2:end) = Theta2_grad(:, 2:end) + (lambda / m) * W2;
    grad = [Theta1_grad(:); Theta2_grad(:)];
  end
end
