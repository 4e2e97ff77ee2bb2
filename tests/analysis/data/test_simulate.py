"""Tests of analysis.data.simulate: determinism, real covariates, and recoverable truth."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from analysis.config import DATA_DIR, SEED
from analysis.data import (
    load_municipalities,
    load_registry,
    load_registry_truth,
    municipality_codes,
    simulate,
)

PARAMS = simulate.RegistryParameters()


@pytest.fixture(scope="module")
def municipalities() -> pd.DataFrame:
    return simulate.registry_municipalities()


@pytest.fixture(scope="module")
def simulated(municipalities):
    return simulate.simulate_registry(municipalities)


def _design(registry: pd.DataFrame, truth: dict) -> np.ndarray:
    """Type indicators and standardised covariates, scaled as in the truth file."""
    scaling = truth["covariate_scaling"]
    raw = {
        "size": np.log(registry["population"].to_numpy(dtype=float)),
        "share": registry["pct_outside_europe"].to_numpy(dtype=float),
        "segregation": registry["segregation_d"].to_numpy(dtype=float),
    }
    z = [(raw[k] - scaling[k]["mean"]) / scaling[k]["sd"] for k in raw]
    kinds = registry["intervention_type"]
    types = [(kinds == t).to_numpy(float) for t in simulate.INTERVENTION_TYPES]
    return np.column_stack(types + z)


def _classical_fit(registry: pd.DataFrame, truth: dict) -> np.ndarray:
    """Weighted least squares with weights 1 / (SE^2 + known between-unit variance)."""
    weights = 1 / (registry["standard_error"].to_numpy() ** 2 + PARAMS.sigma_municipality**2
                   + PARAMS.sigma_interaction**2)
    root = np.sqrt(weights)
    design = _design(registry, truth)
    coef, *_ = np.linalg.lstsq(design * root[:, None],
                               registry["effect_size"].to_numpy() * root, rcond=None)
    return coef


TRUE_COEF = np.array(
    [PARAMS.mu + PARAMS.type_effects[t] for t in simulate.INTERVENTION_TYPES]
    + [PARAMS.beta_size, PARAMS.beta_share, PARAMS.beta_segregation]
)


def test_same_seed_gives_byte_identical_files(municipalities, simulated):
    again = simulate.simulate_registry(municipalities, simulate.RegistryParameters(seed=SEED))
    assert simulate.registry_csv_bytes(again[0]) == simulate.registry_csv_bytes(simulated[0])
    assert simulate.truth_json_bytes(again[1]) == simulate.truth_json_bytes(simulated[1])


def test_committed_registry_is_the_one_the_seed_generates(simulated):
    registry, truth = simulated
    assert (DATA_DIR / "simulated" / "registry.csv").read_bytes() == (
        simulate.registry_csv_bytes(registry)
    )
    assert (DATA_DIR / "simulated" / "registry_truth.json").read_bytes() == (
        simulate.truth_json_bytes(truth)
    )


def test_other_seed_gives_other_registry(municipalities, simulated):
    other, _ = simulate.simulate_registry(municipalities, simulate.RegistryParameters(seed=1))
    assert not np.allclose(other["effect_size"], simulated[0]["effect_size"])


def test_registry_covers_real_municipalities_and_all_types(simulated):
    registry, _ = simulated
    assert len(registry) == 400
    assert registry["municipality_code"].nunique() >= 40
    assert set(registry["municipality_code"]) <= municipality_codes()
    assert set(registry["intervention_type"]) == set(simulate.INTERVENTION_TYPES)
    assert (registry["standard_error"] > 0).all()
    rotterdamwet_rows = registry["activity"] == simulate.ROTTERDAMWET_ACTIVITY
    assert (registry.loc[rotterdamwet_rows, "rotterdamwet"] == 1).all()


def test_covariates_are_the_cbs_values(simulated):
    registry, _ = simulated
    cbs = load_municipalities().set_index("gemeente_code")
    rows = cbs.loc[registry["municipality_code"]]
    np.testing.assert_array_equal(registry["population"], rows["population_2024"])
    np.testing.assert_array_equal(registry["municipality"], rows["gemeente_naam"])
    amsterdam = registry[registry["municipality_code"] == "GM0363"].iloc[0]
    assert amsterdam["segregation_d"] == pytest.approx(0.2982, abs=5e-5)  # buurt D, see PySAL


def test_loaded_registry_equals_simulation(simulated):
    loaded = load_registry()
    pd.testing.assert_series_equal(loaded["effect_size"], simulated[0]["effect_size"])
    assert load_registry_truth() == simulated[1]


def test_true_effects_follow_the_documented_model(simulated):
    registry, truth = simulated
    params = truth["parameters"]
    expected = [
        params["mu"] + params["type_effects"][t] + truth["municipality_effects"][m]
        + truth["interaction_effects"][m][t]
        for m, t in zip(registry["municipality_code"], registry["intervention_type"], strict=True)
    ]
    np.testing.assert_allclose(list(truth["true_effects"].values()), expected, rtol=1e-12)


def test_sampling_errors_are_standard_normal_given_the_known_se(simulated):
    registry, truth = simulated
    z = (registry["effect_size"] - np.array(list(truth["true_effects"].values()))) / registry[
        "standard_error"
    ]
    assert abs(z.mean()) < 0.2  # SE of the mean of 400 N(0,1) draws is 0.05
    assert 0.9 < z.std() < 1.1


def test_municipality_effects_regress_on_covariates_with_true_slopes(simulated, municipalities):
    _, truth = simulated
    scaling = truth["covariate_scaling"]
    z = np.column_stack([
        np.ones(len(municipalities)),
        (np.log(municipalities["population"].to_numpy(float)) - scaling["size"]["mean"])
        / scaling["size"]["sd"],
        (municipalities["pct_outside_europe"] - scaling["share"]["mean"]) / scaling["share"]["sd"],
        (municipalities["segregation_d"] - scaling["segregation"]["mean"])
        / scaling["segregation"]["sd"],
    ])
    u = np.array([truth["municipality_effects"][c] for c in municipalities["municipality_code"]])
    coef, *_ = np.linalg.lstsq(z, u, rcond=None)
    # residual SD 0.06 over 45 municipalities: slope SE about 0.009
    np.testing.assert_allclose(coef[1:], TRUE_COEF[-3:], atol=0.03)


def test_classical_fit_recovers_truth_roughly(simulated):
    coef = _classical_fit(*simulated)
    # across 40 seeds the SD of each estimate is at most 0.027 (measured): allow ~3 SD
    np.testing.assert_allclose(coef, TRUE_COEF, atol=0.08)


def test_classical_fit_is_unbiased_over_seeds(municipalities):
    estimates = [
        _classical_fit(*simulate.simulate_registry(
            municipalities, simulate.RegistryParameters(seed=seed)))
        for seed in range(40)
    ]
    # SE of a mean over 40 seeds is at most 0.027 / sqrt(40) = 0.004
    np.testing.assert_allclose(np.mean(estimates, axis=0), TRUE_COEF, atol=0.015)


def test_parameters_must_be_consistent():
    with pytest.raises(ValueError, match="sum to zero"):
        dataclasses.replace(PARAMS, type_effects={**PARAMS.type_effects, "dispersal": 0.1})
    with pytest.raises(ValueError, match="sum to one"):
        dataclasses.replace(PARAMS, type_probabilities={**PARAMS.type_probabilities,
                                                        "dispersal": 0.5})
