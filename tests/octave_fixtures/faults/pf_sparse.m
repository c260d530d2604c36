function y = pf_sparse(x)
  y = speye(3) * x;
end
