function [numgrad, grad, diff] = checkNNGradients(lambda)
%CHECKNNGRADIENTS Gradient check of nnCostFunction on a small debug network.
%   [numgrad, grad, diff] = checkNNGradients(lambda)
%     lambda  : regularization strength (default 0)
%     numgrad : 38 x 1 central-difference gradient (computeNumericalGradient)
%     grad    : 38 x 1 backpropagation gradient (nnCostFunction)
%     diff    : norm(numgrad - grad) / norm(numgrad + grad); below 1e-9 when
%               backpropagation is right
%
%   The network is 3-5-3 with m = 5 examples, built with
%   debugInitializeWeights and debugDataset so Octave and a port see the same
%   numbers. Nothing is printed.

  if nargin < 1
    lambda = 0;
  end
  input_layer_size = 3;
  hidden_layer_size = 5;
  num_labels = 3;
  m = 5;

  Theta1 = debugInitializeWeights(hidden_layer_size, input_layer_size);
  Theta2 = debugInitializeWeights(num_labels, hidden_layer_size);
  [X, y] = debugDataset(m, input_layer_size, num_labels);
  nn_params = [Theta1(:); Theta2(:)];

  cost = @(p) nnCostFunction(p, input_layer_size, hidden_layer_size, ...
                             num_labels, X, y, lambda);
  [~, grad] = cost(nn_params);
  numgrad = computeNumericalGradient(cost, nn_params);
  diff = norm(numgrad - grad) / norm(numgrad + grad);
end
