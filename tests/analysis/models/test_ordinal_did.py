"""Ordinal difference-in-differences family (analysis/models/ordinal_did.py).

Reference values come from independent computations: PyMC's own ``OrderedLogistic`` for the
likelihood, dense trapezoid integration (SciPy) for the Gauss-Hermite marginal likelihood, the
priors' closed forms for the simulator. SBC at a reduced, stated size (slow lane): 40 wijken x
5 years (10 treated in 5 municipalities, half the wijken in programme cities), 50 simulations
each, one chain (200 tuning + 200 draws thinned to 100 for the calibrated model; the default
300 + 300 thinned to 100 for the planted failure, which at 30 simulations and 200 draws did
not fail reliably), nutpie. Measured on the shared 2-core machine at load 5-8: 170 s and 59 s,
far above the 40 s budget; unloaded they should take about a third of that.
"""

from __future__ import annotations

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import pytest
from scipy import integrate
from scipy.special import expit

from analysis.inference.sbc import CalibrationError, run_sbc
from analysis.models import build_ordinal_did
from analysis.models.ordinal_did import (
    OrdinalDiDPriors,
    _ordered_logit_logp,
    class_effects,
    latent_predictor,
    log_category_prob,
    marginal_log_likelihood,
    ordinal_did_design,
    simulate_design,
    simulate_ordinal_did,
)

SBC_SEED = 20240611
N_SIMULATIONS = 50
SBC_SAMPLING = {"tune": 200, "draws": 200, "thin": 2}
K = 6


@pytest.fixture(scope="module")
def design():
    panel = simulate_design(np.random.default_rng(1), n_wijken=40, n_treated=10,
                            n_municipalities=5)
    return ordinal_did_design(panel, n_categories=K)


def test_custom_ordered_logit_matches_pymc_ordered_logistic():
    rng = np.random.default_rng(0)
    eta = rng.normal(0, 3, 200)
    cut = np.array([-4.0, -1.0, 0.5, 2.0, 6.0])
    y = rng.integers(0, 6, 200)
    ours = _ordered_logit_logp(pm.math.constant(y), pm.math.constant(eta),
                               pm.math.constant(cut)).eval()
    reference = pm.logp(pm.OrderedLogistic.dist(eta=eta, cutpoints=cut), y).eval()
    np.testing.assert_allclose(ours, reference, rtol=1e-9, atol=1e-9)
    numpy_version = log_category_prob(y, eta[None], cut[None])[0]
    np.testing.assert_allclose(numpy_version, reference, rtol=1e-9, atol=1e-9)


def test_numpy_log_probability_stays_finite_far_in_the_tails():
    cut = np.array([[-2.0, 0.0, 2.0]])
    logp = log_category_prob(np.array([0, 3]), np.array([[60.0, -60.0]]), cut)
    assert np.all(np.isfinite(logp))
    assert logp[0, 0] == pytest.approx(-62.0, abs=1e-6)  # log sigmoid(-62)


def test_design_refuses_unsorted_rows_and_treatment_varying_within_a_wijk():
    panel = simulate_design(np.random.default_rng(2), n_wijken=6, n_treated=2)
    with pytest.raises(ValueError, match="sorted by wijk"):
        ordinal_did_design(panel.sample(frac=1.0, random_state=1), n_categories=K)
    bad = panel.copy()
    bad.loc[0, "treated_strict"] = not bad.loc[0, "treated_strict"]
    with pytest.raises(ValueError, match="'treated_strict' varies within a wijk"):
        ordinal_did_design(bad, n_categories=K)
    late = panel.copy()
    late.loc[0, "year"] = 2020
    with pytest.raises(ValueError, match=r"years \[2020\] are not measurement years"):
        ordinal_did_design(late, n_categories=K)


def test_model_has_named_dims_and_the_misspecified_variant_drops_the_loadings(design):
    model = build_ordinal_did(design)
    names = {v.name for v in model.free_RVs}
    assert {"scale", "u", "tau", "sigma_tau", "placebo", "beta_dose", "log_loading",
            "city_year"} <= names
    assert model.named_vars_to_dims["tau_municipality"] == ("treated_municipality",)
    assert len(model.coords["treated_municipality"]) == 5
    plain = build_ordinal_did(design, convergence=False)
    assert "log_loading" not in {v.name for v in plain.free_RVs}


def test_simulator_draws_the_effect_from_its_stated_prior(design):
    rng = np.random.default_rng(3)
    priors = OrdinalDiDPriors()
    draws = [simulate_ordinal_did(rng, design)[0] for _ in range(3000)]
    tau = np.array([d["tau"] for d in draws])
    sigma_tau = np.array([d["sigma_tau"] for d in draws])
    assert tau.std() == pytest.approx(priors.tau_sd, rel=0.06)
    assert sigma_tau.mean() == pytest.approx(priors.sigma_tau_sd * np.sqrt(2 / np.pi), rel=0.06)
    omega = np.array([d["omega"] for d in draws])
    np.testing.assert_allclose(omega.sum(axis=1), 0.0, atol=1e-12)


def _fake_posterior(truth: dict, design, n_draws: int = 3, seed: int = 0) -> az.InferenceData:
    """A one-chain 'posterior' of jittered true values, with the model's variable names.

    The wijk levels get a realistic posterior spread, which the
    adaptive quadrature uses to place its nodes (SD 0.1 class widths).
    """
    rng = np.random.default_rng(seed)
    post = {}
    for name, value in truth.items():
        arr = np.asarray(value, dtype=float)
        jitter = rng.normal(0, 0.1 if name == "alpha" else 0.02, (n_draws,) + arr.shape)
        if name in ("scale", "sigma_alpha", "sigma_level", "sigma_tau"):
            jitter = np.abs(jitter)
        post[name] = (arr + jitter)[None]
    return az.from_dict(posterior=post)


def test_quadrature_marginal_likelihood_matches_dense_integration(design):
    truth, sim = simulate_ordinal_did(np.random.default_rng(4), design)
    idata = _fake_posterior(truth, sim, n_draws=20)
    gh = marginal_log_likelihood(idata, sim, n_nodes=25).to_numpy()[0]
    post = {k: np.asarray(idata.posterior[k].to_numpy()[0]) for k in idata.posterior.data_vars}
    for draw in (0, 2):
        one = {k: v[draw:draw + 1] for k, v in post.items()}
        for wijk in (0, 13, 39):
            rows = np.flatnonzero(sim.wijk_idx == wijk)
            sd = one["sigma_alpha"][0]

            def integrand(a, rows=rows, one=one, sd=sd):
                level = np.full((1, len(sim.y)), a)
                eta = one["scale"][:, None] * latent_predictor(sim, one, alpha=level)
                logp = log_category_prob(sim.y, eta, one["cutpoints"])[0, rows].sum()
                return np.exp(logp) * np.exp(-0.5 * (a / sd) ** 2) / (sd * np.sqrt(2 * np.pi))

            value, _ = integrate.quad(integrand, -10 * sd, 10 * sd, limit=400, points=[0.0])
            assert gh[draw, wijk] == pytest.approx(np.log(value), abs=2e-3)


def test_class_effects_are_zero_without_a_treatment_effect_and_positive_with_one(design):
    truth, sim = simulate_ordinal_did(np.random.default_rng(5), design)
    zero = {**truth, "tau": 0.0, "sigma_tau": 0.0, "omega": np.zeros(3), "beta_dose": 0.0}
    effects = class_effects(_fake_posterior(zero, sim, n_draws=1), sim)
    assert float(np.abs(effects["p_good"]).max()) < 0.5  # jitter only
    big = {**zero, "tau": 1.0}
    effects = class_effects(_fake_posterior(big, sim, n_draws=1), sim)
    assert float(effects["expected_class"].min()) > 0


def test_simulated_classes_follow_the_ordered_logit_probabilities(design):
    """Category frequencies of many simulated data sets at fixed truth vs the closed form."""
    rng = np.random.default_rng(6)
    truth, sim = simulate_ordinal_did(rng, design)
    fixed = {k: v for k, v in truth.items() if k not in ("cutpoints",)}
    counts = np.zeros(K)
    for _ in range(400):
        counts += np.bincount(simulate_ordinal_did(rng, design, truth=fixed)[1].y, minlength=K)
    arrays = {k: np.asarray(v, dtype=float)[None] for k, v in truth.items()}
    eta = truth["scale"] * latent_predictor(sim, arrays)[0]
    cdf = expit(truth["cutpoints"][None, :] - eta[:, None])
    probs = np.diff(np.concatenate([np.zeros((len(eta), 1)), cdf, np.ones((len(eta), 1))],
                                   axis=1), axis=1).sum(axis=0)
    np.testing.assert_allclose(counts / 400, probs, atol=1.5)  # ~40 rows per category


# --- simulation-based calibration (slow lane) ---------------------------------------------

def _simulate(design):
    def simulate(rng):
        truth, sim = simulate_ordinal_did(rng, design)
        return truth, sim
    return simulate


@pytest.mark.slow
def test_sbc_ordinal_did_ranks_are_uniform(design):
    result = run_sbc(lambda d: build_ordinal_did(d), _simulate(design),
                     n_simulations=N_SIMULATIONS, seed=SBC_SEED, label="ordinal DiD",
                     var_names=["tau", "placebo", "sigma_tau", "beta_dose", "scale",
                                "sigma_level"], **SBC_SAMPLING)
    table = result.check()
    assert table["passed"].all()
    assert result.n_draws == 100


@pytest.mark.slow
def test_sbc_fails_when_regression_to_the_mean_is_ignored(design):
    """Planted mis-specification: the simulator's worst-off treated wijken converge (loadings
    0.5 after 2008, treated levels 1.5 SD low); the fitted model has no loadings."""

    def simulate(rng):
        return simulate_ordinal_did(
            rng, design, treated_level_shift=1.5,
            truth={"log_loading": np.log([1.0, 0.5, 0.5, 0.5])})

    result = run_sbc(lambda d: build_ordinal_did(d, convergence=False), simulate,
                     n_simulations=N_SIMULATIONS, seed=SBC_SEED,
                     label="ordinal DiD without convergence", var_names=["tau"])
    with pytest.raises(CalibrationError, match=r"ordinal DiD without convergence: failed "
                       r"simulation-based calibration[\s\S]*- tau: .*mean rank 0\.[0-3]"):
        result.check()


def test_panel_columns_of_the_chapter_build_a_design():
    panel = pd.DataFrame({
        "wijk": ["A"] * 5 + ["B"] * 5, "year": [2002, 2008, 2012, 2014, 2016] * 2,
        "category": [0, 0, 1, 1, 2, 3, 3, 3, 4, 5], "programme_city": [True] * 5 + [False] * 5,
        "gemeente_code": ["GM1"] * 5 + ["GM2"] * 5, "treated": [True] * 5 + [False] * 5,
        "dose": [0.0] * 10,
    })
    d = ordinal_did_design(panel, treated="treated", dose="dose")
    assert d.n_categories == 6 and d.municipalities == ["GM1"]
    assert d.has_city_contrast
