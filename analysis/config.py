"""Project-wide settings: paths, the random seed and the credible-interval mass.

Sampler settings, one per model family, live in :mod:`analysis.inference.settings`.
"""

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

CI_PROB = 0.94
"""Probability mass of every credible interval reported in the book (ArviZ's default HDI)."""
