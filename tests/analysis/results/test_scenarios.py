"""Scenario maths (analysis/results/scenarios.py) against hand-computed and quadrature values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from analysis.results.scenarios import (
    beta_mean_abs_deviation,
    composition_wijk_parameters,
    correlation_ratio,
    implied_dissimilarity,
    move_to_median,
    movers_to_reduce,
    predictive_check_dissimilarity,
    replicated_dissimilarity,
    weighted_median,
)
from analysis.results.segregation import dissimilarity


def test_beta_mad_of_uniform_is_one_quarter():
    # E|U - 1/2| for U ~ Uniform(0, 1) = 1/4, by hand
    assert beta_mean_abs_deviation(1.0, 1.0) == pytest.approx(0.25, rel=1e-12)


def test_beta_mad_of_beta22_is_three_sixteenths():
    # Beta(2, 2): 2 * 2^2 2^2 / (B(2,2) 4^5) = 32 * 6 / 1024 = 0.1875, by hand
    assert beta_mean_abs_deviation(2.0, 2.0) == pytest.approx(0.1875, rel=1e-12)


@pytest.mark.parametrize(("a", "b"), [(0.3, 2.5), (4.0, 30.0), (50.0, 450.0)])
def test_beta_mad_matches_quadrature(a, b):
    mean = a / (a + b)
    reference, _ = integrate.quad(lambda p: abs(p - mean) * stats.beta.pdf(p, a, b), 0, 1,
                                  points=[mean], limit=200)
    assert beta_mean_abs_deviation(a, b) == pytest.approx(reference, rel=1e-7)


def test_beta_mad_does_not_overflow_for_weak_segregation():
    value = beta_mean_abs_deviation(1e5, 9e5)
    assert np.isfinite(value) and 0 < value < 1e-3


def test_implied_dissimilarity_of_uniform_shares_is_one_half():
    # mu = 1/2, rho = 1/3 -> phi = 2 -> Beta(1, 1): D = 0.25 / (2 * 0.25) = 0.5
    assert implied_dissimilarity(0.5, 1 / 3) == pytest.approx(0.5, rel=1e-12)


def test_implied_dissimilarity_matches_d_of_many_equal_areas(rng):
    mu, rho = 0.15, 0.08
    phi = 1 / rho - 1
    shares = rng.beta(mu * phi, (1 - mu) * phi, size=400_000)
    # equal-sized areas with exact (non-random) counts: D of the shares themselves
    empirical = dissimilarity(shares, 1 - shares)
    assert implied_dissimilarity(mu, rho) == pytest.approx(empirical, rel=0.01)


def test_implied_dissimilarity_increases_with_rho():
    values = implied_dissimilarity(0.2, np.array([0.01, 0.05, 0.2, 0.5]))
    assert np.all(np.diff(values) > 0)


def test_correlation_ratio_by_hand():
    assert correlation_ratio(0.5, 0.2) == pytest.approx(0.375, rel=1e-12)


def test_movers_to_halve_d_is_half_d_times_group():
    assert movers_to_reduce(0.4, 10_000) == pytest.approx(2_000.0)
    assert movers_to_reduce(0.4, 10_000, target=0.0) == pytest.approx(4_000.0)


def test_movers_to_halve_d_matches_an_explicit_optimal_move():
    # two areas, group 80 + 20, others 20 + 80: D = 0.6 (by hand); moving 30 group members
    # from area 1 to area 2 (swapping with 30 others) gives 50/50 + 50/50 ... D = 0.
    group, other = np.array([80.0, 20.0]), np.array([20.0, 80.0])
    d = dissimilarity(group, other)
    assert d == pytest.approx(0.6)
    moves = movers_to_reduce(d, group.sum())  # half of D * 100 = 30
    moved = dissimilarity(group + np.array([-moves, moves]), other)
    assert moved == pytest.approx(d / 2)


def test_movers_rejects_target_outside_unit_interval():
    with pytest.raises(ValueError, match=r"target must lie in \[0, 1\], got 1.5"):
        movers_to_reduce(0.3, 100, target=1.5)


def test_weighted_median_by_hand():
    assert weighted_median(np.array([1.0, 2.0, 10.0]), np.array([1.0, 1.0, 5.0])) == 10.0
    assert weighted_median(np.array([3.0, 1.0, 2.0])) == 2.0


def test_move_to_median_changes_only_named_columns():
    frame = pd.DataFrame({"a": [1.0, 2.0, 9.0], "b": [5.0, 6.0, 7.0]})
    moved = move_to_median(frame, ["a"])
    assert moved["a"].tolist() == [2.0, 2.0, 2.0]
    assert moved["b"].tolist() == frame["b"].tolist()


def _composition_idata(rng, *, n_munis=3, rho=0.05, mu=0.2, b_size=0.0, d_size=0.0):
    """A fake composition posterior (2 chains x 50 draws) whose rho obeys its own regression."""
    import arviz as az

    covariates = pd.DataFrame({"x0": np.linspace(-1, 1, n_munis)},
                              index=[f"GM{i:04d}" for i in range(n_munis)])
    shape = (2, 50)
    c = np.full(shape, np.log(rho / (1 - rho)))
    d = rng.normal(0, 0.1, size=shape + (1,))
    v = rng.normal(size=shape + (n_munis,))
    sigma_v = np.full(shape, 0.2)
    eta = c[..., None] + d[..., 0, None] * covariates["x0"].to_numpy() + sigma_v[..., None] * v
    idata = az.from_dict(
        posterior={"c": c, "d": d, "v": v, "sigma_v": sigma_v, "rho": 1 / (1 + np.exp(-eta)),
                   "mu": np.full(shape + (n_munis,), mu), "b_size": np.full(shape, b_size),
                   "d_size": np.full(shape, d_size)},
        coords={"municipality": covariates.index.tolist(), "covariate": ["x0"]},
        dims={"rho": ["municipality"], "mu": ["municipality"], "v": ["municipality"],
              "d": ["covariate"]})
    return idata, covariates


def _wijken(n_munis=3, per=6, residents=2000):
    idx = np.repeat(np.arange(n_munis), per)
    n = np.full(idx.size, residents)
    return pd.DataFrame({"municipality_idx": idx, "n": n, "size_z": np.zeros(idx.size)})


def test_scenario_with_fitted_covariates_reproduces_the_fit(rng):
    idata, covariates = _composition_idata(rng)
    wijken = _wijken()
    fitted = replicated_dissimilarity(idata, wijken, np.random.default_rng(1))
    same = replicated_dissimilarity(idata, wijken, np.random.default_rng(1), covariates)
    np.testing.assert_allclose(same.to_numpy(), fitted.to_numpy(), rtol=1e-10)
    assert fitted.dims == ("chain", "draw", "municipality")


def test_wijk_parameters_apply_the_size_terms(rng):
    idata, _ = _composition_idata(rng, b_size=0.5, d_size=-1.0)
    wijken = _wijken(per=2).assign(size_z=[1.0, -1.0] * 3)
    mu, rho = composition_wijk_parameters(idata, wijken)
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    m0 = logit(idata.posterior["mu"].isel(municipality=0))
    np.testing.assert_allclose(logit(mu.isel(wijk=0)), m0 + 0.5)
    np.testing.assert_allclose(logit(mu.isel(wijk=1)), m0 - 0.5)
    r0 = logit(idata.posterior["rho"].isel(municipality=0))
    np.testing.assert_allclose(logit(rho.isel(wijk=0)), r0 - 1.0)


def test_replicated_dissimilarity_grows_with_rho(rng):
    low, _ = _composition_idata(rng, rho=0.005)
    high, _ = _composition_idata(rng, rho=0.2)
    wijken = _wijken(per=20)
    d_low = replicated_dissimilarity(low, wijken, np.random.default_rng(2)).mean()
    d_high = replicated_dissimilarity(high, wijken, np.random.default_rng(2)).mean()
    assert float(d_low) < float(d_high)


def test_replicated_dissimilarity_of_many_equal_wijken_matches_the_beta_formula(rng):
    # with many large, equal wijken the two routes to D must agree (the formula's own case)
    idata, _ = _composition_idata(rng, n_munis=1, rho=0.05, mu=0.2)
    wijken = _wijken(n_munis=1, per=3000, residents=100_000)
    replicated = replicated_dissimilarity(idata, wijken, np.random.default_rng(3), thin=10)
    formula = implied_dissimilarity(0.2, idata.posterior["rho"].isel(draw=slice(None, None, 10)))
    np.testing.assert_allclose(replicated.to_numpy()[..., 0], np.asarray(formula)[..., 0],
                               rtol=0.03)


def test_predictive_check_flags_an_observed_value_outside():
    import xarray as xr

    rep = xr.DataArray(np.tile(np.linspace(0.1, 0.3, 201), (2, 1))[..., None].repeat(2, axis=2),
                       dims=("chain", "draw", "municipality"),
                       coords={"municipality": ["GM0001", "GM0002"]})
    table = predictive_check_dissimilarity(rep, pd.Series({"GM0001": 0.2, "GM0002": 0.5}))
    assert table["inside"].tolist() == [True, False]
    assert table.loc["GM0001", "p_below"] == pytest.approx(0.5, abs=0.01)
    assert table.loc["GM0001", "lo"] == pytest.approx(0.1 + 0.2 * 0.03, abs=1e-3)
