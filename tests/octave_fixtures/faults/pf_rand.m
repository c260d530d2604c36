function y = pf_rand(x)
  % Not seeded: every call draws new numbers.
  y = x + rand(3, 1);
end
