r"""Hierarchical normal meta-analysis, its small-study and selection-model variants, and references.

Model, for study :math:`i` with reported effect :math:`y_i` and standard error :math:`s_i`:

.. math::

    y_i \sim \mathcal{N}(\theta_i, s_i), \quad
    \theta_i = \mu + x_i^\top \beta + \tau z_i, \quad z_i \sim \mathcal{N}(0, 1)

(non-centred), with :math:`\mu \sim \mathcal{N}(0, \sigma_\mu)`,
:math:`\tau \sim \mathcal{N}^+(0, \sigma_\tau)` and :math:`\beta_j \sim \mathcal{N}(0,
\sigma_\beta)`.

Two corrections for small-study effects and publication bias belong to the same family:

- PET and PEESE (Stanley & Doucouliagos 2014): :func:`build_meta_analysis` with
  ``small_study="pet"`` adds the standard error :math:`s_i`, with ``"peese"`` the sampling
  variance :math:`s_i^2`, as a moderator; the intercept :math:`\mu` is then the effect of a
  study with standard error zero. :func:`pet_peese` applies the conditional rule.
- A step-function selection model (Vevea & Hedges 1995): :func:`build_selection_model`, in which
  a study whose one-sided p-value lies above a cutpoint is published with relative probability
  :math:`\omega < 1`, so the likelihood of the published effects is a weighted normal
  (:func:`selection_log_density`, with the study effects integrated out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import xarray as xr
from scipy import stats

SmallStudy = Literal["pet", "peese"]
"""The two small-study moderators of Stanley & Doucouliagos (2014)."""

SMALL_STUDY_MODERATOR: dict[str, str] = {"pet": "standard_error", "peese": "sampling_variance"}
"""Name of the moderator column (and ``moderator`` coordinate) each small-study model adds."""

SELECTION_CUTPOINTS: tuple[float, ...] = (0.025,)
"""One-sided p-value cutpoints of the selection model: 0.025 is a two-sided 5 % test of d > 0."""

PET_PEESE_PROB = 0.95
"""The conditional PET-PEESE rule uses PEESE when P(PET intercept > 0) reaches this value."""


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
    pet_sd : float, default 2.0
        SD of the normal prior on the PET slope (change in d per unit of standard error): with
        standard errors between about 0.1 and 0.4 a slope of 2 moves the expected effect of the
        least precise study 0.6 above that of the most precise one.
    peese_sd : float, default 5.0
        SD of the normal prior on the PEESE slope (change in d per unit of sampling variance);
        variances range over about 0.15, so 5 allows a comparable difference of 0.75.
    """

    mu_sd: float = 0.5
    tau_sd: float = 0.5
    beta_sd: float = 0.5
    pet_sd: float = 2.0
    peese_sd: float = 5.0

    def scaled(self, factor: float) -> MetaAnalysisPriors:
        """Return the priors with every scale multiplied by ``factor`` (for sensitivity)."""
        return MetaAnalysisPriors(self.mu_sd * factor, self.tau_sd * factor, self.beta_sd * factor,
                                  self.pet_sd * factor, self.peese_sd * factor)


def _check_inputs(
    effect_size: np.ndarray | pd.Series,
    standard_error: np.ndarray | pd.Series,
    study: Sequence[str] | pd.Series,
    *,
    unit: str = "study",
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Return effects, standard errors and labels as arrays, or raise ``ValueError``.

    ``unit`` names the labels in the messages (``study``, ``subgroup``).
    """
    y = np.asarray(effect_size, dtype=float)
    se = np.asarray(standard_error, dtype=float)
    labels = [str(s) for s in study]
    if not (len(y) == len(se) == len(labels)):
        raise ValueError(f"effect_size, standard_error and {unit} must have the same length")
    if np.any(~np.isfinite(se)) or np.any(se <= 0):
        raise ValueError("every standard error must be a finite number > 0")
    if len(set(labels)) != len(labels):
        raise ValueError(f"{unit} labels must be unique")
    return y, se, labels


def small_study_moderator(
    standard_error: np.ndarray | pd.Series, kind: SmallStudy, index: Sequence[str] | None = None
) -> pd.DataFrame:
    """Return the PET (standard error) or PEESE (sampling variance) moderator as one column.

    Parameters
    ----------
    standard_error : array-like
        The studies' standard errors :math:`s_i`.
    kind : {"pet", "peese"}
        ``"pet"``: :math:`s_i`; ``"peese"``: :math:`s_i^2` (Stanley & Doucouliagos 2014).
    index : sequence of str, optional
        Row labels (the study labels).

    Returns
    -------
    pandas.DataFrame
        One column, named by :data:`SMALL_STUDY_MODERATOR`; not standardised, so that the
        model's intercept is the effect at standard error zero.
    """
    if kind not in SMALL_STUDY_MODERATOR:
        raise ValueError(f"small_study must be one of {tuple(SMALL_STUDY_MODERATOR)}, got {kind!r}")
    se = np.asarray(standard_error, dtype=float)
    values = se if kind == "pet" else se**2
    return pd.DataFrame({SMALL_STUDY_MODERATOR[kind]: values},
                        index=None if index is None else list(index))


def build_meta_analysis(
    effect_size: np.ndarray | pd.Series,
    standard_error: np.ndarray | pd.Series,
    study: list[str] | pd.Series,
    *,
    moderators: pd.DataFrame | None = None,
    priors: MetaAnalysisPriors | None = None,
    centered: bool = False,
    small_study: SmallStudy | None = None,
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
    small_study : {"pet", "peese"}, optional
        Add the standard error (PET) or the sampling variance (PEESE) as the last moderator
        (:func:`small_study_moderator`), with prior SD ``priors.pet_sd`` or ``priors.peese_sd``
        on its slope; ``mu`` is then the effect of a study with standard error zero.

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
    y, se, labels = _check_inputs(effect_size, standard_error, study)
    beta_sd = np.full(0 if moderators is None else moderators.shape[1], priors.beta_sd)
    if small_study is not None:
        extra = small_study_moderator(se, small_study)
        slope_sd = priors.pet_sd if small_study == "pet" else priors.peese_sd
        if moderators is None:
            moderators = extra
        else:
            moderators = pd.concat([moderators.reset_index(drop=True), extra], axis=1)
        beta_sd = np.append(beta_sd, slope_sd)
    coords: dict[str, list[str]] = {"study": labels}
    if moderators is not None:
        coords["moderator"] = [str(c) for c in moderators.columns]

    with pm.Model(coords=coords) as model:
        mu = pm.Normal("mu", 0.0, priors.mu_sd)
        tau = pm.HalfNormal("tau", priors.tau_sd)
        mean = mu
        if moderators is not None:
            x = pm.Data("x", moderators.to_numpy(dtype=float), dims=("study", "moderator"))
            beta = pm.Normal("beta", 0.0, beta_sd, dims="moderator")
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


def pet_peese(
    pet: az.InferenceData, peese: az.InferenceData, *, prob: float = PET_PEESE_PROB
) -> tuple[str, xr.DataArray, float]:
    r"""Apply the conditional PET-PEESE rule to two fits and return the chosen intercept.

    Stanley & Doucouliagos (2014) use the PEESE intercept when PET finds a genuine effect
    (its intercept significantly above zero) and the PET intercept otherwise. The Bayesian
    analogue used here: PEESE when :math:`P(\mu_{PET} > 0 \mid y) \ge` ``prob``, else PET.

    Parameters
    ----------
    pet, peese : arviz.InferenceData
        Fits of :func:`build_meta_analysis` with ``small_study="pet"`` and ``"peese"``.
    prob : float, default 0.95
        Posterior probability of a positive PET intercept above which PEESE is used.

    Returns
    -------
    chosen : {"PET", "PEESE"}
        Which intercept the rule picks.
    draws : xarray.DataArray
        Posterior draws of the chosen intercept ``mu`` (dims ``chain, draw``).
    p_pet_positive : float
        :math:`P(\mu_{PET} > 0 \mid y)`.
    """
    p_pet_positive = float((pet.posterior["mu"] > 0).mean())
    chosen = "PEESE" if p_pet_positive >= prob else "PET"
    draws = (peese if chosen == "PEESE" else pet).posterior["mu"]
    return chosen, draws.rename("pet_peese_mu"), p_pet_positive


def _selection_z(cutpoints: Sequence[float]) -> np.ndarray:
    r"""Return the z thresholds :math:`\Phi^{-1}(1 - \alpha_k)` of increasing cutpoints."""
    alpha = np.asarray(cutpoints, dtype=float)
    if alpha.ndim != 1 or alpha.size == 0 or np.any((alpha <= 0) | (alpha >= 1)) \
            or np.any(np.diff(alpha) <= 0):
        raise ValueError("cutpoints must be increasing one-sided p-values in (0, 1), "
                         f"got {cutpoints}")
    return stats.norm.isf(alpha)


def selection_weights(ratio: np.ndarray | Sequence[float]) -> np.ndarray:
    r"""Relative publication probabilities of the p-value intervals, from the step ratios.

    Interval 0 (p below the first cutpoint) has weight 1; interval :math:`k` has weight
    :math:`\omega_k = \prod_{j \le k} r_j`, so weights never increase with the p-value.
    """
    return np.concatenate([[1.0], np.cumprod(np.asarray(ratio, dtype=float))])


def selection_log_density(
    y: np.ndarray,
    mu: float,
    tau: float,
    standard_error: np.ndarray,
    ratio: Sequence[float],
    cutpoints: Sequence[float] = SELECTION_CUTPOINTS,
) -> np.ndarray:
    r"""Log density of published effects under the step-function selection model (NumPy).

    With :math:`\eta_i^2 = s_i^2 + \tau^2`, one-sided p-value :math:`p_i = 1 - \Phi(y_i/s_i)`
    and step weights :math:`w(p)` (:func:`selection_weights`),

    .. math::

        f(y_i) = \frac{w(p_i)\, \mathcal{N}(y_i \mid \mu, \eta_i)}
                      {\int w(p(t))\, \mathcal{N}(t \mid \mu, \eta_i)\, dt}, \qquad
        \int w\, \mathcal{N} = 1 - \sum_k \omega_{k-1} (1 - r_k)
            \Phi\!\left(\frac{s_i z_k - \mu}{\eta_i}\right),

    where :math:`z_k = \Phi^{-1}(1 - \alpha_k)`. The PyMC model uses the same formula in
    PyTensor; the tests check both against a direct numerical integral.
    """
    y = np.asarray(y, dtype=float)
    se = np.asarray(standard_error, dtype=float)
    ratio = np.asarray(ratio, dtype=float)
    z = _selection_z(cutpoints)
    weights = selection_weights(ratio)
    eta = np.sqrt(se**2 + tau**2)
    log_w = sum(np.where(y <= se * zk, np.log(rk), 0.0) for zk, rk in zip(z, ratio, strict=True))
    norm = 1.0 - sum(weights[k] * (1 - ratio[k]) * stats.norm.cdf((se * z[k] - mu) / eta)
                     for k in range(len(z)))
    return log_w + stats.norm.logpdf(y, mu, eta) - np.log(norm)


def _selection_logp(value, mu, tau, se, *ratios, z: np.ndarray):  # noqa: ANN001, ANN202
    """PyTensor log density of :func:`selection_log_density` (for ``pm.CustomDist``)."""
    eta = pt.sqrt(se**2 + tau**2)
    log_w = 0.0
    norm = 1.0
    weight = 1.0
    for zk, rk in zip(z, ratios, strict=True):
        threshold = se * zk
        log_w = log_w + pt.switch(pt.le(value, threshold), pt.log(rk), 0.0)
        norm = norm - weight * (1.0 - rk) * 0.5 * pt.erfc(-(threshold - mu) / (eta * np.sqrt(2)))
        weight = weight * rk
    log_normal = -0.5 * pt.log(2 * np.pi) - pt.log(eta) - 0.5 * ((value - mu) / eta) ** 2
    return log_w + log_normal - pt.log(norm)


def sample_selection(
    rng: np.random.Generator,
    mu: float | np.ndarray,
    tau: float | np.ndarray,
    standard_error: np.ndarray,
    ratio: Sequence[float] | np.ndarray,
    cutpoints: Sequence[float] = SELECTION_CUTPOINTS,
    size: tuple[int, ...] | None = None,
) -> np.ndarray:
    """Draw published effects from the selection model's density (exact, no rejection).

    Picks each study's p-value interval with probability proportional to its weight times
    its normal probability, then draws from the normal truncated to that interval. Used for the
    prior and posterior predictive draws of :func:`build_selection_model`.
    """
    z = _selection_z(cutpoints)
    se = np.asarray(standard_error, dtype=float)
    shape = size if size is not None else np.broadcast(mu, tau, se).shape
    mu_b = np.broadcast_to(mu, shape)
    eta = np.broadcast_to(np.sqrt(se**2 + np.asarray(tau) ** 2), shape)
    se_b = np.broadcast_to(se, shape)
    weights = selection_weights(ratio)
    # interval edges in y, from the most significant (top) to the least: +inf, s z_1, ..., -inf
    edges = [np.full(shape, np.inf)] + [se_b * zk for zk in z] + [np.full(shape, -np.inf)]
    cdf = [stats.norm.cdf((e - mu_b) / eta) for e in edges]
    probs = np.stack([weights[k] * (cdf[k] - cdf[k + 1]) for k in range(len(weights))], axis=-1)
    probs /= probs.sum(axis=-1, keepdims=True)
    u = rng.uniform(size=shape + (1,))
    interval = np.minimum((probs.cumsum(axis=-1) < u).sum(axis=-1), len(weights) - 1)
    lower = np.choose(interval, edges[1:])
    upper = np.choose(interval, edges[:-1])
    a, b = (lower - mu_b) / eta, (upper - mu_b) / eta
    return stats.truncnorm.rvs(a, b, loc=mu_b, scale=eta, size=shape, random_state=rng)


def build_selection_model(
    effect_size: np.ndarray | pd.Series,
    standard_error: np.ndarray | pd.Series,
    study: Sequence[str] | pd.Series,
    *,
    cutpoints: Sequence[float] = SELECTION_CUTPOINTS,
    priors: MetaAnalysisPriors | None = None,
) -> pm.Model:
    r"""Build the random-effects step-function selection model (Vevea & Hedges 1995 style).

    The true effects are :math:`\theta_i \sim \mathcal{N}(\mu, \tau)` and the reported
    :math:`y_i \sim \mathcal{N}(\theta_i, s_i)` as in :func:`build_meta_analysis`, but a study
    is *published* with a probability that depends on its one-sided p-value through a step
    function: relative probability 1 below the first cutpoint and :math:`\omega_k =
    \prod_{j\le k} r_j` in the :math:`k`-th interval above it. Integrating out
    :math:`\theta_i`, the published effects have the weighted normal density of
    :func:`selection_log_density`; :math:`\mu` and :math:`\tau` describe the effects *before*
    selection, so :math:`\mu` is the mean corrected for publication bias.

    Priors: ``mu`` and ``tau`` as in :class:`MetaAnalysisPriors`; each ratio
    :math:`r_k \sim U(0, 1)`, i.e. results that miss a cutpoint are at most as likely to be
    published as results that pass it (the assumption behind every correction for publication
    bias), with every value from "never published" to "no selection" equally likely a priori.

    Parameters
    ----------
    effect_size, standard_error, study
        As for :func:`build_meta_analysis`.
    cutpoints : sequence of float, default (0.025,)
        Increasing one-sided p-value cutpoints.
    priors : MetaAnalysisPriors, optional
        Prior scales of ``mu`` and ``tau``.

    Returns
    -------
    pymc.Model
        Variables ``mu``, ``tau``, ``selection_ratio`` (one per cutpoint), ``weight``
        (:math:`\omega_k`, dims ``p_interval``) and the observed ``effect_size`` (a
        ``pm.CustomDist`` with an exact sampler, :func:`sample_selection`); data containers
        ``standard_error`` and ``effect_size_observed``.
    """
    priors = priors or MetaAnalysisPriors()
    y, se, labels = _check_inputs(effect_size, standard_error, study)
    z = _selection_z(cutpoints)
    alpha = [float(a) for a in cutpoints]
    intervals = [f"{a:g} <= p < {b:g}" for a, b in zip(alpha, alpha[1:] + [1.0], strict=True)]
    coords = {"study": labels, "p_interval": intervals}

    def random(mu, tau, se, *ratios, rng=None, size=None):  # noqa: ANN001, ANN202
        return sample_selection(rng, mu, tau, se, np.asarray(ratios, dtype=float).ravel(),
                                cutpoints, size=size)

    def logp(value, mu, tau, se, *ratios):  # noqa: ANN001, ANN202
        return _selection_logp(value, mu, tau, se, *ratios, z=z)

    with pm.Model(coords=coords) as model:
        mu = pm.Normal("mu", 0.0, priors.mu_sd)
        tau = pm.HalfNormal("tau", priors.tau_sd)
        ratio = pm.Uniform("selection_ratio", 0.0, 1.0, dims="p_interval")
        pm.Deterministic("weight", pt.cumprod(ratio), dims="p_interval")
        standard_error_data = pm.Data("standard_error", se, dims="study")
        effect_size_observed = pm.Data("effect_size_observed", y, dims="study")
        pm.CustomDist("effect_size", mu, tau, standard_error_data,
                      *[ratio[k] for k in range(len(z))], logp=logp, random=random,
                      observed=effect_size_observed, dims="study")
    return model


def simulate_meta_analysis(
    rng: np.random.Generator,
    n_studies: int = 8,
    priors: MetaAnalysisPriors | None = None,
    se_range: tuple[float, float] = (0.1, 0.4),
    *,
    cutpoints: Sequence[float] | None = None,
    selection_ratio: Sequence[float] | None = None,
    mu: float | None = None,
    tau: float | None = None,
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
    cutpoints : sequence of float, optional
        Simulate *publication selection* (the process of :func:`build_selection_model`): studies
        are generated one by one as above and each is published with probability
        :math:`\omega_k` of its one-sided p-value's interval (:func:`selection_weights`), until
        ``n_studies`` are published. Written as rejection sampling, independently of
        :func:`sample_selection`.
    selection_ratio : sequence of float, optional
        The step ratios :math:`r_k`, one per cutpoint; drawn from :math:`U(0, 1)` if omitted.
    mu, tau : float, optional
        Fix the truth instead of drawing it from the priors (for recovery tests).

    Returns
    -------
    truth : dict
        ``mu``, ``tau`` and ``theta`` (array of ``n_studies``); with ``cutpoints``,
        ``selection_ratio`` instead of ``theta``, and ``n_generated`` (studies generated,
        published or not).
    data : dict
        Keyword arguments of :func:`build_meta_analysis` (or, with ``cutpoints``, of
        :func:`build_selection_model`): ``effect_size``, ``standard_error``, ``study`` (labels
        ``sim_01``, ...), and ``cutpoints``.
    """
    priors = priors or MetaAnalysisPriors()
    mu = rng.normal(0.0, priors.mu_sd) if mu is None else mu
    tau = abs(rng.normal(0.0, priors.tau_sd)) if tau is None else tau
    study = [f"sim_{i + 1:02d}" for i in range(n_studies)]
    if cutpoints is None:
        theta = mu + tau * rng.standard_normal(n_studies)
        se = rng.uniform(*se_range, size=n_studies)
        y = rng.normal(theta, se)
        truth = {"mu": float(mu), "tau": float(tau), "theta": theta}
        return truth, {"effect_size": y, "standard_error": se, "study": study}
    alpha = np.asarray(cutpoints, dtype=float)
    ratio = (rng.uniform(0.0, 1.0, size=alpha.size) if selection_ratio is None
             else np.asarray(selection_ratio, dtype=float))
    weights = selection_weights(ratio)
    published_y: list[float] = []
    published_se: list[float] = []
    generated = 0
    while len(published_y) < n_studies:
        se_i = rng.uniform(*se_range)
        y_i = rng.normal(mu + tau * rng.standard_normal(), se_i)
        generated += 1
        p_value = stats.norm.sf(y_i / se_i)
        if rng.uniform() < weights[np.searchsorted(alpha, p_value, side="right")]:
            published_y.append(y_i)
            published_se.append(se_i)
    truth = {"mu": float(mu), "tau": float(tau), "selection_ratio": ratio,
             "n_generated": generated}
    data = {"effect_size": np.array(published_y), "standard_error": np.array(published_se),
            "study": study, "cutpoints": tuple(float(a) for a in alpha)}
    return truth, data


SUBGROUP_DIM = "study"
"""Dimension name of the subgroups (the name the book's meta-analysis code uses for units)."""


def build_subgroup_effects(
    effect_size: np.ndarray | pd.Series,
    standard_error: np.ndarray | pd.Series,
    subgroup: Sequence[str] | pd.Index,
    *,
    prior_sd: float,
) -> pm.Model:
    r"""Build the unpooled model of subgroup effects: one independent effect per subgroup.

    .. math::

        y_g \sim \mathcal{N}(\theta_g, s_g), \qquad \theta_g \sim \mathcal{N}(0, \sigma_0)
        \quad \text{independently for each } g,

    so no subgroup's estimate informs another's (no partial pooling). Use it when the
    subgroups are not exchangeable, e.g. groups that differ by age at the move.

    Parameters
    ----------
    effect_size, standard_error : array-like
        Reported effect :math:`y_g` and its standard error :math:`s_g` (> 0).
    subgroup : sequence of str
        Unique subgroup labels (dimension :data:`SUBGROUP_DIM`).
    prior_sd : float
        :math:`\sigma_0`, in the units of the effect (MTO earnings:
        :data:`analysis.data.evidence.MTO_PRIOR_SD`).

    Returns
    -------
    pymc.Model
        Free variable ``theta`` and observed ``effect_size``, both over :data:`SUBGROUP_DIM`.

    Raises
    ------
    ValueError
        On unequal lengths, a standard error that is not finite and > 0, repeated labels or
        ``prior_sd <= 0``.
    """
    y, se, labels = _check_inputs(effect_size, standard_error, subgroup, unit="subgroup")
    if not prior_sd > 0:
        raise ValueError(f"prior_sd must be > 0, got {prior_sd}")
    with pm.Model(coords={SUBGROUP_DIM: labels}) as model:
        theta = pm.Normal("theta", 0.0, prior_sd, dims=SUBGROUP_DIM)
        pm.Normal("effect_size", theta, sigma=se, observed=y, dims=SUBGROUP_DIM)
    return model


def unpooled_posterior(
    effect_size: np.ndarray | pd.Series,
    standard_error: np.ndarray | pd.Series,
    prior_sd: float,
) -> pd.DataFrame:
    r"""Exact posterior of :func:`build_subgroup_effects` (conjugate normal), per subgroup.

    With precision :math:`p_g = s_g^{-2} + \sigma_0^{-2}` the posterior of :math:`\theta_g` is
    :math:`\mathcal{N}(y_g s_g^{-2} / p_g,\ p_g^{-1/2})`; ``shrinkage`` is the factor
    :math:`s_g^{-2} / p_g` by which the prior pulls the estimate towards zero.

    Returns
    -------
    pandas.DataFrame
        Columns ``mean``, ``sd`` and ``shrinkage``, in the order of the inputs (index of
        ``effect_size`` when it is a Series).
    """
    y = np.asarray(effect_size, dtype=float)
    se = np.asarray(standard_error, dtype=float)
    precision = se**-2.0 + prior_sd**-2.0
    shrinkage = se**-2.0 / precision
    index = effect_size.index if isinstance(effect_size, pd.Series) else None
    return pd.DataFrame({"mean": y * shrinkage, "sd": precision**-0.5, "shrinkage": shrinkage},
                        index=index)
