"""The convergence gate passes a good fit and raises, naming the failed checks, on a bad one."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.inference.diagnostics import ConvergenceError, check_convergence, convergence_table
from analysis.inference.sampling import fit
from analysis.models import build_meta_analysis


@pytest.fixture(scope="module")
def good_idata():
    rng = np.random.default_rng(3)
    se = rng.uniform(0.05, 0.2, 12)
    model = build_meta_analysis(rng.normal(0.3, 0.3, 12), se, [f"s{i}" for i in range(12)])
    return fit(model, seed=3, chains=2, draws=1000, tune=1000)


@pytest.mark.slow
def test_gate_passes_a_converged_fit_and_returns_its_table(good_idata):
    checks = check_convergence(good_idata, ["mu", "tau"], label="good")
    assert checks["passed"].all()
    assert list(checks.index) == [
        "R-hat (max)", "bulk ESS (min)", "tail ESS (min)", "divergences", "E-BFMI (min)",
    ]


@pytest.mark.slow
def test_gate_raises_on_untuned_short_chains_and_names_checks():
    # Deliberately bad: 30 draws without tuning from a centred funnel with tiny data.
    model = build_meta_analysis([0.1, 2.0], [0.5, 0.5], ["a", "b"], centered=True)
    idata = fit(model, seed=4, chains=2, draws=30, tune=0)
    with pytest.raises(ConvergenceError, match=r"^bad model: the fit failed") as err:
        check_convergence(idata, label="bad model")
    assert "bulk ESS (min)" in str(err.value)


@pytest.mark.slow
def test_gate_counts_divergences(good_idata):
    idata = good_idata.copy()
    diverging = idata.sample_stats["diverging"].values.copy()
    diverging[0, 0] = True
    idata.sample_stats["diverging"] = (("chain", "draw"), diverging)
    with pytest.raises(ConvergenceError, match=r"divergences: 1 \(needs = 0\)"):
        check_convergence(idata, ["mu", "tau"], label="one divergence")


@pytest.mark.slow
def test_convergence_table_matches_arviz(good_idata):
    import arviz as az

    table = convergence_table(good_idata, ["mu"])
    assert table.loc["mu", "r_hat_max"] == pytest.approx(float(az.rhat(good_idata)["mu"]))
    assert table.loc["mu", "ess_bulk_min"] == pytest.approx(
        float(az.ess(good_idata, method="bulk")["mu"])
    )
    assert np.isfinite(table.to_numpy()).all()
