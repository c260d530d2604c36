"""Tracing: record intermediates on both sides and name the first line where they part.

See :mod:`portcheck.trace._steps` for the data both sides produce.
"""

from __future__ import annotations

from ._steps import FULL_VALUE_LIMIT, Fingerprint, Step, Trace, fingerprint

__all__ = ["Step", "Trace", "Fingerprint", "FULL_VALUE_LIMIT", "fingerprint"]
