function [cost, grad] = softmaxCost(theta, numClasses, inputSize, lambda, data, labels)
%SOFTMAXCOST Cost and gradient of softmax regression (UFLDL).
%   [cost, grad] = softmaxCost(theta, numClasses, inputSize, lambda, data, labels)
%
%   theta      : numClasses*inputSize vector, column-major unrolling of the
%                numClasses x inputSize weight matrix (no separate bias).
%   numClasses : number of classes.
%   inputSize  : number of features.
%   lambda     : weight decay, lambda/2 * sum(theta(:).^2).
%   data       : inputSize x m, one example per COLUMN.
%   labels     : m-element vector of 1-based class labels in 1..numClasses.
%
%   cost : scalar, -1/m * sum_i log P(labels(i) | data(:, i)) + weight decay,
%          with P(c | x) = exp(theta(c,:) * x) / sum_j exp(theta(j,:) * x).
%   grad : numClasses*inputSize column, the gradient unrolled like theta.
%
%   The largest score of each column is subtracted before exp; the
%   probabilities are unchanged and exp cannot overflow.

  theta = reshape(theta, numClasses, inputSize);
  m = size(data, 2);

  scores = theta * data;
  scores = bsxfun(@minus, scores, max(scores, [], 1));
  e = exp(scores);
  probs = bsxfun(@rdivide, e, sum(e, 1));

  % One-hot matrix: column i has a 1 in row labels(i).
  truth = full(sparse(labels(:)', 1:m, 1, numClasses, m));

  cost = -sum(sum(truth .* log(probs))) / m + lambda / 2 * sum(theta(:) .^ 2);
  thetagrad = -((truth - probs) * data') / m + lambda * theta;
  grad = thetagrad(:);
end
