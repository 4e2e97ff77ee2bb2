"""Analysis package of the research book *Spreiding en integratie*.

Modules: ``config`` (paths, seed, sampler settings), ``data`` and ``schemas`` (validated
loading), ``models`` (one builder per model family), ``sampling`` (fitting), ``diagnostics``
(the convergence gate), ``workflow`` (the checking pipeline every model runs), ``sbc``
(simulation-based calibration and recovery), ``report`` (glued findings), ``plotting`` (theme
and figures), ``cli``.
"""

from analysis.config import SEED
from analysis.data import DataError, load_contact_studies, load_resource
from analysis.diagnostics import ConvergenceError, check_convergence
from analysis.report import Findings
from analysis.sampling import fit

__all__ = [
    "SEED",
    "ConvergenceError",
    "DataError",
    "Findings",
    "check_convergence",
    "fit",
    "load_contact_studies",
    "load_resource",
]
__version__ = "0.1.0"
