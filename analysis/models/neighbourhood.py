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
  With a wijk size :math:`z_i` (standardised log residents), both predictors get a wijk term,
  :math:`b_z z_i` and :math:`d_z z_i`, and :math:`\mu_j, \rho_j` are those of a wijk of the
  reference size: a municipality's few large wijken then no longer take the spread of its
  small ones.

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
    size_sd : float
        SD of the wijk-size coefficients ``b_size`` and ``d_size`` (per SD of log size). If a
        wijk's share varied like the mean of independent buurten, its between-wijk variance
        would fall in proportion to its size, a slope near -1.5 on logit rho per SD of log
        size here (that SD is about 1.5): a scale of 1 allows that and no size effect alike.
    """

    a_mu: float = -2.0
    a_sd: float = 1.0
    c_mu: float = -3.0
    c_sd: float = 1.5
    b_sd: float = 0.5
    sigma_sd: float = 1.0
    size_sd: float = 1.0


def build_composition_model(
    y: np.ndarray | pd.Series,
    n: np.ndarray | pd.Series,
    municipality_idx: np.ndarray | pd.Series,
    covariates: pd.DataFrame,
    *,
    wijk: Sequence[str] | None = None,
    size: np.ndarray | pd.Series | None = None,
    priors: CompositionPriors | None = None,
) -> pm.Model:
    r"""Build the beta-binomial wijk-in-municipality composition model.

    With ``size`` (a standardised log wijk size :math:`z_i`) both linear predictors get a
    wijk-level term, :math:`\operatorname{logit}\mu_{ij} = \dots + b_z z_i` and
    :math:`\operatorname{logit}\rho_{ij} = \dots + d_z z_i`: a large wijk averages many
    buurten, so its share varies less around the municipal mean than a small wijk's
    (:math:`d_z < 0`), and its mean share may differ. ``mu`` and ``rho`` are then those of a
    wijk of the reference size :math:`z = 0`; without ``size`` the model is the plain one, in
    which every wijk's share is drawn from the same Beta whatever the wijk's size.

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
    size : array-like of float, optional
        Standardised log size of each wijk (0 = the reference size); adds the free ``b_size``
        and ``d_size`` (prior ``N(0, size_sd)``).
    priors : CompositionPriors, optional
        Prior settings; defaults if omitted.

    Returns
    -------
    pymc.Model
        Free ``a, b, sigma_u, u, c, d, sigma_v, v`` (and ``b_size, d_size``); deterministic
        ``mu`` and ``rho`` (dim ``municipality``, at the reference size); observed ``y`` (dim
        ``wijk``).

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
    z = None if size is None else np.asarray(size, dtype=float)
    if z is not None and (z.shape != y.shape or not np.isfinite(z).all()):
        raise ValueError(f"size must be {len(y)} finite values, one per wijk")
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
        eta_mu = a + pt.dot(x, b) + sigma_u * u
        eta_rho = c + pt.dot(x, d) + sigma_v * v
        pm.Deterministic("mu", pm.math.invlogit(eta_mu), dims="municipality")
        rho = pm.Deterministic("rho", pm.math.invlogit(eta_rho), dims="municipality")
        if z is None:
            mu_i, rho_i = pm.math.invlogit(eta_mu)[idx], rho[idx]
        else:
            b_size = pm.Normal("b_size", 0.0, priors.size_sd)
            d_size = pm.Normal("d_size", 0.0, priors.size_sd)
            mu_i = pm.math.invlogit(eta_mu[idx] + b_size * z)
            rho_i = pm.math.invlogit(eta_rho[idx] + d_size * z)
        phi = (1.0 - rho_i) / rho_i
        y_obs = pm.Data("y_obs", y, dims="wijk")
        pm.BetaBinomial("y", alpha=mu_i * phi, beta=(1.0 - mu_i) * phi, n=n,
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
    size_spread: float | None = None,
    priors: CompositionPriors | None = None,
) -> tuple[dict[str, object], dict[str, object]]:
    """Draw SIMULATED parameters from the composition model's priors and wijk counts given them.

    An independent NumPy simulator (it does not call PyMC), for simulation-based calibration
    and recovery tests. Every wijk has ``residents`` residents (a fixed design) unless
    ``size_spread`` is given: then wijk sizes are ``residents * exp(size_spread * g)`` with
    ``g`` evenly spaced on [-1, 1] within each municipality (a fixed design), ``size`` is their
    standardised log, and ``b_size``, ``d_size`` are drawn from their priors. Pass
    ``covariates`` to keep the covariate design fixed across simulations (needed by SBC with a
    model compiled once, where only the observed counts are swapped).

    Returns
    -------
    truth : dict
        ``a, b, sigma_u, c, d, sigma_v`` (and ``b_size, d_size``; the implied ``mu``, ``rho``
        at the reference size).
    data : dict
        Keyword arguments of :func:`build_composition_model` (``y, n, municipality_idx,
        covariates`` and ``size``).
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
    truth = {"a": a, "b": b, "sigma_u": sigma_u, "c": c, "d": d, "sigma_v": sigma_v,
             "mu": mu, "rho": rho}
    data: dict[str, object] = {"municipality_idx": idx, "covariates": x}
    if size_spread is None:
        n = np.full(idx.size, residents)
        mu_i, rho_i = mu[idx], rho[idx]
    else:
        grid = np.tile(np.linspace(-1.0, 1.0, wijken_per_municipality), n_municipalities)
        n = np.maximum(np.rint(residents * np.exp(size_spread * grid)), 1).astype(int)
        z = (np.log(n) - np.median(np.log(n))) / np.log(n).std()
        b_size = rng.normal(0.0, priors.size_sd)
        d_size = rng.normal(0.0, priors.size_sd)
        mu_i = expit(np.log(mu / (1 - mu))[idx] + b_size * z)
        rho_i = expit(np.log(rho / (1 - rho))[idx] + d_size * z)
        truth |= {"b_size": b_size, "d_size": d_size}
        data["size"] = z
    phi = (1.0 - rho_i) / rho_i
    y = rng.binomial(n, rng.beta(mu_i * phi, (1.0 - mu_i) * phi))
    return truth, {"y": y, "n": n, **data}


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
