"""Neighbourhood composition models (analysis/models/neighbourhood.py): errors, SBC, recovery."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.inference.sampling import fit
from analysis.inference.sbc import check_recovery, run_sbc
from analysis.models import (
    build_buurt_model,
    build_composition_model,
    simulate_buurt,
    simulate_composition,
)


def test_composition_model_names_the_wijk_row_with_impossible_counts():
    x = pd.DataFrame({"x0": [0.0, 1.0]}, index=["GM0001", "GM0002"])
    with pytest.raises(ValueError, match=r"wijk row 1: need 0 <= y <= n and n > 0, got y=12, n=10"):
        build_composition_model([1, 12], [10, 10], [0, 1], x)


def test_composition_model_rejects_out_of_range_municipality_index():
    x = pd.DataFrame({"x0": [0.0]}, index=["GM0001"])
    with pytest.raises(ValueError, match=r"municipality_idx must lie in 0..0"):
        build_composition_model([1], [10], [1], x)


def test_buurt_model_requires_matching_within_and_between_columns():
    within = pd.DataFrame({"corp": [0.1]})
    between = pd.DataFrame({"lowinc": [0.1]})
    with pytest.raises(ValueError, match=r"same predictor columns"):
        build_buurt_model([1], [10], [0], within, between, wijk=["WK1"])


def test_composition_simulator_draws_counts_within_bounds(rng):
    truth, data = simulate_composition(rng)
    assert data["y"].shape == data["n"].shape == (72,)
    assert (data["y"] >= 0).all() and (data["y"] <= data["n"]).all()
    assert 0 < truth["sigma_v"] and set(truth) >= {"a", "c", "b", "d"}


def test_composition_model_rejects_a_size_of_the_wrong_length():
    x = pd.DataFrame({"x0": [0.0]}, index=["GM0001"])
    with pytest.raises(ValueError, match=r"size must be 2 finite values, one per wijk"):
        build_composition_model([1, 2], [10, 10], [0, 0], x, size=[0.0])


def test_composition_model_with_size_adds_the_two_size_coefficients():
    x = pd.DataFrame({"x0": [0.0, 1.0]}, index=["GM0001", "GM0002"])
    plain = build_composition_model([1, 2, 3], [10, 20, 30], [0, 1, 1], x)
    sized = build_composition_model([1, 2, 3], [10, 20, 30], [0, 1, 1], x, size=[-1.0, 0.0, 1.0])
    names = {v.name for v in sized.free_RVs} - {v.name for v in plain.free_RVs}
    assert names == {"b_size", "d_size"}
    # at size 0 the wijk's Beta is the municipality's: same log-likelihood at any point
    point = sized.initial_point()
    point |= {"b_size": np.array(0.7), "d_size": np.array(-0.4)}
    logp_sized = sized.compile_logp(vars=[sized["y"]], sum=False)(point)[0]
    logp_plain = plain.compile_logp(vars=[plain["y"]], sum=False)(
        {k: v for k, v in point.items() if k in plain.initial_point()})[0]
    assert logp_sized[1] == pytest.approx(logp_plain[1])
    assert logp_sized[0] != pytest.approx(logp_plain[0])


def test_composition_simulator_with_sizes_varies_wijk_size(rng):
    truth, data = simulate_composition(rng, size_spread=1.5)
    assert data["n"].min() < data["n"].max() and data["size"].shape == data["n"].shape
    assert {"b_size", "d_size"} <= set(truth)
    assert ((data["y"] >= 0) & (data["y"] <= data["n"])).all()


@pytest.mark.slow
def test_composition_model_with_size_recovers_the_size_coefficients():
    """SIMULATED: 30 municipalities x 12 wijken from 300 to 30,000 residents, four truths drawn
    from the priors. A 94 % interval misses its truth by chance in 6 % of fits, so each size
    coefficient must be recovered in at least three of the four (five seeds tried by hand,
    all recovered both)."""
    import arviz as az

    hits = {"b_size": 0, "d_size": 0}
    for seed in range(1, 5):
        rng = np.random.default_rng(seed)
        truth, data = simulate_composition(rng, n_municipalities=30, wijken_per_municipality=12,
                                           residents=3000, size_spread=np.log(10))
        idata = fit(build_composition_model(**data), seed=rng, chains=2, draws=500, tune=500)
        for name in hits:
            low, high = az.hdi(idata.posterior[name], hdi_prob=0.94)[name].to_numpy()
            hits[name] += int(low <= truth[name] <= high)
    assert min(hits.values()) >= 3, hits


@pytest.mark.slow
def test_composition_model_recovers_simulated_truth(rng):
    """SIMULATED: 30 municipalities x 12 wijken of 3,000 residents, fixed truth."""
    truth, data = simulate_composition(rng, n_municipalities=30, wijken_per_municipality=12,
                                       residents=3000)
    idata = fit(build_composition_model(**data), seed=rng, chains=2, draws=500, tune=500)
    table = check_recovery(idata, {k: truth[k] for k in ("c", "d", "sigma_v", "rho")},
                           label="composition recovery")
    assert table["passed"].all()


@pytest.mark.slow
def test_sbc_composition_ranks_are_uniform():
    """SIMULATED SBC on tiny data (8 municipalities x 4 wijken); nutpie compiles once, so the
    covariate design is fixed and only the counts change between simulations."""
    design = pd.DataFrame({"x0": np.linspace(-1.5, 1.5, 8)},
                          index=[f"GM{i:04d}" for i in range(8)])
    result = run_sbc(lambda d: build_composition_model(**d),
                     lambda r: simulate_composition(r, wijken_per_municipality=4, residents=500,
                                                    covariates=design),
                     n_simulations=60, seed=20240601, label="composition",
                     var_names=["a", "c", "sigma_u", "sigma_v"])
    table = result.check()
    assert table["passed"].all()


def _buurt_design(n_wijken: int = 6, per_wijk: int = 5):
    """A fixed SIMULATED design: one predictor, within-wijk deviations and wijk means."""
    rng = np.random.default_rng(7)
    idx = np.repeat(np.arange(n_wijken), per_wijk)
    wijk_mean = np.linspace(-1.2, 1.2, n_wijken)
    raw = wijk_mean[idx] + rng.normal(0.0, 1.0, idx.size)
    within = pd.DataFrame({"x": raw - pd.Series(raw).groupby(idx).transform("mean").to_numpy()})
    between = pd.DataFrame({"x": wijk_mean[idx]})
    return within, between, idx


def test_buurt_simulator_draws_counts_within_bounds(rng):
    within, between, idx = _buurt_design()
    truth, data = simulate_buurt(rng, within, between, idx, residents=400)
    assert ((data["y"] >= 0) & (data["y"] <= data["n"])).all()
    assert 0 < truth["rho"] < 1 and truth["beta_within"].shape == (1,)


@pytest.mark.slow
def test_sbc_buurt_model_ranks_are_uniform():
    """SIMULATED SBC of the buurt-in-wijk model on a tiny fixed design (6 wijken x 5 buurten)."""
    within, between, idx = _buurt_design()
    result = run_sbc(lambda d: build_buurt_model(**d),
                     lambda r: simulate_buurt(r, within, between, idx, residents=400),
                     n_simulations=60, seed=20240602, label="buurt-in-wijk",
                     var_names=["a", "sigma_wijk", "beta_within", "gamma_between", "rho"])
    table = result.check()
    assert table["passed"].all()


@pytest.mark.slow
def test_sbc_buurt_model_fails_when_the_fitted_prior_is_wrong():
    """Planted mis-specification: the fitted model's coefficient prior is 5x too narrow."""
    from analysis.inference.sbc import CalibrationError
    from analysis.models import BuurtPriors

    within, between, idx = _buurt_design()
    result = run_sbc(lambda d: build_buurt_model(**d, priors=BuurtPriors(beta_sd=0.1)),
                     lambda r: simulate_buurt(r, within, between, idx, residents=400),
                     n_simulations=60, seed=20240602, label="buurt misspec",
                     var_names=["a", "sigma_wijk", "beta_within", "gamma_between", "rho"])
    with pytest.raises(CalibrationError, match=r"buurt misspec: failed simulation-based"):
        result.check()
