"""The grants cross-section model: structure, errors, simulator and simulation-based calibration.

SBC size (stated): 60 SIMULATED municipalities, 3 programme types, 3 covariates, 5 urbanity
classes; 40 simulations of one chain with 200 tuning and 150 kept draws (thinned by 3: ranks
among 50 draws), nutpie compiled once per test. Measured: 28 s for both SBC tests together
on 2 cores at load average 4 (shared machine).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymc as pm
import pytest

from analysis.inference.sbc import CalibrationError, run_sbc
from analysis.models.grants import (
    GrantsPriors,
    build_grants_model,
    residualise,
    simulate_grants,
    simulation_design,
)

SBC_SEED = 20071122
N_SIMULATIONS = 40
SBC_KWARGS = {"tune": 200, "draws": 150}
DESIGN = simulation_design(np.random.default_rng(11))


def simulate(rng: np.random.Generator):
    return simulate_grants(rng, *DESIGN)


def build(data: dict) -> pm.Model:
    return build_grants_model(**data)


def build_with_narrow_sigma(data: dict) -> pm.Model:
    """Planted mis-specification: the residual-SD prior is ten times narrower than the truth's."""
    return build_grants_model(**data, priors=GrantsPriors(sigma_sd=0.3))


def test_model_has_named_dims_and_non_centred_pooled_coefficients():
    truth, data = simulate(np.random.default_rng(1))
    model = build(data)
    assert model.named_vars_to_dims["beta"] == ("programme_type",)
    assert list(model.coords["programme_type"]) == ["neighbourhood", "integration", "cohesion"]
    assert {"z_beta", "tau_beta", "mu_beta"} <= {v.name for v in model.free_RVs}
    assert "beta" in {v.name for v in model.deterministics}


def test_beta_is_mu_plus_tau_times_z():
    _, data = simulate(np.random.default_rng(2))
    model = build(data)
    prior = pm.sample_prior_predictive(draws=20, model=model, random_seed=4,
                                       var_names=["beta", "mu_beta", "tau_beta", "z_beta"]).prior
    np.testing.assert_allclose(prior["beta"], prior["mu_beta"] + prior["tau_beta"]
                               * prior["z_beta"], rtol=1e-10)


def test_residualised_grants_keep_the_adjusted_coefficient_frisch_waugh_lovell():
    """OLS of y on [1, x, w] and on [1, x_resid, w] give the same x coefficient."""
    rng = np.random.default_rng(5)
    w = rng.normal(size=(200, 3))
    x = w @ rng.normal(size=(3, 2)) + rng.normal(size=(200, 2))
    y = x @ [1.5, -0.5] + w @ [0.3, 0.2, -1.0] + rng.normal(size=200)
    x_resid, projection = residualise(x, w)
    np.testing.assert_allclose(np.column_stack([np.ones(200), w]).T @ x_resid, 0.0, atol=1e-9)
    full = np.linalg.lstsq(np.column_stack([np.ones(200), x, w]), y, rcond=None)[0]
    resid = np.linalg.lstsq(np.column_stack([np.ones(200), x_resid, w]), y, rcond=None)[0]
    np.testing.assert_allclose(resid[1:3], full[1:3], rtol=1e-10)
    # gamma (adjusted) = gamma_star - projection @ beta
    np.testing.assert_allclose(resid[3:] - projection @ resid[1:3], full[3:], rtol=1e-8)


def test_builder_names_what_is_wrong():
    grants, covariates, u = DESIGN
    y = np.zeros(len(grants))
    with pytest.raises(ValueError, match="covariates has 59 rows, y has 60"):
        build_grants_model(y, grants, covariates.iloc[:-1], u)
    bad = grants.copy()
    bad.iloc[0, 0] = np.nan
    with pytest.raises(ValueError, match="grants has missing or infinite values"):
        build_grants_model(y, bad, covariates, u)
    with pytest.raises(ValueError, match=r"urbanity_idx must lie in 0\.\.1"):
        build_grants_model(y, grants, covariates, u, urbanity_labels=["a", "b"])


def test_simulator_draws_from_the_stated_priors():
    rng = np.random.default_rng(3)
    draws = [simulate(rng)[0] for _ in range(3000)]
    priors = GrantsPriors()
    mu_beta = np.array([d["mu_beta"] for d in draws])
    tau = np.array([d["tau_beta"] for d in draws])
    sigma = np.array([d["sigma"] for d in draws])
    assert mu_beta.std() == pytest.approx(priors.mu_beta_sd, rel=0.06)
    assert tau.mean() == pytest.approx(priors.tau_beta_sd * np.sqrt(2 / np.pi), rel=0.06)
    assert sigma.mean() == pytest.approx(priors.sigma_sd * np.sqrt(2 / np.pi), rel=0.06)


def test_simulation_design_is_like_the_real_one():
    grants, covariates, u = DESIGN
    assert (grants["neighbourhood"] == 0).mean() > 0.6
    assert set(u) == set(range(5))
    assert isinstance(covariates, pd.DataFrame) and covariates.shape == (60, 3)


@pytest.mark.slow
def test_sbc_grants_model_ranks_are_uniform():
    result = run_sbc(build, simulate, n_simulations=N_SIMULATIONS, seed=SBC_SEED,
                     label="grants cross-section",
                     var_names=["alpha", "mu_beta", "tau_beta", "beta", "gamma_star", "gamma",
                                "sigma"],
                     **SBC_KWARGS)
    table = result.check()
    assert table["passed"].all()
    assert result.n_draws == 50


@pytest.mark.slow
def test_sbc_fails_when_the_residual_sd_prior_is_too_narrow():
    result = run_sbc(build_with_narrow_sigma, simulate, n_simulations=N_SIMULATIONS,
                     seed=SBC_SEED, label="grants cross-section (narrow sigma prior)",
                     var_names=["mu_beta", "sigma"], **SBC_KWARGS)
    with pytest.raises(CalibrationError, match=r"narrow sigma prior\): failed simulation-based "
                       r"calibration[\s\S]*- sigma: .*mean rank 0\.[6-9]"):
        result.check()
