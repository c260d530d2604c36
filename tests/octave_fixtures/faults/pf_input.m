function y = pf_input(x)
  y = input("how many? ");
end
