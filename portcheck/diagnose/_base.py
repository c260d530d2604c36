"""What every diagnosis family receives: the pair being explained and how to talk about it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..report import Finding


@dataclass(frozen=True)
class Subject:
    """Names and tolerances for one reference/candidate pair.

    Families build their sentences from it so every message reads the same:
    "the port's grad block Theta2 is ..." against "the reference".
    """

    output: str | None = None
    block: str | None = None
    rtol: float = 1e-7
    atol: float = 1e-10
    reference_label: str = "OCTAVE"
    candidate_label: str = "PYTHON"
    context: Mapping[str, Any] = field(default_factory=dict)

    @property
    def candidate(self) -> str:
        """How a sentence names the candidate side ("the port" for PYTHON)."""
        return "the port" if self.candidate_label == "PYTHON" else self.candidate_label

    @property
    def reference(self) -> str:
        """How a sentence names the reference side.

        "the reference" for OCTAVE; a lower-case label reads as an adjective
        ("the numerical grad"), an upper-case one as a name ("NUMERICAL").
        """
        label = self.reference_label
        if label == "OCTAVE":
            return "the reference"
        return f"the {label} {self.output or 'value'}" if label.islower() else label

    @property
    def what(self) -> str:
        """``"grad block Theta2"``, ``"J"`` or ``"value"``."""
        name = self.output or "value"
        return f"{name} block {self.block}" if self.block else name

    @property
    def subject(self) -> str:
        """``"the port's grad block Theta2"`` (``"the analytic grad"`` for a lower-case label)."""
        if self.candidate_label == "PYTHON":
            return f"the port's {self.what}"
        if self.candidate_label.islower():
            return f"the {self.candidate_label} {self.what}"
        return f"{self.candidate_label} {self.what}"

    @property
    def name_tol(self) -> float:
        """Relative tolerance for recognising a fitted constant (m, 1/2, λ...)."""
        return max(10.0 * self.rtol, 1e-9)

    def with_block(self, block: str | None) -> Subject:
        return Subject(self.output, block, self.rtol, self.atol, self.reference_label,
                       self.candidate_label, self.context)

    def finding(self, kind: str, message: str, severity: str = "error", **evidence: Any) -> Finding:
        return Finding(kind=kind, severity=severity, message=message, output=self.output,
                       block=self.block, evidence=evidence)
