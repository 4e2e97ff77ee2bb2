"""Numbers for the prose: glue posterior summaries into the page and write a findings file.

Every number a chapter states comes from :class:`Findings`: it summarises posterior draws with
ArviZ (mean, SD, HDI, MCSE), glues them for ``{glue:text}`` roles and writes them to
``_build/findings/<chapter>.json`` for release comparisons and reproduction checks.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr
from myst_nb import glue

from analysis.config import CI_PROB, FINDINGS_DIR, SEED
from analysis.display.numbers import probability_text
from analysis.inference import fitcache
from analysis.io import write_atomic
from analysis.results.claims import ClaimError, evaluate, plain_values

VALUE_KINDS = ("exact", "monte_carlo", "timing")
"""What a number recorded with :meth:`Findings.add_value` depends on (see there)."""

_STARTED = time.perf_counter()
"""When this module was first imported: the start of a chapter's execution, for its wall time."""


def _glue(name: str, value: object) -> None:
    """Glue ``value`` under ``name`` without displaying it (no-op outside a notebook)."""
    glue(name, value, display=False)


class Findings:
    """Collect a chapter's findings, glue them, and write them to one JSON file.

    Parameters
    ----------
    chapter : str
        The chapter's file stem (``contact_evidence`` for ``chapters/contact_evidence.md``).
    out_dir : Path, optional
        Folder of the findings files; ``_build/findings`` by default.

    Examples
    --------
    >>> findings = Findings("contact_evidence")  # doctest: +SKIP
    >>> findings.add("pooled_d", idata.posterior["mu"], "pooled effect (d)")  # doctest: +SKIP
    >>> findings.write()  # doctest: +SKIP
    """

    def __init__(self, chapter: str, out_dir: Path | None = None) -> None:
        self.chapter = chapter
        self.out_dir = Path(out_dir) if out_dir is not None else FINDINGS_DIR
        self.records: dict[str, dict] = {}

    def add(
        self, name: str, draws: xr.DataArray, description: str, *, simulated: bool = False
    ) -> dict:
        """Summarise scalar draws; glue ``name``, ``name_sd``, ``name_lo`` and ``name_hi``.

        Parameters
        ----------
        name : str
            Identifier used in the prose (``{glue:text}`name:.2f```) and the findings file.
        draws : xarray.DataArray
            Draws with dims ``(chain, draw)`` only, e.g. ``idata.posterior["mu"]``.
        description : str
            What the number is, in words, with its unit.
        simulated : bool, default False
            Mark findings computed from simulated data; the record's ``data`` field reads
            ``"SIMULATED"`` then and ``"REAL"`` otherwise.

        Returns
        -------
        dict
            The record: mean, sd, hdi_low, hdi_high, ci_prob, mcse_mean, ess_bulk, r_hat.
        """
        extra = set(draws.dims) - {"chain", "draw"}
        if extra:
            raise ValueError(f"finding {name!r}: draws must be scalar per draw, got dims {extra}")
        summary = az.summary(
            xr.Dataset({name: draws}), hdi_prob=CI_PROB, round_to="none"
        ).iloc[0]
        low_col, high_col = [c for c in summary.index if c.startswith("hdi_")]
        record = {
            "name": name,
            "description": description,
            "mean": float(summary["mean"]),
            "sd": float(summary["sd"]),
            "hdi_low": float(summary[low_col]),
            "hdi_high": float(summary[high_col]),
            "ci_prob": CI_PROB,
            "mcse_mean": float(summary["mcse_mean"]),
            "ess_bulk": float(summary["ess_bulk"]),
            "r_hat": float(summary["r_hat"]),
            "simulated": simulated,
            "data": "SIMULATED" if simulated else "REAL",
        }
        self.records[name] = record
        for suffix, key in (("", "mean"), ("_sd", "sd"), ("_lo", "hdi_low"), ("_hi", "hdi_high")):
            _glue(name + suffix, record[key])
        return record

    def add_probability(self, name: str, event: xr.DataArray, description: str) -> dict:
        """Glue the posterior probability of a boolean event (e.g. ``mu > 0``) as ``name``.

        Also glues ``name_text`` (English) and ``name_nl`` (Dutch): the probability in words
        that never reads as certainty, e.g. "above 0.99" when every draw agrees.
        """
        record = self.add(name, event.astype(float), description)
        _glue(name + "_text", probability_text(record["mean"]))
        _glue(name + "_nl", probability_text(record["mean"], dutch=True))
        return record

    def add_value(self, name: str, value: float, description: str, *,
                  kind: str = "exact") -> dict:
        """Glue and record a number that has no posterior summary of its own.

        Parameters
        ----------
        name, value, description
            As for :meth:`add`; ``value`` is one number.
        kind : {"exact", "monte_carlo", "timing"}, default "exact"
            ``"exact"``: a deterministic function of the data (a count, a data summary, a
            quadrature result), which a reproduction must match to a relative 1e-9.
            ``"monte_carlo"``: computed from posterior or prior draws but without an MCSE of its
            own (a posterior predictive p-value, an ELPD difference, a count of high Pareto k):
            identical on the same machine, reported but not gated across machines.
            ``"timing"``: depends on the machine's speed (ESS per second); never compared.
        """
        if kind not in VALUE_KINDS:
            raise ValueError(f"finding {name!r}: kind must be one of {VALUE_KINDS}, got {kind!r}")
        record = {"name": name, "description": description, "value": float(value)}
        if kind != "exact":
            record["kind"] = kind
        self.records[name] = record
        _glue(name, float(value))
        return record

    def add_claim(self, name: str, expression: str, values: Mapping[str, object], text: str,
                  description: str) -> dict:
        """Assert a statement of direction or count, record it and glue its wording.

        The prose quotes the claim through ``{glue:text}`name``` so the sentence exists only
        while the claim holds. The claim is checked here (the cell that computes it fails when
        it does not hold) and again by the tests over the findings files of the last build
        (:func:`analysis.results.claims.failed_claims`).

        Parameters
        ----------
        name : str
            Identifier of the claim in the prose and the findings file.
        expression : str
            What must hold, over ``values`` (see :func:`analysis.results.claims.evaluate`), e.g.
            ``"n_migrant == 2"``.
        values : mapping of str to number or list of numbers
            The computed values the expression uses; stored in the findings file.
        text : str
            The words the prose shows, e.g. ``"two of the 27 studies"``.
        description : str
            What the claim states, in words.

        Returns
        -------
        dict
            The record: ``kind`` ``"claim"``, ``expression``, ``values``, ``holds``, ``text``.

        Raises
        ------
        analysis.results.claims.ClaimError
            If the claim does not hold (or the expression is malformed).
        """
        plain = plain_values(values)
        if not evaluate(expression, plain):
            raise ClaimError(f"claim {name!r} ({description}) does not hold: {expression} "
                             f"with {plain}")
        record = {"name": name, "description": description, "kind": "claim",
                  "expression": expression, "values": plain, "holds": True, "text": text}
        self.records[name] = record
        _glue(name, text)
        return record

    def table(self, *, decimals: int = 3, posterior_only: bool = False) -> pd.DataFrame:
        """Return the findings as a table, one row per finding, rounded for display.

        Columns: ``description``, ``mean``, ``sd``, ``hdi_low``, ``hdi_high``, ``mcse_mean``
        (posterior findings) and ``value`` (exact numbers from :meth:`add_value`). With
        ``posterior_only=True`` the exact numbers are left out.
        """
        columns = ["name", "description", "mean", "sd", "hdi_low", "hdi_high", "mcse_mean",
                   "value"]
        rows = [r for r in self.records.values() if not posterior_only or "mean" in r]
        table = pd.DataFrame(rows, columns=columns).set_index("name")
        if posterior_only:
            table = table.drop(columns="value")
        return table.round(decimals)

    def write(self) -> Path:
        """Write ``<out_dir>/<chapter>.json`` atomically and return its path.

        Besides the findings, the file lists the shared fits the chapter used and whether each
        was sampled in this run or loaded (``fits``: name, key, source, folder).
        """
        self.out_dir.mkdir(parents=True, exist_ok=True)
        payload = {
            "chapter": self.chapter,
            "seed": SEED,
            "written": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "fits": list(fitcache.FIT_LOG),
            "findings": list(self.records.values()),
        }
        target = self.out_dir / f"{self.chapter}.json"
        text = json.dumps(payload, indent=2, default=_jsonable) + "\n"
        write_atomic(target, text.encode("utf-8"))
        return target


def _jsonable(value: object) -> object:
    """Convert NumPy scalars for JSON."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value)}")


def reproducibility_footer(
    idata: az.InferenceData | None = None, *, started: float | None = None
) -> pd.DataFrame:
    """Return a small table of what a reader needs to re-run a chapter.

    Lists the seed, the sampler backend and settings, the sampling and checking-pipeline wall
    times (from ``idata.attrs``, written by :func:`analysis.inference.sampling.fit` and
    :func:`analysis.inference.workflow.run_workflow`), the chapter's wall time so far and the
    versions of the scientific stack.

    Parameters
    ----------
    idata : arviz.InferenceData, optional
        The chapter's main fit.
    started : float, optional
        ``time.perf_counter()`` at the chapter's start; by default the time
        ``analysis.results.findings`` was first imported in the kernel.

    Returns
    -------
    pandas.DataFrame
        Index ``item``, one column ``value``.
    """
    rows: list[tuple[str, str]] = [("seed", str(SEED)), ("python", platform.python_version())]
    if idata is not None:
        for key in ("sampler_backend", "sampler_settings", "sampling_wall_time_s",
                    "workflow_wall_time_s"):
            if key in idata.attrs:
                rows.append((key.replace("_", " "), str(idata.attrs[key])))
    elapsed = time.perf_counter() - (_STARTED if started is None else started)
    rows.append(("chapter wall time s", f"{elapsed:.1f}"))
    for package in ("pymc", "pytensor", "arviz", "numpy", "pandas", "xarray", "seaborn",
                    "matplotlib", "myst-nb", "jupyter-book"):
        rows.append((package, version(package)))
    return pd.DataFrame(rows, columns=["item", "value"]).set_index("item")
