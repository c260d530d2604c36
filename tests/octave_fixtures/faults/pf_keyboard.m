function y = pf_keyboard(x)
  keyboard;
  y = x;
end
