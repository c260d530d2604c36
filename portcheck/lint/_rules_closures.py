"""Rules about closures handed to optimizers and stored in loops: ``lambda-capture``, ``late-binding``.

MATLAB's ``@(p) cost(p, ...)`` captures values when it is created and passes
the optimizer's point through; a Python closure that ignores its parameter,
or reads a loop variable only when called, computes something else.
"""

from __future__ import annotations

import ast

from ..objective_rule import ignored_parameter, perturbed_in_place
from ._names import (
    _CALLBACK_KWARGS,
    _OBJECTIVE_KWARGS,
    _OPTIMIZERS,
    _STORE_METHODS,
    _body_nodes,
    _loads,
    _params,
    _short,
)


class _ClosureRules:
    """The closure rules, a mixin of ``_Checker`` (whose plumbing and visitors they rely on)."""

    # -- lambda-capture --------------------------------------------------------------

    def _callable_defs(self, node: ast.AST) -> list[ast.AST]:
        if isinstance(node, ast.Lambda):
            return [node]
        if isinstance(node, ast.Name):
            return list(self.defs.get(node.id, []))
        return []

    def _unused_first(self, fn: ast.AST) -> str | None:
        return ignored_parameter(fn)  # the shared rule (portcheck.objective_rule)

    def _in_place_idiom(self, fn: ast.AST) -> bool:
        """``check(lambda W: f(X, model, y)[0], model['W1'])``: the checker perturbs ``W`` inside ``model``."""
        parent = self.parents.get(fn)
        return isinstance(parent, ast.Call) and perturbed_in_place(parent, fn)

    def _rule_objective_capture(self, call: ast.Call) -> None:
        f = call.func
        fname = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
        if fname not in _OPTIMIZERS:
            return
        candidates = []
        if call.args:
            candidates.append(call.args[0])
        candidates += [k.value for k in call.keywords if k.arg in _OBJECTIVE_KWARGS | _CALLBACK_KWARGS]
        for c in candidates:
            for fn in self._callable_defs(c):
                unused = self._unused_first(fn)
                if unused is None or perturbed_in_place(call, fn):
                    continue
                label = "lambda" if isinstance(fn, ast.Lambda) else f"{fn.name}()"
                self.add(
                    "lambda-capture", fn,
                    f"objective {label} passed to {fname} never uses its parameter `{unused}`: it "
                    "evaluates a fixed theta, so gradients come out zero and the optimizer stops at once",
                    f"use `{unused}` in the body, e.g. lambda {unused}: cost({unused}, X, y, lam)",
                )

    def _rule_lambda_unused(self, node: ast.Lambda) -> None:
        params = [*node.args.posonlyargs, *node.args.args]
        if len(params) != 1 or node.args.vararg or node.args.kwarg or node.args.kwonlyargs:
            return
        name = ignored_parameter(node)
        if name is None or self._in_place_idiom(node):
            return
        if not any(isinstance(n, ast.Call) for n in ast.walk(node.body)):
            return
        self.add(
            "lambda-capture", node,
            f"lambda {name}: {_short(node.body, 40)} ignores `{name}`: every call computes the same value",
            f"pass `{name}` through to the call it wraps",
        )

    # -- late-binding ------------------------------------------------------------------

    @staticmethod
    def _target_names(target: ast.AST) -> set[str]:
        return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}

    def _reads_late(self, fn: ast.AST, loop_vars: set[str]) -> list[str]:
        """Loop variables the closure reads when called (not bound as parameters/locals)."""
        if not isinstance(fn, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
            return []
        bound = set(_params(fn.args))
        if not isinstance(fn, ast.Lambda):
            for b in fn.body:
                for n in ast.walk(b):
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                        bound.add(n.id)
        read = {n.id for b in _body_nodes(fn) for n in _loads(b)}
        return sorted((read & loop_vars) - bound)

    def _escapes(self, node: ast.AST, stop: ast.AST) -> bool:
        """True when the value at ``node`` is kept beyond this iteration (stored, appended)."""
        child, parent = node, self.parents.get(node)
        while parent is not None and parent is not stop:
            if isinstance(parent, (ast.List, ast.Tuple, ast.Set)) or (
                isinstance(parent, ast.Dict) and child in parent.values
            ):
                child, parent = parent, self.parents.get(parent)
                continue
            if isinstance(parent, ast.Call):
                f = parent.func
                return isinstance(f, ast.Attribute) and f.attr in _STORE_METHODS and child is not f
            if isinstance(parent, (ast.Assign, ast.AugAssign)):
                targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
                return any(isinstance(t, (ast.Subscript, ast.Attribute)) for t in targets) or (
                    isinstance(parent, ast.AugAssign)
                )
            return False
        return False

    def _name_escapes(self, name: str, loop: ast.AST) -> bool:
        for n in ast.walk(loop):
            if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) and self._escapes(n, loop):
                return True
        return False

    def _rule_late_binding_loop(self, loop: ast.For | ast.AsyncFor) -> None:
        loop_vars = self._target_names(loop.target)
        for stmt in loop.body:
            for fn in ast.walk(stmt):
                if not isinstance(fn, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                late = self._reads_late(fn, loop_vars)
                if not late:
                    continue
                if isinstance(fn, ast.Lambda):
                    parent = self.parents.get(fn)
                    escapes = self._escapes(fn, loop)
                    if not escapes and isinstance(parent, ast.Assign):
                        escapes = any(
                            isinstance(t, ast.Name) and self._name_escapes(t.id, loop) for t in parent.targets
                        )
                else:
                    escapes = self._name_escapes(fn.name, loop)
                if escapes:
                    self._report_late(fn, late)

    def _rule_late_binding_comp(self, comp: ast.AST, elts: list[ast.AST]) -> None:
        loop_vars: set[str] = set()
        for gen in comp.generators:  # type: ignore[attr-defined]
            loop_vars |= self._target_names(gen.target)
        for elt in elts:
            for fn in ast.walk(elt):
                if isinstance(fn, ast.Lambda) and self._is_element(fn, comp):
                    late = self._reads_late(fn, loop_vars)
                    if late:
                        self._report_late(fn, late)

    def _is_element(self, node: ast.AST, comp: ast.AST) -> bool:
        """The lambda is the comprehension's element (or inside a tuple/list element)."""
        parent = self.parents.get(node)
        while parent is not comp:
            if not isinstance(parent, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
                return False
            parent = self.parents.get(parent)
        return True

    def _report_late(self, fn: ast.AST, late: list[str]) -> None:
        label = "lambda" if isinstance(fn, ast.Lambda) else f"{fn.name}()"  # type: ignore[attr-defined]
        var = late[0]
        self.add(
            "late-binding", fn,
            f"{label} reads loop variable `{var}` when it is called, not when it is made: every "
            f"stored copy sees the last `{var}` (MATLAB's @() captures values at creation)",
            f"bind it as a default argument: lambda x, {var}={var}: ...",
        )

