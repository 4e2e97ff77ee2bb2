"""Analysis package of the research book *Spreiding en integratie*.

Modules: ``config`` (paths, seed, sampler settings), ``data`` and ``schemas`` (validated
loading), ``models`` (one builder per model family), ``sampling`` (fitting), ``diagnostics``
(the convergence gate), ``workflow`` (the checking pipeline every model runs), ``sbc``
(simulation-based calibration and recovery), ``report`` (glued findings), ``plotting`` (theme
and figures), ``cli``.

The names below are re-exported lazily (PEP 562), so that light commands such as
``python -m analysis build-report`` do not pay for importing PyMC.
"""

from __future__ import annotations

import importlib
from typing import Any

from analysis.config import SEED

_EXPORTS = {
    "ConvergenceError": "analysis.diagnostics",
    "check_convergence": "analysis.diagnostics",
    "DataError": "analysis.data",
    "load_contact_studies": "analysis.data",
    "load_resource": "analysis.data",
    "Findings": "analysis.report",
    "fit": "analysis.sampling",
}

__all__ = ["SEED", *sorted(_EXPORTS)]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Import a re-exported name from its module on first use."""
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
