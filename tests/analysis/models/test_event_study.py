"""The postcode event study (analysis/models/event_study.py): likelihood, validation, SBC."""

from __future__ import annotations

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr
from scipy import stats

from analysis.inference.sbc import CalibrationError, run_sbc
from analysis.models import (
    EventStudyError,
    EventStudyPriors,
    build_event_study,
    exposure_contrast,
    simulate_design,
    simulate_event_study,
    unit_log_likelihood,
)

SBC_SEED = 20240603
SBC_DESIGN = simulate_design(np.random.default_rng(5), n_units=60, n_groups=4,
                             years=(2002, 2012, 2016), reference_year=2008, baseline_gap=2.5)
"""Fixed SIMULATED design of the SBC runs: 60 units in 4 groups, one pre and two post years,
exposed units far below the others at baseline (the Vogelaar postcodes were selected for
being worse off), so that regression to the mean confounds exposure."""

SBC_VARS = ["beta", "rho", "sigma", "sigma_unit", "effect_sd", "effect_post"]


def small_data(seed: int = 1, **design: object) -> dict:
    design = {"n_units": 8, "n_groups": 2, **design}
    return simulate_event_study(np.random.default_rng(seed),
                                simulate_design(np.random.default_rng(seed), **design))[1]


def _centred(values: np.ndarray, data: dict) -> np.ndarray:
    """Group-centred unit-level column, computed independently with pandas."""
    frame = pd.DataFrame({"u": data["unit"], "g": data["group"], "v": values})
    units = frame.drop_duplicates("u")
    return values - frame["g"].map(units.groupby("g")["v"].mean()).to_numpy()


def _observed_logp_and_mean(model: pm.Model, point: dict, data: dict) -> tuple[float, np.ndarray]:
    """Observed logp from the model, and the mean computed by hand from the same point."""
    logp = model.compile_logp(vars=model.observed_RVs, sum=True)(point)
    years = np.unique(data["year"])
    groups = np.unique(data["group"])
    t = np.searchsorted(years, data["year"])
    g = np.searchsorted(groups, data["group"])
    post = (data["year"] > data["reference_year"]).astype(float)
    tau = np.exp(point["effect_sd_log__"])
    effect = point["beta"][t] + post * tau * point["z_effect"][g]
    mu = (point["gamma"][g, t] + point["rho"][t] * _centred(data["baseline"], data)
          + _centred(data["exposure"], data) * effect)
    return float(logp), mu


def _random_point(model: pm.Model, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    point = model.initial_point()
    return {k: v + 0.05 * rng.normal(size=np.shape(v)) for k, v in point.items()}


# --- the likelihood against an independent reference ---------------------------------------

def test_marginal_likelihood_equals_the_compound_symmetric_multivariate_normal():
    """With the unit intercept integrated out, logp = sum over units of an MVN logpdf."""
    data = small_data()
    # an unbalanced panel: drop one row of the first unit
    keep = np.ones(data["change"].size, bool)
    keep[1] = False
    data = {k: (v[keep] if isinstance(v, np.ndarray) else v) for k, v in data.items()}
    model = build_event_study(**data)
    point = _random_point(model)
    point["sigma_log__"] = np.log(0.04)
    point["sigma_unit_log__"] = np.log(0.03)
    point["beta"] = np.array([0.01, -0.02, 0.03, 0.05])
    logp, mu = _observed_logp_and_mean(model, point, data)
    expected = 0.0
    for u in np.unique(data["unit"]):
        rows = data["unit"] == u
        cov = 0.04**2 * np.eye(rows.sum()) + 0.03**2
        expected += stats.multivariate_normal(mu[rows], cov).logpdf(data["change"][rows])
    assert float(logp) == pytest.approx(expected, rel=1e-9)


def test_without_unit_effect_the_likelihood_is_independent_normal():
    data = small_data()
    model = build_event_study(**data, unit_effect=False)
    point = _random_point(model)
    logp, mu = _observed_logp_and_mean(model, point, data)
    sigma = np.exp(point["sigma_log__"])
    assert float(logp) == pytest.approx(stats.norm.logpdf(data["change"], mu, sigma).sum())


def test_model_has_named_dims_and_the_documented_variables():
    data = small_data(years=(2002, 2012, 2016, 2020))
    model = build_event_study(**data, dose=np.zeros(data["change"].size))
    assert list(model.coords["year"]) == [2002, 2012, 2016, 2020]
    assert list(model.coords["pre_year"]) == [2002]
    assert list(model.coords["post_year"]) == [2012, 2016, 2020]
    names = {v.name for v in model.free_RVs} | {v.name for v in model.deterministics}
    assert {"gamma", "beta", "rho", "theta", "effect_sd", "z_effect",
            "effect_post", "pretrend", "effect_group", "sigma", "sigma_unit"} <= names


def test_effect_post_is_the_mean_of_the_post_year_coefficients():
    data = small_data(years=(2002, 2012, 2016, 2020))
    model = build_event_study(**data)
    point = model.initial_point()
    point["beta"] = np.array([0.5, 0.1, 0.2, 0.6])
    outs = model.replace_rvs_by_values([model["effect_post"], model["pretrend"]])
    f = model.compile_fn(outs, inputs=model.value_vars, on_unused_input="ignore")
    post, pre = f(point)
    assert float(post) == pytest.approx(0.3)
    assert float(pre) == pytest.approx(0.5)


def test_school_funding_design_reference_2012_with_two_pre_years_builds():
    """The impulsgebieden layout: exposure 0/1, reference 2012, pre 2002 and 2008."""
    data = small_data(years=(2002, 2008, 2014, 2016, 2018, 2020, 2022), reference_year=2012,
                      continuous_exposure=False)
    model = build_event_study(**data)
    assert list(model.coords["pre_year"]) == [2002, 2008]
    assert set(np.unique(data["exposure"])) == {0.0, 1.0}


# --- validation -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"exposure": lambda x: x + 2.0}, r"exposure must lie in \[0, 1\]"),
        ({"change": lambda x: np.r_[np.nan, x[1:]]}, r"change: 1 missing value"),
        ({"year": lambda x: np.where(x == 2002, 2008, x)}, r"rows of the reference year 2008"),
        ({"exposure": lambda x: np.r_[0.5, x[1:]]}, r"exposure must be constant within a unit"),
        ({"unit": lambda x: np.roll(x, 1)},
         r"rows of one unit must be contiguous"),
        ({"baseline": lambda x: x[:-1]}, r"baseline has shape"),
    ],
)
def test_invalid_inputs_are_refused_with_a_message_saying_what(change, match):
    data = small_data()
    data["exposure"] = np.where(data["exposure"] > 0, 1.0, 0.0)
    (key, func), = change.items()
    data[key] = func(np.asarray(data[key]))
    with pytest.raises(EventStudyError, match=match):
        build_event_study(**data)


def test_no_post_year_is_refused():
    data = small_data(years=(2002,), reference_year=2008)
    with pytest.raises(EventStudyError, match=r"no year after the reference year 2008"):
        build_event_study(**data)


# --- helpers --------------------------------------------------------------------------------

def test_exposure_contrast_weights_exposed_units_by_their_exposure():
    values = np.array([[1.0, 3.0, 0.0, 10.0, 20.0, 4.0]])
    exposure = np.array([1.0, 0.5, 0.0, 1.0, 0.5, 0.0])
    year = np.array([1, 1, 1, 2, 2, 2])
    # year 1: (1*1 + .5*3)/1.5 - 0 = 5/3; year 2: (10 + 10)/1.5 - 4
    np.testing.assert_allclose(exposure_contrast(values, exposure, year, [1, 2]),
                               [[5 / 3, 20 / 1.5 - 4]])


def test_unit_log_likelihood_sums_rows_per_unit():
    pointwise = xr.DataArray(np.arange(12.0).reshape(1, 2, 6), dims=("chain", "draw", "row"))
    idata = az.InferenceData(log_likelihood=xr.Dataset({"change": pointwise}))
    out = unit_log_likelihood(idata, ["b", "b", "a", "a", "a", "c"])
    assert list(out["unit"].values) == ["a", "b", "c"]
    np.testing.assert_allclose(out.isel(chain=0, draw=0), [2 + 3 + 4, 0 + 1, 5])


def test_simulator_draws_scales_from_the_stated_half_normal_priors():
    rng = np.random.default_rng(3)
    priors = EventStudyPriors()
    design = simulate_design(np.random.default_rng(0), n_units=4, n_groups=2)
    truths = [simulate_event_study(rng, design, priors=priors)[0] for _ in range(3000)]
    sigma = np.array([t["sigma"] for t in truths])
    beta = np.array([t["beta"] for t in truths])
    assert sigma.mean() == pytest.approx(priors.sigma_scale * np.sqrt(2 / np.pi), rel=0.05)
    assert beta.std() == pytest.approx(priors.beta_sd, rel=0.05)
    no_rtm = simulate_event_study(rng, design, rtm=False)[0]
    assert np.all(no_rtm["rho"] == 0)


def test_simulated_design_puts_exposed_units_below_the_others_at_baseline():
    design = simulate_design(np.random.default_rng(1), n_units=200, baseline_gap=1.5)
    frame = pd.DataFrame(design).drop(columns="reference_year").drop_duplicates("unit")
    exposed = frame["exposure"] > 0
    assert frame.loc[exposed, "baseline"].mean() < frame.loc[~exposed, "baseline"].mean() - 1


# --- simulation-based calibration (SIMULATED data, slow lane) --------------------------------

def _simulate(rng: np.random.Generator):
    return simulate_event_study(rng, SBC_DESIGN)


def _build(data: dict) -> pm.Model:
    return build_event_study(**data)


def _build_without_baseline(data: dict) -> pm.Model:
    """Planted mis-specification: the baseline x year term is dropped (baseline set to 0, the
    same compiled graph) while the simulator has regression to the mean tied to exposure."""
    return build_event_study(**{**data, "baseline": np.zeros_like(data["baseline"])})


@pytest.mark.slow
def test_sbc_event_study_ranks_are_uniform():
    """40 simulations x 1 chain x (200 tune + 300 draws), ~20 s of one core incl. compiling.

    An offline run of 150 simulations (seed 99, 300 tune) gave p > 0.12 for every quantity.
    """
    result = run_sbc(_build, _simulate, n_simulations=40, seed=SBC_SEED,
                     label="event study", var_names=SBC_VARS, tune=200, draws=300)
    table = result.check()
    assert table["passed"].all()
    assert result.n_draws == 100


@pytest.mark.slow
def test_sbc_fails_when_the_baseline_term_is_omitted_under_regression_to_the_mean():
    """25 simulations: without rho, beta absorbs the exposure-correlated RTM and its ranks pile
    up at the extremes (the sign of the bias is the sign of the drawn rho_t). The placebo
    coefficient beta[0] shows it most clearly; in the post-period mean the biases of two years
    with independent rho_t partly cancel."""
    result = run_sbc(_build_without_baseline, _simulate, n_simulations=25, seed=SBC_SEED,
                     label="event study (no baseline)", var_names=["beta", "effect_post"],
                     tune=200, draws=300)
    assert result.uniformity().loc["beta[0]", "extreme_share"] > 0.5  # calibrated: 0.2
    with pytest.raises(CalibrationError, match=r"event study \(no baseline\): failed "
                       r"simulation-based calibration[\s\S]*- beta\["):
        result.check()


def test_unit_log_likelihood_computes_a_missing_log_likelihood_from_the_model():
    data = small_data()
    model = build_event_study(**data)
    point = model.initial_point()
    posterior = {k: v[None, None] for k, v in point.items() if not k.endswith("__")}
    posterior.update({k[:-6]: np.exp(v)[None, None] for k, v in point.items()
                      if k.endswith("_log__")})
    idata = az.from_dict(posterior=posterior, dims={"gamma": ["group", "year"],
                                                    "beta": ["year"], "rho": ["year"],
                                                    "z_effect": ["group"]},
                         coords={k: model.coords[k] for k in ("group", "year")})
    with pytest.raises(EventStudyError, match="no log_likelihood group"):
        unit_log_likelihood(idata, data["unit"])
    out = unit_log_likelihood(idata, data["unit"], model)
    assert "log_likelihood" in idata.groups()
    expected = float(model.compile_logp(vars=model.observed_RVs, sum=True)(point))
    assert float(out.sum()) == pytest.approx(expected, rel=1e-6)
