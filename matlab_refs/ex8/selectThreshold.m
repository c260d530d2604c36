function [bestEpsilon, bestF1] = selectThreshold(yval, pval)
%SELECTTHRESHOLD Density threshold that best separates anomalies (F1 score).
%   [bestEpsilon, bestF1] = selectThreshold(yval, pval)
%
%   yval : m x 1 ground truth, 1 for an anomaly, 0 for a normal example.
%   pval : m x 1 densities of the same examples.
%
%   bestEpsilon : scalar; an example is flagged when pval < bestEpsilon.
%   bestF1      : scalar F1 score at bestEpsilon.
%
%   The candidates are the range min(pval):step:max(pval) with
%   step = (max(pval) - min(pval)) / 1000, i.e. 1001 values. The first
%   candidate with the strictly largest F1 wins. A candidate that flags
%   nothing has precision 0/0 = NaN, hence F1 NaN, and is never selected.

  bestEpsilon = 0;
  bestF1 = 0;
  yval = yval(:);
  pval = pval(:);
  step = (max(pval) - min(pval)) / 1000;
  for epsilon = min(pval):step:max(pval)
    flagged = pval < epsilon;
    tp = sum(flagged & (yval == 1));
    fp = sum(flagged & (yval == 0));
    fn = sum(~flagged & (yval == 1));
    prec = tp / (tp + fp);
    rec = tp / (tp + fn);
    F1 = 2 * prec * rec / (prec + rec);
    if F1 > bestF1
      bestF1 = F1;
      bestEpsilon = epsilon;
    end
  end
end
