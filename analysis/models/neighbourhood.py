r"""Multilevel models of neighbourhood composition: how a group's share varies between areas.

Two families, both beta-binomial on counts of residents of one origin out of all residents:

* :func:`build_composition_model` — wijken :math:`i` in municipalities :math:`j`. Each
  municipality has a mean share :math:`\mu_j` and an intra-class correlation :math:`\rho_j`,

  .. math::

      y_i \sim \mathrm{BetaBinomial}(n_i, \mu_j \phi_j, (1 - \mu_j)\phi_j), \quad
      \phi_j = (1 - \rho_j) / \rho_j,

      \operatorname{logit}\mu_j = a + x_j^\top b + \sigma_u u_j, \quad
      \operatorname{logit}\rho_j = c + x_j^\top d + \sigma_v v_j, \quad u_j, v_j \sim N(0, 1).

  :math:`\rho_j` is the share of the variance of a resident's group membership that lies
  between wijken: a model-based version of the correlation ratio :math:`\eta^2` (revised
  isolation index) of segregation research, free of the binomial noise of small wijken.

* :func:`build_buurt_model` — buurten :math:`i` in wijken :math:`k` of one city, with
  predictors split into a between-wijk part (the wijk mean) and a within-wijk part (buurt minus
  wijk mean) and wijk-varying within slopes:

  .. math::

      \operatorname{logit} m_i = a + \sigma_\alpha \alpha_k
        + \sum_p (\beta_p + \tau_p \zeta_{kp})\, x^{w}_{ip} + \sum_p \gamma_p x^{b}_{kp}.

All group effects are non-centred.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt


@dataclass(frozen=True)
class CompositionPriors:
    """Prior locations and scales of :func:`build_composition_model` (logit scale).

    Parameters
    ----------
    a_mu, a_sd : float
        Normal prior of the intercept of logit mean share: -2 ± 1 puts the typical municipal
        share between 2 % and 50 %.
    c_mu, c_sd : float
        Normal prior of the intercept of logit ICC: -3 ± 1.5 puts the typical between-wijk
        variance share between 0.3 % and 50 %.
    b_sd : float
        SD of each standardised covariate coefficient (both regressions).
    sigma_sd : float
        Scale of the half-normal priors of the municipal effect SDs.
    """

    a_mu: float = -2.0
    a_sd: float = 1.0
    c_mu: float = -3.0
    c_sd: float = 1.5
    b_sd: float = 0.5
    sigma_sd: float = 1.0


def build_composition_model(
    y: np.ndarray | pd.Series,
    n: np.ndarray | pd.Series,
    municipality_idx: np.ndarray | pd.Series,
    covariates: pd.DataFrame,
    *,
    wijk: Sequence[str] | None = None,
    priors: CompositionPriors | None = None,
) -> pm.Model:
    """Build the beta-binomial wijk-in-municipality composition model.

    Parameters
    ----------
    y, n : array-like of int
        Residents of the group and all residents of each wijk (``0 <= y <= n``, ``n > 0``).
    municipality_idx : array-like of int
        Row of ``covariates`` of each wijk's municipality.
    covariates : pandas.DataFrame
        One row per municipality (index = municipality labels, used as the ``municipality``
        dim), standardised numeric columns (the ``covariate`` dim).
    wijk : sequence of str, optional
        Labels of the wijken (the ``wijk`` dim); ``0..N-1`` by default.
    priors : CompositionPriors, optional
        Prior settings; defaults if omitted.

    Returns
    -------
    pymc.Model
        Free ``a, b, sigma_u, u, c, d, sigma_v, v``; deterministic ``mu`` and ``rho`` (dim
        ``municipality``); observed ``y`` (dim ``wijk``).

    Raises
    ------
    ValueError
        If counts are inconsistent or an index is out of range.

    Examples
    --------
    >>> data = composition_data()  # doctest: +SKIP
    >>> model = build_composition_model(data.wijken["y"], data.wijken["n"],  # doctest: +SKIP
    ...     data.wijken["municipality_idx"], data.covariates)
    """
    priors = priors or CompositionPriors()
    y = np.asarray(y, dtype=int)
    n = np.asarray(n, dtype=int)
    idx = np.asarray(municipality_idx, dtype=int)
    if not (len(y) == len(n) == len(idx)):
        raise ValueError(f"y, n and municipality_idx differ in length: {len(y)}, {len(n)}, "
                         f"{len(idx)}")
    bad = np.flatnonzero((n <= 0) | (y < 0) | (y > n))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"wijk row {i}: need 0 <= y <= n and n > 0, got y={y[i]}, n={n[i]}")
    if idx.min() < 0 or idx.max() >= len(covariates):
        raise ValueError(f"municipality_idx must lie in 0..{len(covariates) - 1}")
    coords = {
        "municipality": [str(c) for c in covariates.index],
        "covariate": [str(c) for c in covariates.columns],
        "wijk": list(wijk) if wijk is not None else list(range(len(y))),
    }
    x = covariates.to_numpy(dtype=float)
    with pm.Model(coords=coords) as model:
        a = pm.Normal("a", priors.a_mu, priors.a_sd)
        b = pm.Normal("b", 0.0, priors.b_sd, dims="covariate")
        sigma_u = pm.HalfNormal("sigma_u", priors.sigma_sd)
        u = pm.Normal("u", 0.0, 1.0, dims="municipality")
        c = pm.Normal("c", priors.c_mu, priors.c_sd)
        d = pm.Normal("d", 0.0, priors.b_sd, dims="covariate")
        sigma_v = pm.HalfNormal("sigma_v", priors.sigma_sd)
        v = pm.Normal("v", 0.0, 1.0, dims="municipality")
        mu = pm.Deterministic("mu", pm.math.invlogit(a + pt.dot(x, b) + sigma_u * u),
                              dims="municipality")
        rho = pm.Deterministic("rho", pm.math.invlogit(c + pt.dot(x, d) + sigma_v * v),
                               dims="municipality")
        phi = (1.0 - rho) / rho
        y_obs = pm.Data("y_obs", y, dims="wijk")
        pm.BetaBinomial("y", alpha=(mu * phi)[idx], beta=((1.0 - mu) * phi)[idx], n=n,
                        observed=y_obs, dims="wijk")
    return model


def simulate_composition(
    rng: np.random.Generator,
    *,
    n_municipalities: int = 12,
    wijken_per_municipality: int = 6,
    residents: int = 2000,
    n_covariates: int = 2,
    covariates: pd.DataFrame | None = None,
    priors: CompositionPriors | None = None,
) -> tuple[dict[str, object], dict[str, object]]:
    """Draw SIMULATED parameters from the composition model's priors and wijk counts given them.

    An independent NumPy simulator (it does not call PyMC), for simulation-based calibration
    and recovery tests. Every wijk has ``residents`` residents (a fixed design). Pass
    ``covariates`` to keep the covariate design fixed across simulations (needed by SBC with a
    model compiled once, where only the observed counts are swapped).

    Returns
    -------
    truth : dict
        ``a, b, sigma_u, c, d, sigma_v`` (and the implied ``mu``, ``rho``).
    data : dict
        Keyword arguments of :func:`build_composition_model` (``y, n, municipality_idx,
        covariates``).
    """
    priors = priors or CompositionPriors()
    if covariates is None:
        covariates = pd.DataFrame(rng.normal(size=(n_municipalities, n_covariates)),
                                  index=[f"GM{i:04d}" for i in range(n_municipalities)],
                                  columns=[f"x{k}" for k in range(n_covariates)])
    x = covariates
    n_municipalities, n_covariates = x.shape
    a = rng.normal(priors.a_mu, priors.a_sd)
    c = rng.normal(priors.c_mu, priors.c_sd)
    b = rng.normal(0.0, priors.b_sd, n_covariates)
    d = rng.normal(0.0, priors.b_sd, n_covariates)
    sigma_u = abs(rng.normal(0.0, priors.sigma_sd))
    sigma_v = abs(rng.normal(0.0, priors.sigma_sd))
    expit = lambda v: 1.0 / (1.0 + np.exp(-v))  # noqa: E731
    mu = expit(a + x.to_numpy() @ b + sigma_u * rng.normal(size=n_municipalities))
    rho = expit(c + x.to_numpy() @ d + sigma_v * rng.normal(size=n_municipalities))
    idx = np.repeat(np.arange(n_municipalities), wijken_per_municipality)
    phi = (1.0 - rho) / rho
    share = rng.beta((mu * phi)[idx], ((1.0 - mu) * phi)[idx])
    n = np.full(idx.size, residents)
    y = rng.binomial(n, share)
    truth = {"a": a, "b": b, "sigma_u": sigma_u, "c": c, "d": d, "sigma_v": sigma_v,
             "mu": mu, "rho": rho}
    return truth, {"y": y, "n": n, "municipality_idx": idx, "covariates": x}


@dataclass(frozen=True)
class BuurtPriors:
    """Prior scales of :func:`build_buurt_model` (logit scale, standardised predictors).

    Parameters
    ----------
    a_mu, a_sd : float
        Normal prior of the intercept (logit of a typical buurt's share).
    beta_sd : float
        SD of the within- and between-wijk coefficients.
    sigma_sd : float
        Scale of the half-normal priors of the wijk intercept SD and the slope SDs.
    rho_alpha, rho_beta : float
        Beta prior of the buurt-level intra-class correlation (overdispersion).
    """

    a_mu: float = -1.0
    a_sd: float = 1.0
    beta_sd: float = 0.5
    sigma_sd: float = 0.5
    rho_alpha: float = 1.0
    rho_beta: float = 20.0


def build_buurt_model(
    y: np.ndarray | pd.Series,
    n: np.ndarray | pd.Series,
    wijk_idx: np.ndarray | pd.Series,
    within: pd.DataFrame,
    between: pd.DataFrame,
    *,
    wijk: Sequence[str],
    buurt: Sequence[str] | None = None,
    priors: BuurtPriors | None = None,
) -> pm.Model:
    """Build the beta-binomial buurt-in-wijk model with within/between split and varying slopes.

    Parameters
    ----------
    y, n : array-like of int
        Group residents and all residents of each buurt.
    wijk_idx : array-like of int
        Index into ``wijk`` of each buurt's wijk.
    within, between : pandas.DataFrame
        One row per buurt, one column per predictor (same column names in both; they become
        the ``predictor`` dim): the buurt's deviation from its wijk mean, and the wijk mean
        (constant within a wijk), both standardised.
    wijk : sequence of str
        Labels of the wijken (the ``wijk`` dim).
    buurt : sequence of str, optional
        Labels of the buurten (the ``buurt`` dim).
    priors : BuurtPriors, optional
        Prior settings; defaults if omitted.

    Returns
    -------
    pymc.Model
        Free ``a, sigma_wijk, alpha_z, beta_within, tau_within, zeta, gamma_between, rho``;
        deterministic ``alpha`` (wijk intercept deviations), ``slope_within`` (dims
        ``wijk, predictor``) and ``m`` (expected buurt share); observed ``y``.
    """
    priors = priors or BuurtPriors()
    y = np.asarray(y, dtype=int)
    n = np.asarray(n, dtype=int)
    idx = np.asarray(wijk_idx, dtype=int)
    if list(within.columns) != list(between.columns):
        raise ValueError("within and between must have the same predictor columns, got "
                         f"{list(within.columns)} and {list(between.columns)}")
    bad = np.flatnonzero((n <= 0) | (y < 0) | (y > n))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"buurt row {i}: need 0 <= y <= n and n > 0, got y={y[i]}, n={n[i]}")
    coords = {
        "wijk": list(wijk),
        "predictor": [str(c) for c in within.columns],
        "buurt": list(buurt) if buurt is not None else list(range(len(y))),
    }
    xw = within.to_numpy(dtype=float)
    xb = between.to_numpy(dtype=float)
    with pm.Model(coords=coords) as model:
        a = pm.Normal("a", priors.a_mu, priors.a_sd)
        sigma_wijk = pm.HalfNormal("sigma_wijk", priors.sigma_sd)
        alpha_z = pm.Normal("alpha_z", 0.0, 1.0, dims="wijk")
        alpha = pm.Deterministic("alpha", sigma_wijk * alpha_z, dims="wijk")
        beta_within = pm.Normal("beta_within", 0.0, priors.beta_sd, dims="predictor")
        tau_within = pm.HalfNormal("tau_within", priors.sigma_sd, dims="predictor")
        zeta = pm.Normal("zeta", 0.0, 1.0, dims=("wijk", "predictor"))
        slope_within = pm.Deterministic("slope_within", beta_within + tau_within * zeta,
                                        dims=("wijk", "predictor"))
        gamma_between = pm.Normal("gamma_between", 0.0, priors.beta_sd, dims="predictor")
        rho = pm.Beta("rho", priors.rho_alpha, priors.rho_beta)
        eta = (a + alpha[idx] + (slope_within[idx] * xw).sum(axis=1)
               + pt.dot(xb, gamma_between))
        m = pm.Deterministic("m", pm.math.invlogit(eta), dims="buurt")
        phi = (1.0 - rho) / rho
        y_obs = pm.Data("y_obs", y, dims="buurt")
        pm.BetaBinomial("y", alpha=m * phi, beta=(1.0 - m) * phi, n=n, observed=y_obs,
                        dims="buurt")
    return model


def simulate_buurt(
    rng: np.random.Generator,
    within: pd.DataFrame,
    between: pd.DataFrame,
    wijk_idx: np.ndarray,
    *,
    residents: int = 1000,
    priors: BuurtPriors | None = None,
) -> tuple[dict[str, object], dict[str, object]]:
    """Draw SIMULATED parameters from :func:`build_buurt_model`'s priors and buurt counts.

    An independent NumPy simulator (it does not call PyMC) for simulation-based calibration.
    The design (``within``, ``between``, ``wijk_idx``, ``residents`` per buurt) is fixed, so a
    model compiled once can take each simulation's counts.

    Returns
    -------
    truth : dict
        ``a, sigma_wijk, beta_within, tau_within, gamma_between, rho``.
    data : dict
        Keyword arguments of :func:`build_buurt_model`.
    """
    priors = priors or BuurtPriors()
    idx = np.asarray(wijk_idx, dtype=int)
    n_wijken, n_predictors = int(idx.max()) + 1, within.shape[1]
    a = rng.normal(priors.a_mu, priors.a_sd)
    sigma_wijk = abs(rng.normal(0.0, priors.sigma_sd))
    beta_within = rng.normal(0.0, priors.beta_sd, n_predictors)
    tau_within = np.abs(rng.normal(0.0, priors.sigma_sd, n_predictors))
    gamma_between = rng.normal(0.0, priors.beta_sd, n_predictors)
    rho = rng.beta(priors.rho_alpha, priors.rho_beta)
    alpha = sigma_wijk * rng.normal(size=n_wijken)
    slope = beta_within + tau_within * rng.normal(size=(n_wijken, n_predictors))
    eta = (a + alpha[idx] + (slope[idx] * within.to_numpy()).sum(axis=1)
           + between.to_numpy() @ gamma_between)
    m = 1.0 / (1.0 + np.exp(-eta))
    phi = (1.0 - rho) / rho
    n = np.full(idx.size, residents)
    y = rng.binomial(n, rng.beta(m * phi, (1.0 - m) * phi))
    truth = {"a": a, "sigma_wijk": sigma_wijk, "beta_within": beta_within,
             "tau_within": tau_within, "gamma_between": gamma_between, "rho": rho}
    data = {"y": y, "n": n, "wijk_idx": idx, "within": within, "between": between,
            "wijk": [f"WK{i:02d}" for i in range(n_wijken)]}
    return truth, data
