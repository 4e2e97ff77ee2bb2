r"""Cross-section of municipalities: liveability change on grants per resident by programme type.

For municipality :math:`i` with liveability change :math:`y_i` (Leefbaarometer 3.0, in
hundredths of a point), grants :math:`x_{ik} = \log(1 + \text{EUR per resident})` of programme
type :math:`k`, standardised covariates :math:`w_i` (baseline level, composition, size) and
urbanity class :math:`u(i)`:

.. math::

    y_i \sim \mathrm{N}(\alpha + \textstyle\sum_k \beta_k \tilde x_{ik} + w_i^\top \gamma^{*}
                        + \delta_{u(i)}, \sigma), \qquad
    \beta_k = \mu_\beta + \tau_\beta z_k, \quad z_k \sim \mathrm{N}(0, 1),

with :math:`\delta` a zero-sum urbanity effect. :math:`\tilde x` are the grants residualised on
an intercept and the covariates (least squares, :math:`\tilde x = x - [1, w] A`). By the
Frisch-Waugh-Lovell identity :math:`\beta` keeps its meaning (the grant coefficient adjusted for
the covariates), while the posterior loses the strong correlation between grant and covariate
coefficients that made NUTS slow and divergent; :math:`\gamma^{*}` is the covariates' coefficient
*not* adjusted for grants, and the adjusted one is returned as the deterministic
:math:`\gamma = \gamma^{*} - A_w \beta`. The grant coefficients are partially pooled across
programme types (non-centred). A cross-section, so the :math:`\beta_k` are associations, not
effects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pymc as pm


@dataclass(frozen=True)
class GrantsPriors:
    r"""Prior scales of :func:`build_grants_model` (outcome in hundredths of an LBM point).

    Parameters
    ----------
    alpha_mu, alpha_sd : float
        Normal prior of the intercept (change of a municipality with average grants and
        covariates): 0 ± 5, i.e. changes within about ±0.1 LBM.
    mu_beta_sd : float
        SD of the normal prior of the mean grant coefficient (change per unit of
        ``log(1 + EUR per resident)``): 1, so that going from no money to the largest
        neighbourhood grants (about 5 units) moves liveability by at most ~0.1 a priori.
    tau_beta_sd : float
        Scale of the half-normal prior of the spread of the coefficients across types.
    gamma_sd : float
        SD of each standardised covariate coefficient :math:`\gamma^{*}` (covariates not
        adjusted for grants; see the module docstring).
    urbanity_sd : float
        Scale of the zero-sum normal urbanity effects.
    sigma_sd : float
        Scale of the half-normal prior of the residual SD.
    """

    alpha_mu: float = 0.0
    alpha_sd: float = 5.0
    mu_beta_sd: float = 1.0
    tau_beta_sd: float = 0.5
    gamma_sd: float = 2.0
    urbanity_sd: float = 2.0
    sigma_sd: float = 3.0


def build_grants_model(
    y: np.ndarray | pd.Series,
    grants: pd.DataFrame,
    covariates: pd.DataFrame,
    urbanity_idx: np.ndarray | pd.Series,
    *,
    municipality: Sequence[str] | None = None,
    urbanity_labels: Sequence[str] | None = None,
    priors: GrantsPriors | None = None,
) -> pm.Model:
    """Build the partially pooled cross-section of liveability change on grants by type.

    Parameters
    ----------
    y : array-like, shape (n,)
        Liveability change per municipality (hundredths of an LBM point).
    grants : pandas.DataFrame, shape (n, K)
        ``log(1 + EUR per resident)`` by programme type; the column names become the
        ``programme_type`` coordinate.
    covariates : pandas.DataFrame, shape (n, C)
        Standardised covariates (baseline level, composition, size); column names become the
        ``covariate`` coordinate.
    urbanity_idx : array-like of int, shape (n,)
        Urbanity class index ``0 .. U-1``.
    municipality : sequence of str, optional
        Names for the ``municipality`` coordinate.
    urbanity_labels : sequence of str, optional
        Labels of the ``urbanity`` coordinate (default ``"1" .. "U"``).
    priors : GrantsPriors, optional
        Prior scales.

    Returns
    -------
    pymc.Model
        Observed ``y`` (in ``pm.Data``, so SBC can swap it); free ``alpha, mu_beta,
        tau_beta, z_beta, gamma_star, urbanity_effect, sigma``; deterministic ``beta`` and
        ``gamma`` (covariate coefficients adjusted for grants).

    Raises
    ------
    ValueError
        If lengths disagree, a value is not finite, or an urbanity index is out of range.

    Examples
    --------
    >>> model = build_grants_model(  # doctest: +SKIP
    ...     df["y"], df[["x_a", "x_b"]], df[["w"]], df["u"])
    """
    priors = priors or GrantsPriors()
    y_arr = np.asarray(y, dtype=float)
    x = np.asarray(grants, dtype=float)
    w = np.asarray(covariates, dtype=float)
    u = np.asarray(urbanity_idx, dtype=int)
    n = y_arr.size
    for label, arr in (("grants", x), ("covariates", w), ("urbanity_idx", u)):
        if arr.shape[0] != n:
            raise ValueError(f"build_grants_model: {label} has {arr.shape[0]} rows, y has {n}")
    for label, arr in (("y", y_arr), ("grants", x), ("covariates", w)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"build_grants_model: {label} has missing or infinite values")
    n_urban = len(urbanity_labels) if urbanity_labels is not None else int(u.max()) + 1
    if u.min() < 0 or u.max() >= n_urban:
        raise ValueError(f"build_grants_model: urbanity_idx must lie in 0..{n_urban - 1}")
    x_resid, projection = residualise(x, w)
    coords = {
        "municipality": list(municipality) if municipality is not None else
        [str(i) for i in range(n)],
        "programme_type": [str(c) for c in grants.columns],
        "covariate": [str(c) for c in covariates.columns],
        "urbanity": list(urbanity_labels) if urbanity_labels is not None else
        [str(i + 1) for i in range(n_urban)],
    }
    with pm.Model(coords=coords) as model:
        x_data = pm.Data("x_grants", x_resid, dims=("municipality", "programme_type"))
        w_data = pm.Data("w_covariates", w, dims=("municipality", "covariate"))
        u_data = pm.Data("urbanity_idx", u, dims="municipality")
        y_data = pm.Data("y_obs", y_arr, dims="municipality")
        alpha = pm.Normal("alpha", priors.alpha_mu, priors.alpha_sd)
        mu_beta = pm.Normal("mu_beta", 0.0, priors.mu_beta_sd)
        tau_beta = pm.HalfNormal("tau_beta", priors.tau_beta_sd)
        z_beta = pm.Normal("z_beta", 0.0, 1.0, dims="programme_type")
        beta = pm.Deterministic("beta", mu_beta + tau_beta * z_beta, dims="programme_type")
        gamma_star = pm.Normal("gamma_star", 0.0, priors.gamma_sd, dims="covariate")
        pm.Deterministic("gamma", gamma_star - pm.math.dot(projection, beta), dims="covariate")
        urbanity_effect = pm.ZeroSumNormal("urbanity_effect", sigma=priors.urbanity_sd,
                                           dims="urbanity")
        sigma = pm.HalfNormal("sigma", priors.sigma_sd)
        mean = pm.Deterministic(
            "mean", alpha + pm.math.dot(x_data, beta) + pm.math.dot(w_data, gamma_star)
            + urbanity_effect[u_data], dims="municipality")
        pm.Normal("y", mean, sigma, observed=y_data, dims="municipality")
    return model


def residualise(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Residualise the grant columns on an intercept and the covariates (least squares).

    Parameters
    ----------
    x : numpy.ndarray, shape (n, K)
        Grants.
    w : numpy.ndarray, shape (n, C)
        Covariates.

    Returns
    -------
    x_resid : numpy.ndarray, shape (n, K)
        ``x - [1, w] A``: orthogonal to the intercept and to every covariate.
    projection : numpy.ndarray, shape (C, K)
        The covariate rows of ``A``; ``gamma = gamma_star - projection @ beta``.
    """
    design = np.column_stack([np.ones(len(x)), w])
    coef, *_ = np.linalg.lstsq(design, x, rcond=None)
    return x - design @ coef, coef[1:]


def simulate_grants(
    rng: np.random.Generator,
    grants: pd.DataFrame,
    covariates: pd.DataFrame,
    urbanity_idx: np.ndarray,
    *,
    n_urbanity: int | None = None,
    priors: GrantsPriors | None = None,
) -> tuple[dict[str, object], dict[str, object]]:
    """Draw SIMULATED parameters from :func:`build_grants_model`'s priors and outcomes.

    An independent NumPy simulator (it does not call PyMC) for simulation-based calibration,
    on a fixed design (``grants``, ``covariates``, ``urbanity_idx``), so a model compiled once
    can take each simulation's outcomes. The zero-sum urbanity effect is drawn as
    ``urbanity_sd * (e - mean(e))`` with ``e`` standard normal, PyMC's definition.

    Returns
    -------
    truth : dict
        ``alpha, mu_beta, tau_beta, beta, gamma_star, gamma, sigma``.
    data : dict
        Keyword arguments of :func:`build_grants_model`.
    """
    priors = priors or GrantsPriors()
    u = np.asarray(urbanity_idx, dtype=int)
    n_urban = n_urbanity or int(u.max()) + 1
    k, c = grants.shape[1], covariates.shape[1]
    alpha = rng.normal(priors.alpha_mu, priors.alpha_sd)
    mu_beta = rng.normal(0.0, priors.mu_beta_sd)
    tau_beta = abs(rng.normal(0.0, priors.tau_beta_sd))
    beta = mu_beta + tau_beta * rng.normal(size=k)
    gamma_star = rng.normal(0.0, priors.gamma_sd, size=c)
    e = rng.normal(size=n_urban)
    urbanity_effect = priors.urbanity_sd * (e - e.mean())
    sigma = abs(rng.normal(0.0, priors.sigma_sd))
    w = covariates.to_numpy(dtype=float)
    x_resid, projection = residualise(grants.to_numpy(dtype=float), w)
    mean = alpha + x_resid @ beta + w @ gamma_star + urbanity_effect[u]
    y = rng.normal(mean, sigma)
    truth = {"alpha": alpha, "mu_beta": mu_beta, "tau_beta": tau_beta, "beta": beta,
             "gamma_star": gamma_star, "gamma": gamma_star - projection @ beta,
             "sigma": sigma}
    data = {"y": y, "grants": grants, "covariates": covariates, "urbanity_idx": u,
            "urbanity_labels": [str(i + 1) for i in range(n_urban)]}
    return truth, data


def simulation_design(rng: np.random.Generator, n_municipalities: int = 60,
                      n_urbanity: int = 5) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Draw a SIMULATED design like the real one: few neighbourhood recipients, small broad grants.

    Returns
    -------
    grants : pandas.DataFrame
        Columns ``neighbourhood`` (zero for about 85 % of municipalities, else 2-5),
        ``integration`` and ``cohesion`` (``log1p`` of lognormal amounts near 3 EUR).
    covariates : pandas.DataFrame
        Three standard-normal columns ``baseline, nonwestern, log_population``.
    urbanity_idx : numpy.ndarray
        Classes ``0 .. n_urbanity - 1``, every class present.
    """
    n = n_municipalities
    neighbourhood = np.where(rng.random(n) < 0.15, rng.uniform(2.0, 5.0, n), 0.0)
    grants = pd.DataFrame({
        "neighbourhood": neighbourhood,
        "integration": np.log1p(rng.lognormal(1.0, 0.5, n)),
        "cohesion": np.log1p(rng.lognormal(1.0, 0.6, n)),
    })
    covariates = pd.DataFrame(rng.normal(size=(n, 3)),
                              columns=["baseline", "nonwestern", "log_population"])
    urbanity = np.concatenate([np.arange(n_urbanity),
                               rng.integers(0, n_urbanity, n - n_urbanity)])
    return grants, covariates, urbanity
