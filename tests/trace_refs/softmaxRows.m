function P = softmaxRows(S)
  % row-wise softmax of a score matrix
  shifted = bsxfun(@minus, S, max(S, [], 2));
  e = exp(shifted);
  P = bsxfun(@rdivide, e, sum(e, 2));
end
