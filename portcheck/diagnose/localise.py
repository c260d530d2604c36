"""``first-divergence``: the first named intermediate where the two sides part.

People debug a port by printing ``a2``, ``z3``, ``delta3`` on both sides and
looking for the first line that differs. When the reference returns a struct
of intermediates and the port a dict with the same names, this does it for
them: intermediates are compared in the reference's field order (the order
they were computed in) and the first one that differs is reported, with the
array-level explanation of how it differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..report import Finding
from ._arrays import error_stats, location, location_text, shape_text
from ._base import Subject

__all__ = ["Localisation", "first_divergence"]


@dataclass
class Localisation:
    """Findings, one table row per intermediate, and notes."""

    findings: list[Finding] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def first_divergence(
    reference: Any,
    candidate: Any,
    subject: Subject,
    outputs_differ: bool,
) -> Localisation:
    """Compare intermediates in order; report the first that differs.

    Parameters
    ----------
    reference : mapping
        The reference's intermediates (an Octave struct arrives as a dict).
    candidate : mapping
        The port's intermediates, same names.
    subject : Subject
        Tolerances and labels; ``output`` names the struct.
    outputs_differ : bool
        Whether the final outputs differ: the divergence is then an error
        (it localises the bug); otherwise a warning (intermediates differ but
        the results agree, e.g. a different but equivalent formulation).
    """
    from . import diagnose_pair  # local import: the package imports this module

    loc = Localisation()
    R, C = subject.reference_label, subject.candidate_label
    if not isinstance(reference, Mapping):
        loc.notes.append(f"intermediates=True but {R}'s last output is a {type(reference).__name__}, "
                         f"not a struct: nothing to localise.")
        return loc
    if not isinstance(candidate, Mapping):
        loc.findings.append(Finding(
            kind="shape", severity="error", output=subject.output,
            message=(f"intermediates=True but {C}'s last output is a {type(candidate).__name__}: "
                     f"return a dict of named intermediates, e.g. {{'a2': a2, 'z3': z3}}, with the "
                     f"names of {R}'s struct fields ({', '.join(list(reference)[:6])})."),
        ))
        return loc
    missing = [k for k in reference if k not in candidate]
    extra = [k for k in candidate if k not in reference]
    if missing:
        loc.notes.append(f"{C} intermediates lack {', '.join(missing)}; compared the names both sides have.")
    if extra:
        loc.notes.append(f"{C} intermediates {', '.join(extra)} have no {R} counterpart; ignored.")
    found = False
    for name in reference:
        if name not in candidate:
            continue
        sub = Subject(output=str(name), rtol=subject.rtol, atol=subject.atol,
                      reference_label=R, candidate_label=C, context=subject.context)
        dg = diagnose_pair(reference[name], candidate[name], sub)
        loc.notes += [f"intermediate {n}" for n in dg.notes]
        if dg.reference is not None and dg.candidate is not None:
            st = error_stats(dg.reference, dg.candidate, subject.rtol, subject.atol)
            worst = "-"
            if st.worst is not None and st.n_bad:
                worst = location_text(location(st.worst, dg.reference.shape))
            loc.rows.append((str(name), tuple(dg.reference.shape), tuple(dg.candidate.shape),
                             st.max_abs, st.max_rel, st.mismatched_text, worst))
        else:
            loc.rows.append((str(name), _shape(reference[name]), _shape(candidate[name]), None, None,
                             "not comparable", "-"))
        if dg.matches or found:
            continue
        found = True
        before = [str(r[0]) for r in loc.rows[:-1]]
        if before:
            agree = (f"{', '.join(before)} before it agree{'s' if len(before) == 1 else ''}, so the "
                     f"mistake is in the lines that compute {name!r}")
        else:
            agree = "it is the first one computed"
        why = " ".join(f.message[:1].upper() + f.message[1:] for f in dg.findings if f.severity == "error")
        loc.findings.append(Finding(
            kind="first-divergence",
            severity="error" if outputs_differ else "warning",
            output=subject.output,
            message=f"the first intermediate that differs is {name!r}; {agree}." + (f" {why}" if why else ""),
            evidence={"intermediate": str(name),
                      "explanations": [f.to_dict() for f in dg.findings],
                      "agreeing_before": before},
        ))
    return loc


def _shape(v: Any) -> Any:
    shape = getattr(v, "shape", None)
    return shape_text(tuple(shape)) if shape is not None else type(v).__name__
