function [X, y] = debugDataset(m, n_features, n_labels)
%DEBUGDATASET Small deterministic dataset shared by Octave and Python.
%   [X, y] = debugDataset(m, n_features, n_labels)
%     X : m x n_features, debugInitializeWeights(m, n_features - 1)
%     y : m x 1 labels 1 + mod(1:m, n_labels)', 1-based as MATLAB code expects.

  X = debugInitializeWeights(m, n_features - 1);
  y = 1 + mod((1:m)', n_labels);
end
