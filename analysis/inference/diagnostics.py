"""Convergence gate: a fit that has not converged stops the chapter, and so the build."""

from __future__ import annotations

import arviz as az
import numpy as np
import pandas as pd

RHAT_MAX = 1.01
ESS_MIN = 400
EBFMI_MIN = 0.3


class ConvergenceError(RuntimeError):
    """Raised when a fit fails the convergence gate; the message lists every failed check."""


def convergence_table(idata: az.InferenceData, var_names: list[str] | None = None) -> pd.DataFrame:
    """Return the worst R-hat and smallest bulk and tail ESS of each posterior variable.

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit with a ``posterior`` group.
    var_names : list of str, optional
        Variables to include; all posterior variables by default.

    Returns
    -------
    pandas.DataFrame
        Index ``variable``; columns ``r_hat_max``, ``ess_bulk_min``, ``ess_tail_min``.
    """
    rhat = az.rhat(idata, var_names=var_names)
    ess_bulk = az.ess(idata, var_names=var_names, method="bulk")
    ess_tail = az.ess(idata, var_names=var_names, method="tail")
    rows = [
        {
            "variable": name,
            "r_hat_max": float(np.nanmax(rhat[name].values)),
            "ess_bulk_min": float(np.nanmin(ess_bulk[name].values)),
            "ess_tail_min": float(np.nanmin(ess_tail[name].values)),
        }
        for name in rhat.data_vars
    ]
    return pd.DataFrame(rows).set_index("variable")


def check_convergence(
    idata: az.InferenceData,
    var_names: list[str] | None = None,
    *,
    label: str = "model",
    rhat_max: float = RHAT_MAX,
    ess_min: float = ESS_MIN,
    ebfmi_min: float = EBFMI_MIN,
) -> pd.DataFrame:
    """Raise :class:`ConvergenceError` unless the fit passes every convergence check.

    The checks are: R-hat below ``rhat_max`` and bulk and tail ESS of at least ``ess_min`` for
    every variable, zero divergent transitions, and E-BFMI of at least ``ebfmi_min`` in every
    chain.

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit from :func:`analysis.inference.sampling.fit`.
    var_names : list of str, optional
        Variables to check; all posterior variables by default.
    label : str, default "model"
        Name of the model and chapter, repeated in the error message.
    rhat_max, ess_min, ebfmi_min : float
        Thresholds (defaults: 1.01, 400, 0.3).

    Returns
    -------
    pandas.DataFrame
        A one-row-per-check table (check, worst value, threshold, passed) for the chapter.

    Raises
    ------
    ConvergenceError
        Listing each failed check with its worst variable and value.
    """
    table = convergence_table(idata, var_names)
    divergences = int(idata.sample_stats["diverging"].sum())
    ebfmi = float(np.min(az.bfmi(idata)))
    worst_rhat = table["r_hat_max"].idxmax()
    worst_bulk = table["ess_bulk_min"].idxmin()
    worst_tail = table["ess_tail_min"].idxmin()
    checks = pd.DataFrame(
        [
            ("R-hat (max)", f"{table.loc[worst_rhat, 'r_hat_max']:.4f}", f"< {rhat_max}",
             table["r_hat_max"].max() < rhat_max, worst_rhat),
            ("bulk ESS (min)", f"{table.loc[worst_bulk, 'ess_bulk_min']:.0f}", f">= {ess_min}",
             table["ess_bulk_min"].min() >= ess_min, worst_bulk),
            ("tail ESS (min)", f"{table.loc[worst_tail, 'ess_tail_min']:.0f}", f">= {ess_min}",
             table["ess_tail_min"].min() >= ess_min, worst_tail),
            ("divergences", f"{divergences}", "= 0", divergences == 0, ""),
            ("E-BFMI (min)", f"{ebfmi:.2f}", f">= {ebfmi_min}", ebfmi >= ebfmi_min, ""),
        ],
        columns=["check", "worst value", "threshold", "passed", "worst variable"],
    ).set_index("check")
    failed = checks[~checks["passed"]]
    if len(failed):
        lines = [
            f"  - {check}: {row['worst value']} (needs {row['threshold']})"
            + (f", worst variable '{row['worst variable']}'" if row["worst variable"] else "")
            for check, row in failed.iterrows()
        ]
        raise ConvergenceError(
            f"{label}: the fit failed the convergence gate:\n" + "\n".join(lines) + "\n"
            "Reparameterise the model, tighten its priors or draw more; do not loosen the gate."
        )
    return checks
