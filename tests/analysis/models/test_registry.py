"""The registry model: structure, exact marginalisation, predictions, recovery with real fits."""

from __future__ import annotations

import arviz as az
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import stats

from analysis.models.registry import (
    RegistryPriors,
    add_interaction_draws,
    build_registry_model,
    municipality_table,
    new_municipality_covariates,
    predict_new_municipality,
)

TYPES = ("one_off_meeting", "shared_activity", "physical_restructuring")


def tiny_registry(
    rng: np.random.Generator, n_municipalities: int = 6, per_municipality: int = 5
) -> pd.DataFrame:
    """A small registry drawn from the model itself (own generator, not analysis.data.simulate)."""
    codes = [f"GM{100 + i:04d}" for i in range(n_municipalities)]
    population = np.round(np.exp(rng.normal(11, 1, n_municipalities)))
    share = np.round(rng.uniform(5, 40, n_municipalities), 1)
    m = np.repeat(np.arange(n_municipalities), per_municipality)
    t = rng.integers(0, len(TYPES), m.size)
    se = rng.uniform(0.1, 0.3, m.size)
    theta = 0.1 + np.array([-0.1, 0.1, 0.0])[t] + 0.05 * rng.standard_normal(n_municipalities)[m]
    return pd.DataFrame(
        {
            "municipality_code": np.array(codes)[m],
            "intervention_type": np.array(TYPES)[t],
            "effect_size": theta + se * rng.standard_normal(m.size),
            "standard_error": se,
            "population": population[m],
            "pct_outside_europe": share[m],
        }
    )


def test_builder_uses_domain_dims_and_zero_sum_type_effects(rng):
    registry = tiny_registry(rng)
    model = build_registry_model(registry)
    assert model.named_vars_to_dims["type_effect"] == ("intervention_type",)
    assert model.named_vars_to_dims["municipality_effect"] == ("municipality",)
    assert model.named_vars_to_dims["beta"] == ("covariate",)
    assert list(model.coords["covariate"]) == ["log_population", "pct_outside_europe"]
    assert type(model["type_effect"].owner.op).__name__ == "ZeroSumNormalRV"
    explicit = build_registry_model(registry, marginalise_interaction=False)
    assert explicit.named_vars_to_dims["interaction"] == ("municipality", "intervention_type")
    assert {"z_municipality", "z_interaction"} <= {v.name for v in explicit.free_RVs}


def test_builder_rejects_non_positive_standard_error_naming_row(rng):
    registry = tiny_registry(rng)
    registry.loc[3, "standard_error"] = 0.0
    with pytest.raises(ValueError, match=r"row 4, column 'standard_error'"):
        build_registry_model(registry)


def test_covariate_that_varies_within_a_municipality_is_rejected(rng):
    registry = tiny_registry(rng)
    registry.loc[1, "pct_outside_europe"] = 99.0
    with pytest.raises(ValueError, match=r"'pct_outside_europe' differs .* 'GM0100'"):
        municipality_table(registry)


def test_marginalised_likelihood_equals_multivariate_normal_of_each_cell(rng):
    # Reference: integrating v out of y_k = m + v + e_k gives, per cell, a multivariate normal
    # with covariance diag(s_k^2) + sigma_v^2 * 11' (computed with scipy). The collapsed
    # likelihood must differ from it only by a constant, so differences between two parameter
    # points must agree to rounding.
    registry = tiny_registry(rng, n_municipalities=3, per_municipality=6)
    model = build_registry_model(registry, covariates=())
    logp = model.compile_fn(model.logp(vars=model.observed_RVs), inputs=model.value_vars)
    codes = sorted(registry["municipality_code"].unique())
    types = sorted(registry["intervention_type"].unique())

    def point(mu, sigma_m, sigma_v, shift):
        z = np.array([0.5, -1.0, 0.3])
        te = np.linspace(-0.1, 0.1, len(types) - 1) + shift
        return {"mu": mu, "type_effect_zerosum__": te, "beta": np.zeros(0),
                "sigma_municipality_log__": np.log(sigma_m), "z_municipality": z,
                "sigma_interaction_log__": np.log(sigma_v)}, (mu, sigma_m, z, sigma_v)

    def reference(mu, sigma_m, z, sigma_v, type_effect):
        total = 0.0
        for (code, kind), cell in registry.groupby(["municipality_code", "intervention_type"]):
            mean = mu + type_effect[types.index(kind)] + sigma_m * z[codes.index(code)]
            cov = np.diag(cell["standard_error"] ** 2) + sigma_v**2
            total += stats.multivariate_normal(np.full(len(cell), mean), cov).logpdf(
                cell["effect_size"].to_numpy())
        return total

    type_effect_of = model.compile_fn(
        model.replace_rvs_by_values([model["type_effect"]])[0], inputs=model.value_vars,
        on_unused_input="ignore")
    values = []
    for args in [(0.1, 0.05, 0.03, 0.0), (-0.2, 0.2, 0.3, 0.05)]:
        inputs, (mu, sm, z, sv) = point(*args)
        type_effect = type_effect_of(inputs)
        values.append((float(logp(inputs)), reference(mu, sm, z, sv, type_effect)))
    assert values[0][0] - values[1][0] == pytest.approx(values[0][1] - values[1][1], rel=1e-8)


def _fake_idata(sigma_m: float, sigma_v: float, n_draw: int = 2000) -> az.InferenceData:
    """A hand-made posterior with known values, for the prediction formulas."""
    types = list(TYPES)
    posterior = xr.Dataset(
        {
            "mu": (("chain", "draw"), np.full((1, n_draw), 0.1)),
            "type_mean": (("chain", "draw", "intervention_type"),
                          np.tile([0.0, 0.2, 0.1], (1, n_draw, 1))),
            "beta": (("chain", "draw", "covariate"), np.tile([0.05, -0.02], (1, n_draw, 1))),
            "sigma_municipality": (("chain", "draw"), np.full((1, n_draw), sigma_m)),
            "sigma_interaction": (("chain", "draw"), np.full((1, n_draw), sigma_v)),
        },
        coords={"intervention_type": types, "covariate": ["log_population",
                                                           "pct_outside_europe"]},
    )
    const = xr.Dataset(
        {"covariate_mean": ("covariate", [10.0, 20.0]), "covariate_sd": ("covariate", [1.0, 10.0])},
        coords={"covariate": ["log_population", "pct_outside_europe"]},
    )
    return az.InferenceData(posterior=posterior, constant_data=const)


def test_new_municipality_mean_is_type_mean_plus_standardised_covariate_term():
    # By hand: x = ((log(e^11) - 10)/1, (30 - 20)/10) = (1, 1); beta.x = 0.05 - 0.02 = 0.03.
    idata = _fake_idata(sigma_m=0.0, sigma_v=0.0, n_draw=3)
    cov = new_municipality_covariates(np.exp(11.0), 30.0)
    effect = predict_new_municipality(idata, cov, seed=1)
    expected = np.array([0.0, 0.2, 0.1]) + 0.03
    np.testing.assert_allclose(effect.isel(chain=0, draw=0).to_numpy(), expected, rtol=1e-12)


def test_new_municipality_spread_is_municipality_plus_interaction_sd():
    # Var = sigma_m^2 + sigma_v^2 = 0.09 + 0.16 = 0.25, so SD 0.5 (Monte Carlo, 20,000 draws).
    idata = _fake_idata(sigma_m=0.3, sigma_v=0.4, n_draw=20_000)
    effect = predict_new_municipality(idata, new_municipality_covariates(np.exp(10), 20.0), 3)
    assert float(effect.std(("chain", "draw")).max()) == pytest.approx(0.5, rel=0.03)
    with pytest.raises(ValueError, match="lacks covariate"):
        predict_new_municipality(idata, {"log_population": 10.0}, 3)


def test_interaction_draws_follow_the_normal_conditional(rng):
    # One cell with ybar = 0.3, sbar = 0.1, fitted mean 0.1 and sigma_v = 0.1: conditional
    # precision 100 + 100 = 200, mean (0.3 - 0.1) * 100 / 200 = 0.1, SD 200**-0.5 (by hand).
    n = 20_000
    posterior = xr.Dataset(
        {
            "type_mean": (("chain", "draw", "intervention_type"), np.full((1, n, 1), 0.1)),
            "municipality_effect": (("chain", "draw", "municipality"), np.zeros((1, n, 2))),
            "sigma_interaction": (("chain", "draw"), np.full((1, n), 0.1)),
        },
        coords={"intervention_type": ["a"], "municipality": ["GM0001", "GM0002"]},
    )
    idata = az.InferenceData(
        posterior=posterior,
        constant_data=xr.Dataset({"cell_municipality_idx": ("cell", [0]),
                                  "cell_type_idx": ("cell", [0]),
                                  "cell_standard_error": ("cell", [0.1])}),
        observed_data=xr.Dataset({"cell_effect_size": ("cell", [0.3])}),
    )
    draws = add_interaction_draws(idata, rng).posterior["interaction"]
    observed, empty = draws.isel(municipality=0), draws.isel(municipality=1)
    assert float(observed.mean()) == pytest.approx(0.1, abs=0.002)
    assert float(observed.std()) == pytest.approx(200**-0.5, rel=0.03)
    assert float(empty.std()) == pytest.approx(0.1, rel=0.03)


def test_priors_scale_together():
    assert RegistryPriors().scaled(2.0).sigma_interaction_sd == pytest.approx(0.1)


@pytest.mark.slow
def test_simulation_based_calibration_on_a_tiny_registry(rng):
    # SBC (Talts et al. 2018) with the shared helper: a fixed tiny design, truth drawn from the
    # priors by simulate_from_prior (written without PyMC); ranks of every parameter uniform.
    from analysis.inference.sbc import run_sbc
    from analysis.models.registry import simulate_from_prior

    design = tiny_registry(rng, n_municipalities=8, per_municipality=5)
    result = run_sbc(
        lambda data: build_registry_model(**data),
        lambda r: simulate_from_prior(r, design),
        n_simulations=80, seed=7, label="registry model (SBC)",
        var_names=["mu", "type_mean", "beta", "sigma_municipality", "sigma_interaction"],
        target_accept=0.95,
    )
    result.check()


@pytest.mark.slow
def test_recovers_the_simulated_registry_truth():
    # Truth: data/simulated/registry_truth.json (analysis.data.simulate, documented parameters).
    from analysis.data import load_registry, load_registry_truth
    from analysis.inference.diagnostics import check_convergence
    from analysis.inference.sampling import fit
    from analysis.inference.sbc import check_recovery

    registry, truth = load_registry(), load_registry_truth()
    params = truth["parameters"]
    covariates = ("log_population", "pct_outside_europe", "segregation_d")
    model = build_registry_model(registry, covariates=covariates)
    idata = fit(model, seed=np.random.default_rng(11), target_accept=0.95)
    check_convergence(idata, label="registry recovery")
    types = list(idata.posterior["intervention_type"].values)
    codes = list(idata.posterior["municipality"].values)
    check_recovery(
        idata,
        {
            "mu": params["mu"],
            "type_mean": [truth["type_means"][t] for t in types],
            "beta": [params["beta_size"], params["beta_share"], params["beta_segregation"]],
            "sigma_municipality": params["sigma_municipality"],
            "sigma_interaction": params["sigma_interaction"],
            "municipality_effect": [truth["municipality_effects"][c] for c in codes],
        },
        label="registry model on the SIMULATED registry",
        min_coverage=0.9,
    )
    # every type mean individually, not just 90 % of them
    hdi = az.hdi(idata, var_names=["type_mean"], hdi_prob=0.94)["type_mean"]
    true = np.array([truth["type_means"][t] for t in types])
    assert np.all((hdi.sel(hdi="lower") <= true) & (true <= hdi.sel(hdi="higher")))
