"""A write through one name that changed another: Python binds, MATLAB copies.

MATLAB's ``penalized = theta; penalized(1) = 0;`` leaves ``theta`` alone;
the literal port ``reg = theta; reg[0] = 0`` zeroes ``theta[0]`` too, because
both names hold one array. The port's trace sees it: ``theta`` changes on a
line that writes only ``reg``. When the first divergent line reads a value
changed that way, and that value agreed with the reference before the write,
the line is right and the write is the mistake.
"""

from __future__ import annotations

import ast

from ..report import Finding
from ._steps import Step, Trace
from .align import Alignment, _parsed, agrees, step_dependencies

__all__ = ["aliased_write"]


def _written(lines: list[str], line: int) -> list[str] | None:
    """The variables the statement(s) starting at ``line`` assign or update (base names); None if unparsable."""
    tree = _parsed("\n".join(lines))
    if tree is None:
        return None
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and node.lineno == line:
            targets = list(node.targets if isinstance(node, ast.Assign) else [node.target])
            while targets:
                t = targets.pop(0)
                if isinstance(t, (ast.Tuple, ast.List)):
                    targets += t.elts
                    continue
                t = t.value if isinstance(t, ast.Starred) else t
                while isinstance(t, (ast.Subscript, ast.Attribute)):
                    t = t.value
                if isinstance(t, ast.Name) and t.id not in out:
                    out.append(t.id)
        elif isinstance(node, (ast.For, ast.With, ast.Expr, ast.Return, ast.If, ast.While)) \
                and node.lineno == line:
            return None  # a call or a loop header may change an array for reasons of its own
    return out


def _bound_from(port: Trace, writer: str, name: str, before: Step) -> Step | None:
    """The step where ``writer = name`` made the two names one array (the last such before ``before``)."""
    for q in sorted(port.steps, key=lambda q: -q.order):
        if q.order >= before.order or q.name != writer or q.function != before.function or q.role:
            continue
        tree = _parsed("\n".join(port.sources.get(q.file, ())))
        if tree is None:
            return None
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and node.lineno == q.line and isinstance(node.value, ast.Name) \
                    and node.value.id == name:
                return q
        return None
    return None


def aliased_write(alignment: Alignment, reference: Trace, port: Trace, rtol: float, atol: float) -> Finding | None:
    """The ``aliased-write`` finding for the first divergence, when what its port line reads was changed by one.

    Only a value that reproduced the reference value the reference's line
    reads, and then stopped reproducing it on a line that never names it, is
    blamed: a faithful port that writes through an alias it means to write
    through keeps agreeing, and is never looked at.
    """
    d = alignment.divergence
    if d is None or d.port is None:
        return None
    r, p = d.reference, d.port
    wanted = step_dependencies(reference, r)
    for name in sorted(step_dependencies(port, p) - {p.name}):
        steps = [q for q in port.steps if q.name == name and q.function == p.function and q.order < p.order]
        if len(steps) < 2:
            continue
        changed, earlier = steps[-1], steps[-2]
        lines = list(port.sources.get(changed.file, ()))
        writers = _written(lines, changed.line) if lines else None
        if not writers or name in writers:
            continue
        # The reference value the line reads, which the port's value equalled before the write.
        last: dict[str, Step] = {}
        for s in reference.steps:
            if s.order < r.order and s.name in wanted and s.function == r.function:
                last[s.name] = s
        agreed = [s for s in last.values() if agrees(s, earlier, rtol, atol) is not None
                  and agrees(s, changed, rtol, atol) is None]
        if not agreed:
            continue
        writer = writers[0]
        bound = _bound_from(port, writer, name, changed)
        where = f" (bound on line {bound.line}: `{writer} = {name}`)" if bound is not None else ""
        return Finding(
            kind="aliased-write", severity="error", output=r.name,
            message=(f"this line writes into `{writer}`, which is the same array as `{name}`{where}, so it "
                     f"changes `{name}` too; the reference's {r.name!r} reads `{agreed[-1].name}` unchanged "
                     f"(MATLAB's assignment copies, Python's binds). Copy it: `{writer} = {name}.copy()`."),
            evidence={"variable": name, "written_through": writer, "read_at": list(p.location),
                      "bound_at": list(bound.location) if bound is not None else None},
            port_location=changed.location,
        )
    return None
