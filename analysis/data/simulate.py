r"""A SIMULATED municipal intervention registry with known truth (for design, never evidence).

The registry imitates what Dutch municipalities could report about their integration and
liveability interventions: one row per intervention, with an estimated effect and its standard
error. Municipalities are real (CBS 2024 codes, names, population, share of inhabitants with an
origin outside Europe, buurt-level dissimilarity index); **the interventions and their effects
are simulated**.

Generative model, for intervention :math:`k` of type :math:`j[k]` in municipality :math:`m[k]`:

.. math::

   y_k &= \mu + \alpha_{j[k]} + u_{m[k]} + v_{m[k], j[k]} + \varepsilon_k,
   \qquad \varepsilon_k \sim \mathcal N(0, s_k^2) \\
   u_m &= \beta_\text{size} z^\text{size}_m + \beta_\text{share} z^\text{share}_m
          + \beta_\text{seg} z^\text{seg}_m + \sigma_\text{municipality}\,\eta_m,
   \qquad \eta_m \sim \mathcal N(0, 1) \\
   v_{m,j} &\sim \mathcal N(0, \sigma_\text{interaction}^2) \\
   s_k &= \sqrt{4 / n_k}, \qquad \log n_k \sim \mathcal N(\log 150, 0.8^2),\ n_k \ge 20

* :math:`y_k` (``effect_size``): standardised mean difference (treated minus comparison, in
  SDs) on an integration / liveability measure; positive = better;
* :math:`\mu + \alpha_j`: mean effect of type :math:`j`; the :math:`\alpha_j` sum to zero, so
  :math:`\mu` is the unweighted mean over types;
* :math:`z^\cdot_m`: municipal covariates standardised over the registry's municipalities
  (size = log population 2024, share = % origin outside Europe, seg = dissimilarity D over
  buurten, outside-Europe origin vs the rest);
* :math:`s_k` (``standard_error``): known sampling SE of an SMD from :math:`n_k` participants in
  two equal arms.

Everything is drawn from ``numpy.random.default_rng(seed)`` in a fixed order, so the same seed
gives the same registry, byte for byte.
"""

from __future__ import annotations

import dataclasses
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import data
from analysis.config import SEED
from analysis.results.segregation import segregation_indices

INTERVENTION_TYPES: dict[str, tuple[str, ...]] = {
    "one_off_meeting": ("street party", "neighbourhood barbecue"),
    "shared_activity": ("mentoring", "language lessons", "sport", "eating together"),
    "housing_differentiation": ("attracting better-off residents", "mixed-tenure new build"),
    "physical_restructuring": ("demolition and new build", "renovation of public space"),
    "allocation_rules": ("allocation quota", "income-based selection"),
    "dispersal": ("dispersal through housing allocation",),
}
"""The six intervention types of the SCP review (Gijsberts & Dagevos 2007), with the
activities (``activity`` column) drawn within each. Rotterdamwet municipalities draw
``"Rotterdamwet selection"`` as their allocation-rule activity."""

ROTTERDAMWET_ACTIVITY = "Rotterdamwet selection"

OUTCOME_SCALE = (
    "standardised mean difference (SD units, treated minus comparison) on an integration / "
    "liveability measure; positive = better"
)

REGISTRY_COLUMNS = (
    "intervention_id", "municipality_code", "municipality", "intervention_type", "activity",
    "year", "n_participants", "effect_size", "standard_error", "population",
    "pct_outside_europe", "segregation_d", "vogelaar", "rotterdamwet",
)
"""Columns of the simulated registry, in file order."""


@dataclass(frozen=True)
class RegistryParameters:
    """True parameters of the simulated registry (see the module docstring for the model).

    Attributes
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``.
    n_interventions : int
        Number of interventions (rows).
    n_municipalities : int
        Number of real municipalities drawn into the registry.
    mu : float
        Overall mean effect (SMD), the unweighted mean of the type means.
    type_effects : dict
        Deviation of each intervention type's mean from ``mu`` (sum to zero).
    type_probabilities : dict
        Probability that an intervention is of each type.
    beta_size, beta_share, beta_segregation : float
        Change in the municipality effect per SD of log population, of % outside-Europe origin
        and of the dissimilarity index D.
    sigma_municipality : float
        SD of the municipality effect not explained by the covariates.
    sigma_interaction : float
        SD of the municipality x type deviations.
    median_participants, sd_log_participants, min_participants : float
        Distribution of the number of participants per evaluation (sets the SE).
    years : tuple of int
        First and last year of the interventions (uniform).
    """

    seed: int = SEED
    n_interventions: int = 400
    n_municipalities: int = 45
    mu: float = 0.10
    type_effects: dict[str, float] = field(
        default_factory=lambda: {
            "one_off_meeting": -0.08,
            "shared_activity": 0.12,
            "housing_differentiation": -0.02,
            "physical_restructuring": 0.05,
            "allocation_rules": -0.07,
            "dispersal": 0.00,
        }
    )
    type_probabilities: dict[str, float] = field(
        default_factory=lambda: {
            "one_off_meeting": 0.22,
            "shared_activity": 0.30,
            "housing_differentiation": 0.12,
            "physical_restructuring": 0.14,
            "allocation_rules": 0.10,
            "dispersal": 0.12,
        }
    )
    beta_size: float = -0.02
    beta_share: float = 0.04
    beta_segregation: float = 0.03
    sigma_municipality: float = 0.06
    sigma_interaction: float = 0.04
    median_participants: float = 150.0
    sd_log_participants: float = 0.8
    min_participants: int = 20
    years: tuple[int, int] = (2008, 2023)

    def __post_init__(self) -> None:
        """Check that types agree and the type effects sum to zero."""
        if set(self.type_effects) != set(INTERVENTION_TYPES) or set(
            self.type_probabilities
        ) != set(INTERVENTION_TYPES):
            raise ValueError(f"type_effects and type_probabilities need {list(INTERVENTION_TYPES)}")
        if abs(sum(self.type_effects.values())) > 1e-12:
            raise ValueError("type_effects must sum to zero (mu is the mean over types)")
        if abs(sum(self.type_probabilities.values()) - 1) > 1e-12:
            raise ValueError("type_probabilities must sum to one")


def select_municipalities(
    gemeenten: pd.DataFrame,
    segregation: pd.DataFrame,
    vogelaar_codes: set[str],
    rotterdamwet_codes: set[str],
    n_municipalities: int,
) -> pd.DataFrame:
    """Choose the registry's real municipalities and their covariates.

    All Vogelaar (2007) and Rotterdamwet municipalities are included; the remaining places go
    to the largest other municipalities by population in 2024.

    Parameters
    ----------
    gemeenten : pandas.DataFrame
        :func:`analysis.data.load_municipalities`.
    segregation : pandas.DataFrame
        :func:`analysis.results.segregation.segregation_indices` over buurten (index gemeente_code).
    vogelaar_codes, rotterdamwet_codes : set of str
        Municipality codes of the policy lists.
    n_municipalities : int
        How many municipalities to return.

    Returns
    -------
    pandas.DataFrame
        One row per municipality, sorted by code: ``municipality_code``, ``municipality``,
        ``population``, ``pct_outside_europe``, ``segregation_d``, ``vogelaar``,
        ``rotterdamwet``.
    """
    table = pd.DataFrame(
        {
            "municipality_code": gemeenten["gemeente_code"].to_numpy(),
            "municipality": gemeenten["gemeente_naam"].to_numpy(),
            "population": gemeenten["population_2024"].to_numpy(dtype=int),
            "pct_outside_europe": gemeenten["pct_origin_outside_europe"].to_numpy(dtype=float),
        }
    )
    table["segregation_d"] = table["municipality_code"].map(segregation["dissimilarity"])
    table["vogelaar"] = table["municipality_code"].isin(vogelaar_codes).astype(int)
    table["rotterdamwet"] = table["municipality_code"].isin(rotterdamwet_codes).astype(int)
    policy = (table["vogelaar"] + table["rotterdamwet"]) > 0
    if policy.sum() > n_municipalities:
        raise ValueError(f"{policy.sum()} policy municipalities > n_municipalities")
    rest = table[~policy].sort_values(["population", "municipality_code"], ascending=[False, True])
    chosen = pd.concat([table[policy], rest.head(n_municipalities - int(policy.sum()))])
    return chosen.sort_values("municipality_code").reset_index(drop=True)


def simulate_registry(
    municipalities: pd.DataFrame, params: RegistryParameters | None = None
) -> tuple[pd.DataFrame, dict]:
    """Simulate the intervention registry and return it with its full truth.

    Parameters
    ----------
    municipalities : pandas.DataFrame
        Output of :func:`select_municipalities`.
    params : RegistryParameters, optional
        True parameters; the defaults (seed :data:`analysis.config.SEED`) if None.

    Returns
    -------
    registry : pandas.DataFrame
        One row per intervention, columns :data:`REGISTRY_COLUMNS`, values rounded as written.
    truth : dict
        The parameters, the covariate standardisation, the realised municipality effects
        ``u_m``, the municipality x type deviations ``v_mj`` and every intervention's true
        effect (JSON-serialisable).

    Examples
    --------
    >>> registry, truth = simulate_registry(registry_municipalities())  # doctest: +SKIP
    >>> registry["effect_size"].size  # doctest: +SKIP
    400
    """
    params = params or RegistryParameters()
    rng = np.random.default_rng(params.seed)
    munis = municipalities.reset_index(drop=True)
    n_m, types = len(munis), list(INTERVENTION_TYPES)

    covariates = {
        "size": np.log(munis["population"].to_numpy(dtype=float)),
        "share": munis["pct_outside_europe"].to_numpy(dtype=float),
        "segregation": munis["segregation_d"].to_numpy(dtype=float),
    }
    scaling = {k: (float(v.mean()), float(v.std(ddof=0))) for k, v in covariates.items()}
    z = {k: (v - scaling[k][0]) / scaling[k][1] for k, v in covariates.items()}
    eta = rng.standard_normal(n_m)
    u = (
        params.beta_size * z["size"] + params.beta_share * z["share"]
        + params.beta_segregation * z["segregation"] + params.sigma_municipality * eta
    )
    v = params.sigma_interaction * rng.standard_normal((n_m, len(types)))

    # every municipality gets 4 interventions; the rest are spread in proportion to sqrt(size)
    weight = np.sqrt(munis["population"].to_numpy(dtype=float))
    extra = rng.multinomial(params.n_interventions - 4 * n_m, weight / weight.sum())
    muni_idx = np.repeat(np.arange(n_m), 4 + extra)
    type_idx = rng.choice(len(types), size=muni_idx.size,
                          p=[params.type_probabilities[t] for t in types])
    n_participants = np.maximum(
        np.round(params.median_participants
                 * np.exp(params.sd_log_participants * rng.standard_normal(muni_idx.size))),
        params.min_participants,
    ).astype(int)
    standard_error = np.round(np.sqrt(4.0 / n_participants), 4)
    alpha = np.array([params.type_effects[t] for t in types])
    true_effect = params.mu + alpha[type_idx] + u[muni_idx] + v[muni_idx, type_idx]
    effect_size = np.round(true_effect + standard_error * rng.standard_normal(muni_idx.size), 4)
    year = rng.integers(params.years[0], params.years[1] + 1, size=muni_idx.size)
    activity = [
        ROTTERDAMWET_ACTIVITY
        if types[j] == "allocation_rules" and munis.loc[m, "rotterdamwet"] == 1 and r < 0.5
        else INTERVENTION_TYPES[types[j]][int(r * len(INTERVENTION_TYPES[types[j]]))]
        for m, j, r in zip(muni_idx, type_idx, rng.random(muni_idx.size), strict=True)
    ]

    ids = [f"SIM-{k + 1:04d}" for k in range(muni_idx.size)]
    registry = pd.DataFrame(
        {
            "intervention_id": ids,
            "municipality_code": munis["municipality_code"].to_numpy()[muni_idx],
            "municipality": munis["municipality"].to_numpy()[muni_idx],
            "intervention_type": np.array(types)[type_idx],
            "activity": activity,
            "year": year,
            "n_participants": n_participants,
            "effect_size": effect_size,
            "standard_error": standard_error,
            "population": munis["population"].to_numpy()[muni_idx],
            "pct_outside_europe": munis["pct_outside_europe"].to_numpy()[muni_idx],
            "segregation_d": np.round(munis["segregation_d"].to_numpy()[muni_idx], 4),
            "vogelaar": munis["vogelaar"].to_numpy()[muni_idx],
            "rotterdamwet": munis["rotterdamwet"].to_numpy()[muni_idx],
        }
    )[list(REGISTRY_COLUMNS)]

    codes = munis["municipality_code"].tolist()
    truth = {
        "label": "SIMULATED - generated by analysis.simulate, not evidence about the Netherlands",  # noqa: E501 - frozen in data/ (byte-for-byte)
        "outcome_scale": OUTCOME_SCALE,
        "model": (
            "effect_size = mu + type_effect[type] + u[municipality] + v[municipality, type] + "
            "e, e ~ Normal(0, standard_error^2); u = beta_size*z_size + beta_share*z_share + "
            "beta_segregation*z_segregation + sigma_municipality*eta, eta ~ Normal(0, 1); "
            "v ~ Normal(0, sigma_interaction^2); standard_error = sqrt(4 / n_participants)"
        ),
        "parameters": _jsonable(dataclasses.asdict(params)),
        "type_means": {t: round(params.mu + params.type_effects[t], 12) for t in types},
        "covariate_scaling": {
            "size": {"variable": "log(population 2024)", "mean": scaling["size"][0],
                     "sd": scaling["size"][1]},
            "share": {"variable": "% origin outside Europe 2024", "mean": scaling["share"][0],
                      "sd": scaling["share"][1]},
            "segregation": {"variable": "dissimilarity D over buurten, outside Europe vs rest",
                            "mean": scaling["segregation"][0], "sd": scaling["segregation"][1]},
        },
        "municipality_effects": dict(zip(codes, u.tolist(), strict=True)),
        "interaction_effects": {
            code: dict(zip(types, v[i].tolist(), strict=True)) for i, code in enumerate(codes)
        },
        "true_effects": dict(zip(ids, true_effect.tolist(), strict=True)),
    }
    return registry, truth


def registry_csv_bytes(registry: pd.DataFrame) -> bytes:
    """Serialise a registry exactly as it is written to ``data/simulated/registry.csv``."""
    buffer = io.StringIO()
    registry.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def truth_json_bytes(truth: dict) -> bytes:
    """Serialise the truth as written to ``data/simulated/registry_truth.json``."""
    return (json.dumps(truth, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def registry_municipalities(data_dir: Path | None = None, n_municipalities: int = 45):
    """Load the real data in ``data/`` and return :func:`select_municipalities`' table."""
    kwargs = {} if data_dir is None else {"data_dir": Path(data_dir)}
    return select_municipalities(
        data.load_municipalities(**kwargs),
        segregation_indices(data.load_buurten(**kwargs)),
        set(data.load_vogelaar(**kwargs)["gemeente_code_2024"]),
        set(data.load_rotterdamwet(**kwargs)["gemeente_code_2024"]),
        n_municipalities,
    )


def _jsonable(value: object) -> object:
    """Turn tuples into lists recursively (for a stable JSON form)."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value
