r"""Crossed hierarchical model of an intervention registry: type x municipality, with covariates.

For intervention :math:`k` of type :math:`t = t[k]` in municipality :math:`m = m[k]`, with
reported effect :math:`y_k` and standard error :math:`s_k`:

.. math::

    y_k &\sim \mathcal{N}(\theta_k, s_k), \qquad
    \theta_k = \mu + \alpha_t + u_m + v_{m,t} \\
    \alpha &\sim \mathrm{ZeroSumNormal}(\sigma_\alpha) \\
    u_m &= x_m^\top \beta + \sigma_u z_m, \qquad z_m \sim \mathcal{N}(0, 1) \\
    v_{m,t} &= \sigma_v w_{m,t}, \qquad w_{m,t} \sim \mathcal{N}(0, 1)

* :math:`\mu` is the unweighted mean effect over intervention types (the type effects
  :math:`\alpha_t` sum to zero), so :math:`\mu + \alpha_t` is the mean effect of type :math:`t`
  in an average municipality;
* :math:`x_m` are municipal covariates standardised over the registry's municipalities
  (log population, % origin outside Europe, segregation), :math:`\beta` their coefficients;
* :math:`u_m` and :math:`v_{m,t}` are non-centred; :math:`\sigma_v` gets a tighter prior than
  :math:`\sigma_u`, because a municipality x type deviation larger than a type effect itself
  would make the types meaningless as policy categories.

Given the other parameters, the interventions of one municipality x type cell inform
:math:`\theta` only through their precision-weighted mean :math:`\bar y_c` with standard error
:math:`\bar s_c = (\sum_k s_k^{-2})^{-1/2}`, so the builder by default integrates the
deviations :math:`v_{m,t}` out exactly:
:math:`\bar y_c \sim \mathcal{N}(\mu + \alpha_t + u_m, (\bar s_c^2 + \sigma_v^2)^{1/2})`.
The posterior of every other parameter is unchanged, the funnel between :math:`\sigma_v` and
the 270 deviations disappears, and :func:`add_interaction_draws` restores the deviations
afterwards from their exact normal conditional. ``marginalise_interaction=False`` gives the
explicit non-centred model (same posterior, slower; kept as a check).

:func:`predict_new_municipality` gives the posterior predictive effect of each type in a
municipality that is not in the registry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

COVARIATES: dict[str, str] = {
    "log_population": "natural log of the municipality's population",
    "pct_outside_europe": "% of inhabitants with an origin outside Europe",
    "segregation_d": "dissimilarity index D over buurten (origin outside Europe vs the rest)",
}
"""Municipal covariates the model knows, with their meaning."""

DEFAULT_COVARIATES: tuple[str, ...] = ("log_population", "pct_outside_europe")
"""Covariates used unless told otherwise: the two a municipality always knows about itself."""

REQUIRED_COLUMNS = ("municipality_code", "intervention_type", "effect_size", "standard_error")

@dataclass(frozen=True)
class RegistryPriors:
    """Prior scales of the registry model, in SD units of the effect size.

    Parameters
    ----------
    mu_sd : float, default 0.3
        SD of the normal prior on the mean effect over types; municipal measures rarely move an
        integration outcome by more than half an SD.
    type_sd : float, default 0.2
        Scale of the zero-sum normal prior on the type effects.
    beta_sd : float, default 0.1
        SD of the normal prior on each standardised covariate coefficient.
    sigma_municipality_sd : float, default 0.1
        Scale of the half-normal prior on the SD of the municipality effects.
    sigma_interaction_sd : float, default 0.05
        Scale of the half-normal prior on the SD of the municipality x type deviations
        (tighter: see the module docstring).
    """

    mu_sd: float = 0.3
    type_sd: float = 0.2
    beta_sd: float = 0.1
    sigma_municipality_sd: float = 0.1
    sigma_interaction_sd: float = 0.05

    def scaled(self, factor: float) -> RegistryPriors:
        """Return the priors with every scale multiplied by ``factor`` (for sensitivity)."""
        return RegistryPriors(*(factor * getattr(self, f) for f in self.__dataclass_fields__))


def municipality_table(
    registry: pd.DataFrame, covariates: Sequence[str] = DEFAULT_COVARIATES
) -> pd.DataFrame:
    """Return one row per municipality with its (raw, unstandardised) covariates.

    ``log_population`` is computed from a ``population`` column; the other covariates are
    columns of the registry. Each must be constant within a municipality.

    Parameters
    ----------
    registry : pandas.DataFrame
        One row per intervention (see :func:`build_registry_model`).
    covariates : sequence of str
        Names from :data:`COVARIATES`.

    Returns
    -------
    pandas.DataFrame
        Index ``municipality_code`` (sorted), one column per covariate.

    Raises
    ------
    ValueError
        On an unknown covariate, a missing source column, a missing value, or a covariate that
        differs between rows of the same municipality.
    """
    unknown = [c for c in covariates if c not in COVARIATES]
    if unknown:
        raise ValueError(f"unknown covariate(s) {unknown}; known: {list(COVARIATES)}")
    columns = {}
    for name in covariates:
        source = "population" if name == "log_population" else name
        if source not in registry.columns:
            raise ValueError(f"covariate {name!r} needs a column {source!r} in the registry")
        values = pd.to_numeric(registry[source], errors="coerce").astype(float)
        if values.isna().any():
            row = int(np.flatnonzero(values.isna().to_numpy())[0]) + 1
            raise ValueError(f"row {row}, column {source!r}: missing or non-numeric value")
        if name == "log_population":
            if (values <= 0).any():
                raise ValueError("column 'population' must be > 0 to take its log")
            values = np.log(values)
        columns[name] = values.to_numpy()
    frame = pd.DataFrame(columns, index=registry["municipality_code"].astype(str).to_numpy())
    frame.index.name = "municipality_code"
    grouped = frame.groupby(level=0)
    if len(covariates) and (grouped.nunique() > 1).any().any():
        bad = (grouped.nunique() > 1).stack()
        code, name = bad[bad].index[0]
        raise ValueError(f"covariate {name!r} differs between rows of municipality {code!r}")
    return grouped.first().sort_index()


def build_registry_model(
    registry: pd.DataFrame,
    *,
    covariates: Sequence[str] = DEFAULT_COVARIATES,
    intervention_types: Sequence[str] | None = None,
    priors: RegistryPriors | None = None,
    marginalise_interaction: bool = True,
) -> pm.Model:
    """Build the crossed type x municipality model of an intervention registry.

    Parameters
    ----------
    registry : pandas.DataFrame
        One row per intervention with columns ``municipality_code``, ``intervention_type``,
        ``effect_size``, ``standard_error`` (> 0) and the covariates' source columns
        (``population`` for ``log_population``), validated by the loader (for the simulated
        registry :func:`analysis.data.load_registry`).
    covariates : sequence of str, default :data:`DEFAULT_COVARIATES`
        Municipal covariates (standardised inside); empty for none.
    intervention_types : sequence of str, optional
        Order of the ``intervention_type`` coordinate; the sorted observed types by default.
        Listing a type that has no rows is allowed (its effect is then prior-only).
    priors : RegistryPriors, optional
        Prior scales; :class:`RegistryPriors` defaults if omitted.
    marginalise_interaction : bool, default True
        Integrate the municipality x type deviations out (observed ``cell_effect_size``, dim
        ``cell`` = observed municipality x type pairs); False keeps them as non-centred
        ``z_interaction`` with observed ``effect_size`` (dim ``intervention``).

    Returns
    -------
    pymc.Model
        Free variables ``mu``, ``type_effect`` (zero-sum), ``beta``, ``sigma_municipality``,
        ``z_municipality``, ``sigma_interaction`` (and ``z_interaction`` if not marginalised);
        deterministics ``type_mean`` (= mu + type_effect) and ``municipality_effect`` (and
        ``interaction``). ``constant_data`` holds the covariate means and SDs used for
        standardising, for :func:`predict_new_municipality`.

    Raises
    ------
    ValueError
        On missing columns, non-positive standard errors or inconsistent covariates.

    Examples
    --------
    >>> model = build_registry_model(registry)  # doctest: +SKIP
    >>> idata = fit(model, seed=rng, **REGISTRY)  # doctest: +SKIP
    """
    priors = priors or RegistryPriors()
    missing = [c for c in REQUIRED_COLUMNS if c not in registry.columns]
    if missing:
        raise ValueError(f"registry lacks column(s) {missing}; needs {list(REQUIRED_COLUMNS)}")
    registry = registry.reset_index(drop=True)
    y = registry["effect_size"].to_numpy(dtype=float)
    se = registry["standard_error"].to_numpy(dtype=float)
    if np.any(~np.isfinite(se)) or np.any(se <= 0):
        row = int(np.flatnonzero(~(np.isfinite(se) & (se > 0)))[0]) + 1
        raise ValueError(f"row {row}, column 'standard_error': must be a finite number > 0")
    if np.any(~np.isfinite(y)):
        row = int(np.flatnonzero(~np.isfinite(y))[0]) + 1
        raise ValueError(f"row {row}, column 'effect_size': must be a finite number")

    municipalities = municipality_table(registry, covariates)
    codes = municipalities.index.tolist()
    types = list(intervention_types) if intervention_types is not None else sorted(
        registry["intervention_type"].astype(str).unique()
    )
    observed_types = set(registry["intervention_type"].astype(str))
    if not observed_types <= set(types):
        raise ValueError(f"intervention types {sorted(observed_types - set(types))} not listed")
    muni_idx = pd.Index(codes).get_indexer(registry["municipality_code"].astype(str))
    type_idx = pd.Index(types).get_indexer(registry["intervention_type"].astype(str))

    raw = municipalities.to_numpy(dtype=float)
    cov_mean = raw.mean(axis=0) if len(covariates) else np.zeros(0)
    cov_sd = raw.std(axis=0) if len(covariates) else np.ones(0)
    cov_sd = np.where(cov_sd > 0, cov_sd, 1.0)

    ids = (
        registry["intervention_id"].astype(str).tolist()
        if "intervention_id" in registry.columns and registry["intervention_id"].is_unique
        else [f"row {k + 1}" for k in range(len(registry))]
    )
    coords = {
        "intervention": ids,
        "intervention_type": types,
        "municipality": codes,
        "covariate": list(covariates),
    }
    cells = _cells(muni_idx, type_idx, y, se)
    if marginalise_interaction:
        coords["cell"] = [f"{codes[m]}:{types[t]}" for m, t in zip(
            cells["municipality_idx"], cells["type_idx"], strict=True)]
    with pm.Model(coords=coords) as model:
        raw_data = pm.Data("covariate_value", raw, dims=("municipality", "covariate"))
        mean_data = pm.Data("covariate_mean", cov_mean, dims="covariate")
        sd_data = pm.Data("covariate_sd", cov_sd, dims="covariate")
        x_data = (raw_data - mean_data) / sd_data

        mu = pm.Normal("mu", 0.0, priors.mu_sd)
        type_effect = pm.ZeroSumNormal(
            "type_effect", sigma=priors.type_sd, dims="intervention_type"
        )
        pm.Deterministic("type_mean", mu + type_effect, dims="intervention_type")

        beta = pm.Normal("beta", 0.0, priors.beta_sd, dims="covariate")
        sigma_municipality = pm.HalfNormal("sigma_municipality", priors.sigma_municipality_sd)
        z_municipality = pm.Normal("z_municipality", 0.0, 1.0, dims="municipality")
        municipality_effect = pm.Deterministic(
            "municipality_effect",
            pm.math.dot(x_data, beta) + sigma_municipality * z_municipality,
            dims="municipality",
        )
        sigma_interaction = pm.HalfNormal("sigma_interaction", priors.sigma_interaction_sd)

        if marginalise_interaction:
            m_idx = pm.Data("cell_municipality_idx", cells["municipality_idx"], dims="cell")
            t_idx = pm.Data("cell_type_idx", cells["type_idx"], dims="cell")
            cell_se = pm.Data("cell_standard_error", cells["standard_error"], dims="cell")
            cell_y = pm.Data("cell_mean_effect", cells["effect_size"], dims="cell")
            cell_mean = mu + type_effect[t_idx] + municipality_effect[m_idx]
            pm.Normal(
                "cell_effect_size", cell_mean,
                sigma=pm.math.sqrt(cell_se**2 + sigma_interaction**2),
                observed=cell_y, dims="cell",
            )
        else:
            z_interaction = pm.Normal(
                "z_interaction", 0.0, 1.0, dims=("municipality", "intervention_type")
            )
            interaction = pm.Deterministic(
                "interaction", sigma_interaction * z_interaction,
                dims=("municipality", "intervention_type"),
            )
            theta = (
                mu + type_effect[type_idx] + municipality_effect[muni_idx]
                + interaction[muni_idx, type_idx]
            )
            pm.Normal("effect_size", theta, sigma=se, observed=y, dims="intervention")
    return model


def new_municipality_covariates(
    population: float, pct_outside_europe: float, segregation_d: float | None = None
) -> dict[str, float]:
    """Return the raw covariates of a municipality in the form the model uses.

    Parameters
    ----------
    population : float
        Number of inhabitants (> 0).
    pct_outside_europe : float
        % of inhabitants with an origin outside Europe (0-100).
    segregation_d : float, optional
        Dissimilarity index D (0-1), if the model was fitted with it.

    Returns
    -------
    dict
        ``{"log_population": ..., "pct_outside_europe": ..., ["segregation_d": ...]}``.
    """
    if not population > 0:
        raise ValueError(f"population must be > 0, got {population}")
    if not 0 <= pct_outside_europe <= 100:
        raise ValueError(f"pct_outside_europe must be between 0 and 100, got {pct_outside_europe}")
    values = {"log_population": float(np.log(population)),
              "pct_outside_europe": float(pct_outside_europe)}
    if segregation_d is not None:
        values["segregation_d"] = float(segregation_d)
    return values


def predict_new_municipality(
    idata: az.InferenceData,
    covariates: Mapping[str, float],
    seed: int | np.random.Generator,
    *,
    include_interaction: bool = True,
) -> xr.DataArray:
    r"""Posterior predictive true effect of each intervention type in a new municipality.

    For each posterior draw, :math:`\theta_{new,t} = \mu + \alpha_t + x_{new}^\top\beta +
    \sigma_u \varepsilon + \sigma_v \varepsilon_t` with fresh :math:`\varepsilon,
    \varepsilon_t \sim \mathcal{N}(0, 1)`: the new municipality gets its own (unknown)
    municipality effect and its own type deviations, drawn from the fitted population.

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit of :func:`build_registry_model` (with ``constant_data``).
    covariates : mapping of str to float
        Raw covariate values of the new municipality (see :func:`new_municipality_covariates`),
        one per entry of the fitted ``covariate`` coordinate.
    seed : int or numpy.random.Generator
        Randomness for the new municipality's effects.
    include_interaction : bool, default True
        Add the municipality x type deviation (False gives the type's mean effect in a
        municipality with these covariates and an unknown overall effect).

    Returns
    -------
    xarray.DataArray
        Draws with dims ``(chain, draw, intervention_type)``, named ``new_municipality_effect``.

    Raises
    ------
    ValueError
        If a fitted covariate is missing from ``covariates``.
    """
    post = idata.posterior
    names = [str(c) for c in post["beta"].coords["covariate"].values]
    missing = [n for n in names if n not in covariates]
    if missing:
        raise ValueError(f"new municipality lacks covariate(s) {missing}; the model uses {names}")
    const = idata.constant_data
    x_new = xr.DataArray(
        [(covariates[n] - float(const["covariate_mean"].sel(covariate=n)))
         / float(const["covariate_sd"].sel(covariate=n)) for n in names],
        dims="covariate", coords={"covariate": names},
    )
    rng = np.random.default_rng(seed)
    shape = post["mu"].shape
    eps_m = xr.DataArray(rng.standard_normal(shape), dims=("chain", "draw"))
    effect = post["type_mean"] + (post["beta"] * x_new).sum("covariate")
    effect = effect + post["sigma_municipality"] * eps_m
    if include_interaction:
        eps_t = xr.DataArray(
            rng.standard_normal((*shape, post.sizes["intervention_type"])),
            dims=("chain", "draw", "intervention_type"),
        )
        effect = effect + post["sigma_interaction"] * eps_t
    return effect.transpose("chain", "draw", "intervention_type").rename(
        "new_municipality_effect"
    )


def _cells(
    muni_idx: np.ndarray, type_idx: np.ndarray, y: np.ndarray, se: np.ndarray
) -> dict[str, np.ndarray]:
    """Precision-weighted mean effect and its SE in each observed municipality x type cell."""
    frame = pd.DataFrame({"m": muni_idx, "t": type_idx, "w": se**-2.0, "wy": y * se**-2.0})
    sums = frame.groupby(["m", "t"], sort=True)[["w", "wy"]].sum()
    return {
        "municipality_idx": sums.index.get_level_values("m").to_numpy(),
        "type_idx": sums.index.get_level_values("t").to_numpy(),
        "effect_size": (sums["wy"] / sums["w"]).to_numpy(),
        "standard_error": (sums["w"] ** -0.5).to_numpy(),
    }


def add_interaction_draws(
    idata: az.InferenceData, seed: int | np.random.Generator
) -> az.InferenceData:
    r"""Add exact draws of the municipality x type deviations to a marginalised fit.

    For each posterior draw and observed cell :math:`c`, :math:`v_c` is normal with precision
    :math:`\bar s_c^{-2} + \sigma_v^{-2}` and mean :math:`(\bar y_c - \mu - \alpha_t - u_m)
    \bar s_c^{-2}` / precision; cells without interventions get :math:`v \sim
    \mathcal{N}(0, \sigma_v)`. The result, ``interaction`` with dims ``(municipality,
    intervention_type)``, is added to ``idata.posterior`` in place.

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit of :func:`build_registry_model` with ``marginalise_interaction=True``.
    seed : int or numpy.random.Generator
        Randomness for the conditional draws.

    Returns
    -------
    arviz.InferenceData
        The same object, for chaining.
    """
    post, const = idata.posterior, idata.constant_data
    rng = np.random.default_rng(seed)
    n_chain, n_draw = post.sizes["chain"], post.sizes["draw"]
    n_m, n_t = post.sizes["municipality"], post.sizes["intervention_type"]
    sigma_v = post["sigma_interaction"].to_numpy()[..., None, None]
    values = sigma_v * rng.standard_normal((n_chain, n_draw, n_m, n_t))
    m_idx = const["cell_municipality_idx"].to_numpy().astype(int)
    t_idx = const["cell_type_idx"].to_numpy().astype(int)
    s_c = const["cell_standard_error"].to_numpy()
    y_c = idata.observed_data["cell_effect_size"].to_numpy()
    mean_c = (post["type_mean"].to_numpy()[..., t_idx]
              + post["municipality_effect"].to_numpy()[..., m_idx])
    precision = s_c**-2.0 + sigma_v[..., 0] ** -2.0
    cond_mean = (y_c - mean_c) * s_c**-2.0 / precision
    values[..., m_idx, t_idx] = cond_mean + rng.standard_normal(cond_mean.shape) / np.sqrt(
        precision
    )
    post["interaction"] = xr.DataArray(
        values, dims=("chain", "draw", "municipality", "intervention_type"),
        coords={"municipality": post["municipality"], "intervention_type":
                post["intervention_type"]},
    )
    return idata


def simulate_from_prior(
    rng: np.random.Generator,
    design: pd.DataFrame,
    priors: RegistryPriors | None = None,
    covariates: Sequence[str] = DEFAULT_COVARIATES,
) -> tuple[dict[str, object], dict[str, object]]:
    r"""Draw true parameters from the priors and a SIMULATED registry on a fixed design.

    The documented data-generating process of :func:`build_registry_model`, written
    independently of the PyMC model (for simulation-based calibration): type effects are i.i.d.
    :math:`\mathcal{N}(0, \sigma_\alpha)` minus their mean (the zero-sum normal), and every
    municipality x type cell gets its own deviation :math:`v_{m,t}`.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    design : pandas.DataFrame
        A registry whose ``municipality_code``, ``intervention_type``, ``standard_error`` and
        covariate columns are kept; ``effect_size`` is replaced.
    priors : RegistryPriors, optional
        Prior scales to draw the truth from (defaults as in the model).
    covariates : sequence of str
        Covariates, as passed to the builder.

    Returns
    -------
    truth : dict
        ``mu``, ``type_mean``, ``beta``, ``sigma_municipality``, ``sigma_interaction``,
        ``municipality_effect``, in the model's coordinate order.
    data : dict
        ``{"registry": frame}``, the keyword argument of :func:`build_registry_model`.
    """
    priors = priors or RegistryPriors()
    design = design.reset_index(drop=True)
    munis = municipality_table(design, covariates)
    types = sorted(design["intervention_type"].astype(str).unique())
    raw = munis.to_numpy(dtype=float)
    sd = raw.std(axis=0) if len(covariates) else np.ones(0)
    x = (raw - raw.mean(axis=0)) / np.where(sd > 0, sd, 1.0) if len(covariates) else raw
    mu = rng.normal(0.0, priors.mu_sd)
    alpha = rng.normal(0.0, priors.type_sd, len(types))
    alpha -= alpha.mean()
    beta = rng.normal(0.0, priors.beta_sd, len(covariates))
    sigma_m = abs(rng.normal(0.0, priors.sigma_municipality_sd))
    sigma_v = abs(rng.normal(0.0, priors.sigma_interaction_sd))
    u = x @ beta + sigma_m * rng.standard_normal(len(munis))
    v = sigma_v * rng.standard_normal((len(munis), len(types)))
    m = pd.Index(munis.index).get_indexer(design["municipality_code"].astype(str))
    t = pd.Index(types).get_indexer(design["intervention_type"].astype(str))
    se = design["standard_error"].to_numpy(dtype=float)
    registry = design.copy()
    registry["effect_size"] = mu + alpha[t] + u[m] + v[m, t] + se * rng.standard_normal(len(m))
    truth = {"mu": float(mu), "type_mean": mu + alpha, "beta": beta,
             "sigma_municipality": float(sigma_m), "sigma_interaction": float(sigma_v),
             "municipality_effect": u}
    return truth, {"registry": registry}
