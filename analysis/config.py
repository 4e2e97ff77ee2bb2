"""Project-wide settings: paths, the random seed and the one sampler configuration."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
"""Repository root (the folder holding ``_config.yml``)."""

DATA_DIR = ROOT / "data"
BUILD_DIR = ROOT / "_build"
FINDINGS_DIR = Path(os.environ.get("BOOK_FINDINGS_DIR", BUILD_DIR / "findings"))
"""Where chapters write findings; ``BOOK_FINDINGS_DIR`` redirects it (``nox -s reproduce``)."""
FIT_DIR = Path(os.environ.get("BOOK_FIT_DIR", BUILD_DIR / "fits"))
"""Folder of fits shared between chapters; ``BOOK_FIT_DIR`` redirects it: ``nox -s reproduce``
points it at an empty folder of its own, so every shared fit is sampled again."""

SEED = 20071122
"""One seed for the whole book (the date of the SCP review's publication year, 2007)."""

SAMPLER_BACKEND = "pymc"
"""NUTS implementation used by every chapter: ``"pymc"``, ``"nutpie"``, ``"numpyro"`` or
``"blackjax"`` (``BOOK_SAMPLER`` overrides it).

PyMC's own NUTS is the default because it gave the highest minimum bulk ESS per second of wall
time (compilation included) on each of the book's three model families in one benchmark run on
this machine kind (2 cores), e.g. 171 against 90 (nutpie), 46 (NumPyro) and 43 (BlackJAX) on
the contact meta-analysis. ``benchmarks/results.md`` has the table (``nox -s bench``).
"""

LOW_RANK_NUTPIE: dict[str, object] = {
    "backend": "nutpie",
    "nuts_sampler_kwargs": {"low_rank_modified_mass_matrix": True, "maxdepth": 7},
}
"""Sampler of the book's large hierarchical models (the composition model over 3,368 wijken, the
ordinal difference-in-differences and the event studies): nutpie's NUTS with its low-rank
modified mass matrix, which learns the few correlated directions of these posteriors that a
diagonal mass matrix leaves to long trajectories. Measured on this machine kind (4 chains,
minimum bulk ESS per second of wall time, compilation included): composition, ordinal DiD and
event study each gained a factor of two or more over nutpie's diagonal mass matrix and over
PyMC's NUTS (``benchmarks/results.md``, ``nox -s bench``, backend ``nutpie_low_rank``).

nutpie calls this mass matrix experimental, and it can fail: on the composition model at
target_accept 0.9, one seed in six left one chain with a step size near zero (R-hat 1.53).
``maxdepth`` 7 (at most 127 leapfrog steps a draw; these models need 15-31) makes such a
chain end quickly and fail the convergence gate loudly instead of running for an hour."""

SAMPLER_KWARGS: dict[str, object] = {
    "chains": 4,
    "cores": 2,
    "draws": 1000,
    "tune": 1000,
    "target_accept": 0.9,
}
"""Keyword arguments passed to :func:`pymc.sample` by :func:`analysis.sampling.fit`."""

CI_PROB = 0.94
"""Probability mass of every credible interval reported in the book (ArviZ's default HDI)."""
