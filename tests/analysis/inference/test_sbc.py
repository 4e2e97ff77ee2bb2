"""Simulation-based calibration and parameter recovery (analysis.inference.sbc), per family."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymc as pm
import pytest

from analysis.inference.sampling import fit
from analysis.inference.sbc import (
    CalibrationError,
    RecoveryError,
    SBCResult,
    check_recovery,
    run_sbc,
)
from analysis.models import MetaAnalysisPriors, build_meta_analysis, simulate_meta_analysis

SBC_SEED = 20240601
N_SIMULATIONS = 150


def simulate(rng: np.random.Generator):
    """Twelve SIMULATED studies with standard errors in (0.1, 0.3): informative about tau."""
    return simulate_meta_analysis(rng, n_studies=12, se_range=(0.1, 0.3))


def build_from_data(data: dict) -> pm.Model:
    return build_meta_analysis(**data)


def build_with_double_se(data: dict) -> pm.Model:
    """Planted mis-specification: the likelihood uses twice the reported standard errors."""
    return build_meta_analysis(data["effect_size"], 2 * data["standard_error"], data["study"])


# --- the rank statistics themselves (no fitting) -------------------------------------------

def test_uniformity_accepts_exactly_uniform_ranks_and_rejects_piled_up_ranks():
    uniform = np.tile(np.arange(100), 2).astype(float)  # every rank 0..99 twice: perfectly flat
    piled = np.full(200, 99.0)  # truth always above every draw: the model underestimates
    result = SBCResult("toy", pd.DataFrame({"a": uniform, "b": piled}), n_draws=99,
                       divergences=0, wall_time_s=0.0)
    table = result.uniformity()
    assert table.loc["a", "p_value"] == pytest.approx(1.0)
    assert table.loc["a", "mean_rank"] == pytest.approx(0.5, abs=0.01)
    assert table.loc["b", "mean_rank"] > 0.99
    with pytest.raises(CalibrationError, match=r"toy: failed simulation-based calibration"):
        result.check()


def test_sbc_nutpie_backend_refuses_observed_data_outside_pm_data():
    def build_constant(data):
        with pm.Model() as model:
            mu = pm.Normal("mu")
            pm.Normal("y", mu, 1.0, observed=data)
        return model

    def simulate(rng):
        mu = rng.normal()
        return {"mu": mu}, rng.normal(mu, 1.0, size=5)

    with pytest.raises(ValueError, match=r"toy: SBC backend 'nutpie' needs the observed 'y'"):
        run_sbc(build_constant, simulate, n_simulations=1, seed=1, label="toy")


def test_sbc_pymc_backend_returns_one_rank_row_per_simulation():
    result = run_sbc(build_from_data, simulate_meta_analysis, n_simulations=2, seed=SBC_SEED,
                     label="meta-analysis", backend="pymc", tune=50, draws=49, thin=1)
    assert result.ranks.shape == (2, 2 + 8)  # mu, tau and 8 study effects
    assert result.n_draws == 49
    assert result.ranks.to_numpy().min() >= 0 and result.ranks.to_numpy().max() <= 49


# --- SBC per model family -------------------------------------------------------------------

@pytest.mark.slow
def test_sbc_meta_analysis_ranks_are_uniform():
    result = run_sbc(build_from_data, simulate, n_simulations=N_SIMULATIONS, seed=SBC_SEED,
                     label="meta-analysis")
    table = result.check()
    assert result.n_draws == 100
    assert list(table.index[:2]) == ["mu", "tau"]
    assert table["passed"].all()


@pytest.mark.slow
def test_sbc_fails_when_the_likelihood_uses_twice_the_standard_error():
    result = run_sbc(build_with_double_se, simulate, n_simulations=N_SIMULATIONS,
                     seed=SBC_SEED, label="meta-analysis (2x SE)", var_names=["mu", "tau"])
    with pytest.raises(CalibrationError, match=r"meta-analysis \(2x SE\): failed simulation-based "
                       r"calibration[\s\S]*- tau: .*mean rank 0\.[6-9]"):
        result.check()


# --- parameter recovery ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def recovery_fit():
    """A SIMULATED meta-analysis of 20 studies with documented truth (drawn with seed 7)."""
    truth, data = simulate_meta_analysis(np.random.default_rng(7), n_studies=20)
    idata = fit(build_meta_analysis(**data), seed=np.random.default_rng(8), chains=2)
    return truth, idata


@pytest.mark.slow
def test_recovery_meta_analysis_recovers_documented_truth(recovery_fit):
    truth, idata = recovery_fit
    table = check_recovery(idata, truth, label="meta-analysis recovery")
    assert table["passed"].all()
    assert table.loc["theta", "coverage"] >= 0.8


@pytest.mark.slow
def test_recovery_fails_for_a_wrong_truth_naming_the_parameter(recovery_fit):
    truth, idata = recovery_fit
    wrong = {**truth, "mu": truth["mu"] + 2.0, "theta": truth["theta"] + 2.0}
    with pytest.raises(RecoveryError, match=r"meta-analysis recovery: failed parameter "
                       r"recovery:\n  - mu: truth .* outside the 94% HDI[\s\S]*- theta: only 0%"):
        check_recovery(idata, wrong, label="meta-analysis recovery")


def test_simulator_draws_from_the_stated_priors():
    """Moments of 4,000 simulated truths against the priors' closed forms (N(0, .5), HN(.5))."""
    rng = np.random.default_rng(3)
    priors = MetaAnalysisPriors(mu_sd=0.5, tau_sd=0.5)
    draws = [simulate_meta_analysis(rng, n_studies=2, priors=priors)[0] for _ in range(4000)]
    mu = np.array([d["mu"] for d in draws])
    tau = np.array([d["tau"] for d in draws])
    assert mu.std() == pytest.approx(0.5, rel=0.05)
    assert tau.mean() == pytest.approx(0.5 * np.sqrt(2 / np.pi), rel=0.05)  # half-normal mean
