"""Small-study (PET, PEESE) and selection-model corrections of the meta-analysis family.

The selection likelihood is checked against a direct numerical integral of an independently
written weighted density, its sampler against that density's CDF, and the whole model by
parameter recovery and a small simulation-based calibration on SIMULATED meta-analyses.
"""

from __future__ import annotations

import arviz as az
import numpy as np
import pymc as pm
import pytest
from scipy import integrate, stats

from analysis.inference.sampling import fit
from analysis.inference.sbc import check_recovery, run_sbc
from analysis.models import MetaAnalysisPriors, build_meta_analysis, simulate_meta_analysis
from analysis.models.meta_analysis import (
    SMALL_STUDY_MODERATOR,
    build_selection_model,
    pet_peese,
    sample_selection,
    selection_log_density,
    small_study_moderator,
)

SE = np.array([0.08, 0.15, 0.3, 0.4])
Y = np.array([0.45, -0.1, 0.9, 0.2])


def step_weight(y: float, se: float, cutpoints: tuple[float, ...], ratio: tuple[float, ...]):
    """Publication weight of one effect, written from the definition: one-sided p, then steps."""
    p_value = 1.0 - stats.norm.cdf(y / se)
    weight = 1.0
    for alpha, r in zip(cutpoints, ratio, strict=True):
        if p_value >= alpha:
            weight *= r
    return weight


def integral_log_density(y, mu, tau, se, cutpoints, ratio, weight=step_weight):
    """log f(y) with the normalising constant from numerical quadrature (no closed form)."""
    eta = np.sqrt(se**2 + tau**2)

    def unnormalised(t: float) -> float:
        return weight(t, se, cutpoints, ratio) * stats.norm.pdf(t, mu, eta)

    breaks = sorted(se * stats.norm.isf(np.asarray(cutpoints)))
    edges = [-np.inf, *breaks, np.inf]
    norm = sum(integrate.quad(unnormalised, a, b, epsabs=1e-13, epsrel=1e-11)[0]
               for a, b in zip(edges[:-1], edges[1:], strict=True))
    return np.log(unnormalised(y)) - np.log(norm)


def model_log_density(model: pm.Model, mu: float, tau: float, ratio: tuple[float, ...]):
    """Pointwise log-likelihood of the PyMC model's observed variable at given parameters."""
    fn = model.compile_logp(vars=[model["effect_size"]], sum=False, jacobian=False)
    r = np.asarray(ratio)
    point = {"mu": mu, "tau_log__": np.log(tau), "selection_ratio_interval__": np.log(r / (1 - r))}
    return fn(point)[0]


def assert_matches_integral(log_density, cases, cutpoints):
    """Raise AssertionError unless ``log_density`` equals the quadrature reference everywhere."""
    for mu, tau, ratio in cases:
        reference = [integral_log_density(y, mu, tau, s, cutpoints, ratio)
                     for y, s in zip(Y, SE, strict=True)]
        np.testing.assert_allclose(log_density(mu, tau, ratio), reference, rtol=1e-8, atol=1e-9)


CASES_ONE = [(0.2, 0.3, (0.4,)), (-0.3, 0.05, (0.1,)), (0.8, 0.5, (0.95,))]
CASES_TWO = [(0.2, 0.3, (0.4, 0.5)), (0.0, 0.2, (0.7, 0.2))]


@pytest.mark.parametrize(("cutpoints", "cases"), [((0.025,), CASES_ONE),
                                                  ((0.025, 0.5), CASES_TWO)])
def test_selection_likelihood_of_the_pymc_model_equals_a_direct_numerical_integral(cutpoints,
                                                                                  cases):
    model = build_selection_model(Y, SE, list("abcd"), cutpoints=cutpoints)
    assert_matches_integral(lambda mu, tau, r: model_log_density(model, mu, tau, r), cases,
                            cutpoints)
    assert_matches_integral(lambda mu, tau, r: selection_log_density(Y, mu, tau, SE, r, cutpoints),
                            cases, cutpoints)


def test_the_integral_check_rejects_a_planted_wrong_likelihood():
    # Planted error: the density without its normalising constant (a common slip).
    def unnormalised(mu, tau, ratio):
        eta = np.sqrt(SE**2 + tau**2)
        weights = [step_weight(y, s, (0.025,), ratio) for y, s in zip(Y, SE, strict=True)]
        return np.log(weights) + stats.norm.logpdf(Y, mu, eta)

    with pytest.raises(AssertionError):
        assert_matches_integral(unnormalised, CASES_ONE, (0.025,))


def test_without_selection_the_density_is_the_marginal_normal_of_the_meta_analysis():
    mu, tau = 0.3, 0.2
    model = build_selection_model(Y, SE, list("abcd"))
    expected = stats.norm.logpdf(Y, mu, np.sqrt(SE**2 + tau**2))
    np.testing.assert_allclose(model_log_density(model, mu, tau, (1 - 1e-12,)), expected,
                               rtol=1e-9)


def test_exact_sampler_and_rejection_simulator_both_follow_the_density():
    # One standard error, strong selection: 4,000 draws of each against the quadrature CDF.
    mu, tau, se, ratio, cut = 0.1, 0.2, 0.2, (0.2,), (0.025,)
    rng = np.random.default_rng(4)
    exact = sample_selection(rng, mu, tau, np.full(4000, se), ratio, cut)
    _, data = simulate_meta_analysis(rng, n_studies=4000, se_range=(se, se), cutpoints=cut,
                                     selection_ratio=ratio, mu=mu, tau=tau)

    # density on a fine grid: numerator from the definition, constant by one quadrature
    eta = np.hypot(se, tau)
    grid = np.linspace(-1.5, 2.0, 7001)
    log_norm = integral_log_density(0.5, mu, tau, se, cut, ratio) - np.log(
        step_weight(0.5, se, cut, ratio) * stats.norm.pdf(0.5, mu, eta))
    density = np.array([step_weight(t, se, cut, ratio) for t in grid]) \
        * stats.norm.pdf(grid, mu, eta) / np.exp(-log_norm)
    cdf_grid = integrate.cumulative_trapezoid(density, grid, initial=0.0)
    assert cdf_grid[-1] == pytest.approx(1.0, abs=1e-3)
    for draws in (exact, data["effect_size"]):
        assert stats.kstest(draws, lambda x: np.interp(x, grid, cdf_grid)).pvalue > 1e-3
    # selection removes non-significant draws: more significant results than without it
    share_significant = np.mean(exact / se > stats.norm.isf(0.025))
    unselected = stats.norm.sf(stats.norm.isf(0.025) * se, mu, np.hypot(se, tau))
    assert share_significant > unselected + 0.1


def test_simulator_without_cutpoints_draws_as_before():
    # The original draw order (mu, tau, z, se, y) is unchanged, so old seeds give old data.
    truth, data = simulate_meta_analysis(np.random.default_rng(5), n_studies=4)
    rng = np.random.default_rng(5)
    mu, tau = rng.normal(0.0, 0.5), abs(rng.normal(0.0, 0.5))
    theta = mu + tau * rng.standard_normal(4)
    se = rng.uniform(0.1, 0.4, size=4)
    np.testing.assert_array_equal(data["effect_size"], rng.normal(theta, se))
    assert truth["mu"] == mu and set(truth) == {"mu", "tau", "theta"}


def test_builders_reject_bad_cutpoints_and_unknown_small_study_kinds():
    with pytest.raises(ValueError, match="cutpoints must be increasing"):
        build_selection_model(Y, SE, list("abcd"), cutpoints=(0.5, 0.025))
    with pytest.raises(ValueError, match="small_study must be one of"):
        small_study_moderator(SE, "egger")  # type: ignore[arg-type]


@pytest.mark.parametrize(("kind", "values", "sd"), [("pet", SE, 2.0), ("peese", SE**2, 5.0)])
def test_small_study_models_add_the_standard_error_or_variance_with_their_prior(kind, values,
                                                                                sd):
    model = build_meta_analysis(Y, SE, list("abcd"), small_study=kind)
    name = SMALL_STUDY_MODERATOR[kind]
    assert list(model.coords["moderator"]) == [name]
    np.testing.assert_allclose(model["x"].get_value()[:, 0], values)
    # log N(0 | 0, sd) = -log(sd) - log(2 pi) / 2 identifies the prior scale
    logp = pm.logp(model["beta"], np.zeros(1)).eval()
    np.testing.assert_allclose(logp, -np.log(sd) - 0.5 * np.log(2 * np.pi))


def test_pet_peese_uses_peese_only_when_the_pet_intercept_is_credibly_positive():
    def idata(mu_draws):
        return az.from_dict(posterior={"mu": np.asarray(mu_draws).reshape(1, -1)})

    peese = idata(np.full(100, 0.3))
    chosen, draws, p = pet_peese(idata(np.linspace(-0.02, 1.0, 100)), peese)
    assert chosen == "PEESE" and p >= 0.95 and float(draws.mean()) == pytest.approx(0.3)
    chosen, draws, p = pet_peese(idata(np.linspace(-0.5, 0.5, 100)), peese)
    assert chosen == "PET" and p == pytest.approx(0.5) and float(draws.mean()) == pytest.approx(0)


@pytest.mark.slow
def test_selection_model_recovers_the_truth_where_the_naive_pooled_mean_is_biased():
    # 120 SIMULATED published studies, strong selection (non-significant results published
    # with probability 0.15): the naive mean is pulled up, the selection model recovers mu.
    truth, data = simulate_meta_analysis(
        np.random.default_rng(21), n_studies=120, se_range=(0.05, 0.4), cutpoints=(0.025,),
        selection_ratio=(0.15,), mu=0.1, tau=0.15)
    cutpoints = data.pop("cutpoints")
    idata = fit(build_selection_model(**data, cutpoints=cutpoints), seed=22, chains=2)
    table = check_recovery(idata, {k: truth[k] for k in ("mu", "tau", "selection_ratio")},
                           label="selection model recovery")
    assert table["passed"].all()
    naive = fit(build_meta_analysis(**data), seed=23, chains=2)
    naive_lo = float(az.hdi(naive, var_names=["mu"])["mu"][0])
    assert naive_lo > truth["mu"], "the planted selection should bias the naive mean upwards"


@pytest.mark.slow
def test_sbc_selection_model_ranks_are_uniform():
    def simulate(rng):
        truth, data = simulate_meta_analysis(rng, n_studies=20, se_range=(0.1, 0.3),
                                             cutpoints=(0.025,))
        return {k: truth[k] for k in ("mu", "tau", "selection_ratio")}, data

    result = run_sbc(lambda d: build_selection_model(**d), simulate, n_simulations=100,
                     seed=20240602, label="selection model")
    table = result.check()
    assert list(table.index) == ["mu", "tau", "selection_ratio[0]"]


def test_selection_model_prior_predictive_stays_within_plausible_effects():
    model = build_selection_model(Y, SE, list("abcd"), priors=MetaAnalysisPriors())
    prior = pm.sample_prior_predictive(draws=500, model=model, random_seed=3)
    draws = prior.prior_predictive["effect_size"].to_numpy()
    assert np.isfinite(draws).all()
    assert np.mean(np.abs(draws) < 3.0) > 0.95
