r"""Hierarchical normal meta-analysis (with optional moderators), and exact references for it.

Model, for study :math:`i` with reported effect :math:`y_i` and standard error :math:`s_i`:

.. math::

    y_i \sim \mathcal{N}(\theta_i, s_i), \quad
    \theta_i = \mu + x_i^\top \beta + \tau z_i, \quad z_i \sim \mathcal{N}(0, 1)

(non-centred), with :math:`\mu \sim \mathcal{N}(0, \sigma_\mu)`,
:math:`\tau \sim \mathcal{N}^+(0, \sigma_\tau)` and :math:`\beta_j \sim \mathcal{N}(0,
\sigma_\beta)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr
from scipy import stats


@dataclass(frozen=True)
class MetaAnalysisPriors:
    """Prior scales of the meta-analysis, in units of the effect size (SD units for d).

    Parameters
    ----------
    mu_sd : float, default 0.5
        SD of the normal prior on the mean effect: effects beyond |d| = 1 are a priori unlikely
        (about 5 %) for social-psychological interventions.
    tau_sd : float, default 0.5
        Scale of the half-normal prior on the between-study SD.
    beta_sd : float, default 0.5
        SD of the normal prior on each (standardised) moderator coefficient.
    """

    mu_sd: float = 0.5
    tau_sd: float = 0.5
    beta_sd: float = 0.5

    def scaled(self, factor: float) -> MetaAnalysisPriors:
        """Return the priors with every scale multiplied by ``factor`` (for sensitivity)."""
        return MetaAnalysisPriors(self.mu_sd * factor, self.tau_sd * factor, self.beta_sd * factor)


def build_meta_analysis(
    effect_size: np.ndarray | pd.Series,
    standard_error: np.ndarray | pd.Series,
    study: list[str] | pd.Series,
    *,
    moderators: pd.DataFrame | None = None,
    priors: MetaAnalysisPriors | None = None,
    centered: bool = False,
) -> pm.Model:
    """Build the hierarchical normal meta-analysis (meta-regression when ``moderators`` given).

    Parameters
    ----------
    effect_size, standard_error : array-like
        Reported effect :math:`y_i` and its standard error :math:`s_i` (must be > 0).
    study : sequence of str
        Unique study labels, used as the ``study`` dimension.
    moderators : pandas.DataFrame, optional
        One row per study, one numeric column per moderator (standardise them first); column
        names become the ``moderator`` dimension.
    priors : MetaAnalysisPriors, optional
        Prior scales; :class:`MetaAnalysisPriors` defaults if omitted.
    centered : bool, default False
        Use the centred parameterisation (for demonstrating why the book does not).

    Returns
    -------
    pymc.Model
        Variables ``mu``, ``tau``, ``z`` (non-centred only), ``beta`` (with moderators),
        ``theta`` (study effects) and observed ``effect_size``; data containers
        ``standard_error``, ``effect_size_observed`` and ``x`` (with moderators).

    Examples
    --------
    >>> model = build_meta_analysis(df["d"], df["se_d"], df["name_short"])  # doctest: +SKIP
    """
    priors = priors or MetaAnalysisPriors()
    y = np.asarray(effect_size, dtype=float)
    se = np.asarray(standard_error, dtype=float)
    labels = [str(s) for s in study]
    if not (len(y) == len(se) == len(labels)):
        raise ValueError("effect_size, standard_error and study must have the same length")
    if np.any(~np.isfinite(se)) or np.any(se <= 0):
        raise ValueError("every standard error must be a finite number > 0")
    if len(set(labels)) != len(labels):
        raise ValueError("study labels must be unique")
    coords: dict[str, list[str]] = {"study": labels}
    if moderators is not None:
        coords["moderator"] = [str(c) for c in moderators.columns]

    with pm.Model(coords=coords) as model:
        mu = pm.Normal("mu", 0.0, priors.mu_sd)
        tau = pm.HalfNormal("tau", priors.tau_sd)
        mean = mu
        if moderators is not None:
            x = pm.Data("x", moderators.to_numpy(dtype=float), dims=("study", "moderator"))
            beta = pm.Normal("beta", 0.0, priors.beta_sd, dims="moderator")
            mean = mu + pm.math.dot(x, beta)
        if centered:
            theta = pm.Normal("theta", mean, tau, dims="study")
        else:
            z = pm.Normal("z", 0.0, 1.0, dims="study")
            theta = pm.Deterministic("theta", mean + tau * z, dims="study")
        # data containers, so simulation-based calibration can swap in simulated data
        standard_error_data = pm.Data("standard_error", se, dims="study")
        effect_size_observed = pm.Data("effect_size_observed", y, dims="study")
        pm.Normal("effect_size", theta, sigma=standard_error_data, observed=effect_size_observed,
                  dims="study")
    return model


def random_effects_dl(effect_size: np.ndarray, standard_error: np.ndarray) -> dict[str, float]:
    """DerSimonian-Laird random-effects estimate (the classical reference, closed form).

    Returns
    -------
    dict
        ``mean``, ``se``, ``tau2``, ``q`` (Cochran's Q), ``i2`` and the fixed-effect ``fe_mean``.
    """
    y = np.asarray(effect_size, dtype=float)
    v = np.asarray(standard_error, dtype=float) ** 2
    w = 1.0 / v
    fe_mean = np.sum(w * y) / np.sum(w)
    q = float(np.sum(w * (y - fe_mean) ** 2))
    df = len(y) - 1
    c = np.sum(w) - np.sum(w**2) / np.sum(w)
    tau2 = max(0.0, (q - df) / c)
    w_re = 1.0 / (v + tau2)
    mean = np.sum(w_re * y) / np.sum(w_re)
    return {
        "mean": float(mean),
        "se": float(np.sqrt(1.0 / np.sum(w_re))),
        "tau2": float(tau2),
        "q": q,
        "i2": float(max(0.0, (q - df) / q)) if q > 0 else 0.0,
        "fe_mean": float(fe_mean),
    }


def exact_posterior(
    effect_size: np.ndarray,
    standard_error: np.ndarray,
    priors: MetaAnalysisPriors | None = None,
    *,
    n_grid: int = 4000,
) -> dict[str, float]:
    r"""Posterior means and SDs of ``mu`` and ``tau`` by 1-D quadrature over ``tau``.

    Given :math:`\tau`, :math:`\mu` is conjugate normal, so
    :math:`p(\tau \mid y) \propto p(\tau)\, \mathcal{N}(y \mid 0, \mathrm{diag}(s^2 +
    \tau^2) + \sigma_\mu^2 \mathbf{1}\mathbf{1}^\top)` is one-dimensional and can be
    integrated on a grid. This is the exact reference for the model without moderators.

    Returns
    -------
    dict
        ``mu_mean``, ``mu_sd``, ``tau_mean``, ``tau_sd``.
    """
    priors = priors or MetaAnalysisPriors()
    y = np.asarray(effect_size, dtype=float)
    v = np.asarray(standard_error, dtype=float) ** 2
    upper = priors.tau_sd * 8.0
    tau = np.linspace(0.0, upper, n_grid)
    log_post = np.empty_like(tau)
    cond_mean = np.empty_like(tau)
    cond_var = np.empty_like(tau)
    for j, t in enumerate(tau):
        w = 1.0 / (v + t**2)
        precision = 1.0 / priors.mu_sd**2 + w.sum()
        m = (w * y).sum() / precision
        cond_mean[j], cond_var[j] = m, 1.0 / precision
        # log N(y | 0, D + s0^2 11') via the conjugate decomposition
        log_marginal = (
            -0.5 * np.sum(np.log(2 * np.pi * (v + t**2)))
            - 0.5 * np.sum(w * y**2)
            + 0.5 * m**2 * precision
            - 0.5 * np.log(priors.mu_sd**2 * precision)
        )
        log_post[j] = log_marginal + stats.halfnorm.logpdf(t, scale=priors.tau_sd)
    weights = np.exp(log_post - log_post.max())
    weights /= np.trapezoid(weights, tau)
    mu_mean = np.trapezoid(weights * cond_mean, tau)
    mu_second = np.trapezoid(weights * (cond_var + cond_mean**2), tau)
    tau_mean = np.trapezoid(weights * tau, tau)
    tau_second = np.trapezoid(weights * tau**2, tau)
    return {
        "mu_mean": float(mu_mean),
        "mu_sd": float(np.sqrt(mu_second - mu_mean**2)),
        "tau_mean": float(tau_mean),
        "tau_sd": float(np.sqrt(tau_second - tau_mean**2)),
    }


def new_study_effect(idata: az.InferenceData, seed: int | np.random.Generator) -> xr.DataArray:
    r"""Posterior predictive effect of a new study from the same population of studies.

    Draws :math:`\theta_{new} = \mu + \tau \varepsilon` with :math:`\varepsilon \sim
    \mathcal{N}(0, 1)`, one per posterior draw (moderators, if any, at zero).

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit of :func:`build_meta_analysis`.
    seed : int or numpy.random.Generator
        Randomness for :math:`\varepsilon`.

    Returns
    -------
    xarray.DataArray
        Draws with dims ``(chain, draw)``.
    """
    rng = np.random.default_rng(seed)
    post = idata.posterior
    noise = rng.standard_normal(post["mu"].shape)
    return (post["mu"] + post["tau"] * noise).rename("new_study_effect")


def marginal_log_likelihood(
    idata: az.InferenceData,
    standard_error: np.ndarray | pd.Series | None = None,
    moderators: pd.DataFrame | None = None,
) -> xr.DataArray:
    r"""Pointwise log-likelihood of each study with its own effect integrated out (for LOO).

    Conditional on :math:`\theta_i` a study informs mainly its own effect, so leaving it out
    changes the posterior a lot and PSIS-LOO's Pareto k is large. Leave-one-*study*-out asks how
    well the other studies predict a new study, which uses the marginal
    :math:`y_i \sim \mathcal{N}(\mu + x_i^\top\beta, \sqrt{s_i^2 + \tau^2})`.

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit of :func:`build_meta_analysis` (groups ``posterior``, ``observed_data`` and
        ``constant_data``, which holds the standard errors and moderators).
    standard_error : array-like, optional
        The standard errors the model was built with; read from ``constant_data`` if omitted.
    moderators : pandas.DataFrame, optional
        The moderators the model was built with; read from ``constant_data`` if omitted.

    Returns
    -------
    xarray.DataArray
        Dims ``(chain, draw, study)``, named ``effect_size``.
    """
    post = idata.posterior
    y = idata.observed_data["effect_size"]
    study = y["study"].values
    if standard_error is None:
        se = idata.constant_data["standard_error"]
    else:
        se = xr.DataArray(np.asarray(standard_error, dtype=float), dims="study",
                          coords={"study": study})
    mean = post["mu"]
    if "beta" in post:
        if moderators is None:
            x = idata.constant_data["x"]
        else:
            x = xr.DataArray(moderators.to_numpy(dtype=float), dims=("study", "moderator"),
                             coords={"study": study, "moderator": post["moderator"].values})
        mean = mean + (x * post["beta"]).sum("moderator")
    variance = se**2 + post["tau"] ** 2
    logp = -0.5 * (np.log(2 * np.pi * variance) + (y - mean) ** 2 / variance)
    return logp.transpose("chain", "draw", "study").rename("effect_size")


def simulate_meta_analysis(
    rng: np.random.Generator,
    n_studies: int = 8,
    priors: MetaAnalysisPriors | None = None,
    se_range: tuple[float, float] = (0.1, 0.4),
) -> tuple[dict[str, object], dict[str, object]]:
    r"""Draw true parameters from the priors and a SIMULATED meta-analysis given them.

    The documented data-generating process of :func:`build_meta_analysis` (no moderators),
    written independently of the PyMC model, for simulation-based calibration and recovery:
    :math:`\mu \sim \mathcal{N}(0, \sigma_\mu)`, :math:`\tau \sim \mathcal{N}^+(0,
    \sigma_\tau)`, :math:`\theta_i = \mu + \tau z_i`, :math:`y_i \sim \mathcal{N}(\theta_i,
    s_i)` with :math:`s_i \sim U(\text{se\_range})`.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n_studies : int, default 8
        Number of simulated studies.
    priors : MetaAnalysisPriors, optional
        Prior scales to draw the truth from (defaults as in the model).
    se_range : tuple of float, default (0.1, 0.4)
        Range of the simulated standard errors.

    Returns
    -------
    truth : dict
        ``mu``, ``tau``, ``theta`` (array of ``n_studies``).
    data : dict
        Keyword arguments of :func:`build_meta_analysis`: ``effect_size``, ``standard_error``,
        ``study`` (labels ``sim_01``, ...).
    """
    priors = priors or MetaAnalysisPriors()
    mu = rng.normal(0.0, priors.mu_sd)
    tau = abs(rng.normal(0.0, priors.tau_sd))
    theta = mu + tau * rng.standard_normal(n_studies)
    se = rng.uniform(*se_range, size=n_studies)
    y = rng.normal(theta, se)
    study = [f"sim_{i + 1:02d}" for i in range(n_studies)]
    truth = {"mu": float(mu), "tau": float(tau), "theta": theta}
    return truth, {"effect_size": y, "standard_error": se, "study": study}
