function [J, grad] = cofiCostFunc(params, Y, R, num_users, num_movies, num_features, lambda)
%COFICOSTFUNC Regularized collaborative-filtering cost and gradient.
%   [J, grad] = cofiCostFunc(params, Y, R, num_users, num_movies, num_features, lambda)
%
%   params : [X(:); Theta(:)], column-major unrolling of
%            X     num_movies x num_features (movie features) then
%            Theta num_users x num_features (user preferences).
%   Y      : num_movies x num_users ratings.
%   R      : num_movies x num_users, 1 where user j rated movie i.
%   lambda : scalar regularization strength (applies to every entry of X
%            and Theta: there is no bias here).
%
%   J      : scalar, 1/2 * sum over rated (i,j) of (X*Theta' - Y).^2
%            + lambda/2 * (sum(Theta(:).^2) + sum(X(:).^2)). No 1/m.
%   grad   : [X_grad(:); Theta_grad(:)], same layout as params.

  nX = num_movies * num_features;
  X = reshape(params(1:nX), num_movies, num_features);
  Theta = reshape(params(nX + 1:end), num_users, num_features);

  % Unrated entries must not contribute, whatever Y holds there.
  E = (X * Theta' - Y) .* R;

  J = sum(E(:) .^ 2) / 2 + lambda / 2 * (sum(Theta(:) .^ 2) + sum(X(:) .^ 2));
  X_grad = E * Theta + lambda * X;
  Theta_grad = E' * X + lambda * Theta;
  grad = [X_grad(:); Theta_grad(:)];
end
