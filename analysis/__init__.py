"""Analysis package of the research book *Spreiding en integratie*: the science.

Subpackages: ``data`` (the schema type and validator, the file schemas, the loaders and each
chapter's model-ready tables), ``models`` (one builder per model family; builders take
validated frames and load nothing), ``inference`` (sampler settings per family, ``fit``, the
convergence gate, the checking pipeline, SBC, the shared-fit cache), ``results`` (findings
glued into the prose, claims, scenarios, the decision report), ``display`` (theme, figures,
tables). Modules: ``config`` (paths, seed), ``io`` (the atomic write, sha256), ``chapter``
(``start``/``finish`` of every chapter), ``cli`` (``python -m analysis check-data|decide``).

The book's machinery (build report, releases, reproduction, site checks, Sphinx extensions) is
the separate package :mod:`bookkit`, which imports this one and never the reverse.

The names below are re-exported lazily (PEP 562), so that ``import analysis`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

from analysis.config import SEED

_EXPORTS = {
    "ConvergenceError": "analysis.inference.diagnostics",
    "check_convergence": "analysis.inference.diagnostics",
    "DataError": "analysis.data",
    "load_contact_studies": "analysis.data",
    "load_resource": "analysis.data",
    "Findings": "analysis.results.findings",
    "fit": "analysis.inference.sampling",
}

__all__ = ["SEED", *sorted(_EXPORTS)]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Import a re-exported name from its module on first use."""
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
