"""What every chapter does first and last, in one place.

A chapter's first cell calls :func:`start` and its last cell :func:`finish`::

    from analysis import chapter
    rng, findings = chapter.start("concentration")
    ...
    chapter.finish(idata)   # writes _build/findings/concentration.json, returns the footer

:func:`start` applies the book's plotting theme and returns the chapter's one random generator
(seeded with :data:`analysis.config.SEED`) and its :class:`~analysis.results.findings.Findings`;
:func:`finish` writes the findings file and returns the reproducibility table (seed, sampler,
wall times, versions of the scientific stack). The chapter's wall time counts from the first
import of this module in the kernel, which is the chapter's first cell.
"""

from __future__ import annotations

import time

_IMPORTED = time.perf_counter()

import numpy as np  # noqa: E402 - after the clock, so the chapter's imports count
import pandas as pd  # noqa: E402

from analysis.config import SEED  # noqa: E402
from analysis.display.theme import use_theme  # noqa: E402
from analysis.results.findings import Findings, reproducibility_footer  # noqa: E402

_current: Findings | None = None
"""The findings of the chapter this kernel runs (set by :func:`start`)."""


def start(name: str) -> tuple[np.random.Generator, Findings]:
    """Begin a chapter: theme, one seeded random generator, an empty findings collection.

    Parameters
    ----------
    name : str
        The chapter's file stem (``concentration`` for ``chapters/concentration.md``); it names
        the findings file.

    Returns
    -------
    rng : numpy.random.Generator
        The chapter's one generator, seeded with :data:`analysis.config.SEED`.
    findings : Findings
        Where the chapter records every number its prose states.
    """
    global _current
    use_theme()
    _current = Findings(name)
    return np.random.default_rng(SEED), _current


def finish(idata: object | None = None) -> pd.DataFrame:
    """End a chapter: write its findings file and return its reproducibility table.

    Parameters
    ----------
    idata : arviz.InferenceData, optional
        The chapter's main fit, whose sampler settings and wall times the table lists.

    Returns
    -------
    pandas.DataFrame
        Index ``item``, one column ``value`` (see
        :func:`~analysis.results.findings.reproducibility_footer`).

    Raises
    ------
    RuntimeError
        If :func:`start` was not called in this kernel.
    """
    if _current is None:
        raise RuntimeError("chapter.finish() before chapter.start(name): call start first")
    _current.write()
    return reproducibility_footer(idata, started=_IMPORTED)
