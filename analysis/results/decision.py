r"""What a municipality should expect from an area programme like the wijkenaanpak, at its dose.

Predicts from the REAL posterior of the wijkenaanpak postcode event study
(:func:`analysis.models.event_study.build_event_study`, the headline specification of the
chapter on the Leefbaarometer 3.0 postcode panel -- broad treatment definition, 2008 baseline,
municipality-varying post effect, its priors, prior check and sampler settings -- plus the
builder's dose slope, which that chapter does not estimate): the liveability effect of the
programme in a municipality that is **not** one of the 18 Vogelaar municipalities, or in a
new treated area, at a given dose (extra corporation investment per resident), optionally
updated with that municipality's own evaluations. Used by the decision chapter and by
``python -m analysis decide [OWN_EVALUATIONS.csv] --dose-eur-per-resident X --out DIR``.

Predictive effect
-----------------
The event study's post-period effect at full exposure (a postcode entirely inside treated
wijken) in municipality :math:`g` is :math:`\beta_{\mathrm{post}} + \tau u_g + \theta q`,
with :math:`\beta_{\mathrm{post}}` the mean post-year coefficient (``effect_post``),
:math:`\tau` the spread across municipalities (``effect_sd``), :math:`u_g \sim N(0, 1)` and
:math:`\theta` the slope (``theta``) on the standardised dose
:math:`q = (\text{dose} - \bar d)/s_d`, standardised with the mean and SD of the fit
(:class:`DoseScale`). For a new municipality each posterior draw :math:`s` gives

.. math::

    \theta^\ast_s = m_s + \tau_s \varepsilon_s, \qquad
    m_s = \beta_{\mathrm{post},s} + \theta_s q^\ast, \quad \varepsilon_s \sim N(0, 1),

so the predictive distribution is a mixture of normals :math:`N(m_s, \tau_s^2)`.

Updating with own evaluations
-----------------------------
The municipality's own estimates :math:`y_i` with standard errors :math:`s_i` (one per
evaluated area) are modelled as :math:`y_i \sim N(\theta_m, s_i^2)` for its own effect
:math:`\theta_m \sim N(m_s, \tau_s^2)`. With precision weights :math:`w_i = s_i^{-2}`,
:math:`W = \sum_i w_i` and :math:`\bar y = \sum_i w_i y_i / W`, the likelihood of
:math:`\theta_m` is proportional to :math:`N(\bar y; \theta_m, 1/W)`, so per draw (conjugate
normal update)

.. math::

    \theta_m \mid y, s \sim N\!\left(m_s + k_s (\bar y - m_s),\; k_s / W\right), \qquad
    k_s = \frac{\tau_s^2}{\tau_s^2 + 1/W},

and the evaluations' marginal likelihood given draw :math:`s` is
:math:`p(y \mid s) = C\, N(\bar y; m_s, \tau_s^2 + 1/W)`, with :math:`C` free of
:math:`s`. The own evaluations are also evidence about the shared parameters (a municipality
whose programme worked says a little about the mean), so the draws are reweighted by
:math:`p(y \mid s)` -- importance sampling from the book's posterior to the posterior that
includes the own evaluations, Pareto-smoothed (PSIS, :func:`arviz.psislw`) with its
:math:`\hat k` reported. With 18 municipalities behind the posterior the weights are nearly
flat unless the own evaluations contradict it (:math:`\hat k > 0.7`: the report says so).
Probabilities :math:`P(\theta_m > T)` are Rao-Blackwellised:
:math:`\sum_s \tilde w_s \Phi((\mu_s - T)/\sigma_s)`.

Here every evaluated area shares the municipality's effect: areas of one municipality differ
in the book's model only through the dose and noise, so the update treats the evaluations as
repeated measurements of one municipal effect.
"""

from __future__ import annotations

import io
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import arviz as az
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from scipy.special import ndtr

from analysis.config import CI_PROB, SEED
from analysis.data.evaluations import Evaluations, read_evaluations
from analysis.display.figures import PALETTE
from analysis.display.numbers import probability_text
from analysis.inference.workflow import PriorCheck, run_workflow
from analysis.io import write_atomic
from analysis.models.event_study import build_event_study, unit_log_likelihood
from analysis.results.decision_inputs import (
    EFFECT_UNIT,
    MUNICIPAL_COVARIATES,
    DoseScale,
    Extrapolation,
    check_dose,
    check_thresholds,
    headline_inputs,
)

PARETO_K_MAX = 0.7
"""Pareto k of the importance weights above which the update is unreliable (refit instead)."""


# --- the update (pure NumPy; tested against closed forms and quadrature) -------------------


@dataclass(frozen=True)
class Update:
    r"""Per-draw conditional distribution of the municipality's own effect, and draw weights.

    Attributes
    ----------
    mean, sd : numpy.ndarray
        Conditional mean and SD of the own effect per posterior draw (shape of the draws).
    log_weights : numpy.ndarray
        Normalised (Pareto-smoothed) log importance weights of the draws; uniform without
        own evaluations.
    pareto_k : float
        PSIS shape estimate of the weights (``nan`` without own evaluations).
    ess : float
        Effective sample size of the weights, :math:`1/\sum \tilde w^2`.
    n_evaluations : int
        Number of own evaluations used.
    """

    mean: np.ndarray
    sd: np.ndarray
    log_weights: np.ndarray
    pareto_k: float
    ess: float
    n_evaluations: int

    @property
    def weights(self) -> np.ndarray:
        """Normalised weights (sum 1)."""
        w = np.exp(self.log_weights - self.log_weights.max())
        return w / w.sum()

    def prob_above(self, threshold: float) -> float:
        r"""Rao-Blackwellised :math:`P(\theta_m > T)`: weighted mean of per-draw normal tails."""
        return float(np.sum(self.weights * _normal_sf((threshold - self.mean) / self.sd)))

    def per_draw_prob_above(self, threshold: float) -> np.ndarray:
        r""":math:`P(\theta_m > T \mid \text{draw})` per draw (unweighted)."""
        return _normal_sf((threshold - self.mean) / self.sd)

    def draws(self, rng: np.random.Generator, per_draw: int = 1) -> np.ndarray:
        """Draws of the own effect: resampled by weight (systematic), then from the normal.

        Without own evaluations (uniform weights) every posterior draw is kept once, in order,
        ``per_draw`` times.
        """
        mean, sd = self.mean.ravel(), self.sd.ravel()
        n = mean.size
        if self.n_evaluations == 0:
            index = np.tile(np.arange(n), per_draw)
        else:
            cdf = np.cumsum(self.weights.ravel())
            cdf[-1] = 1.0
            u = (rng.random() + np.arange(n * per_draw)) / (n * per_draw)
            index = np.searchsorted(cdf, u)
        return mean[index] + sd[index] * rng.standard_normal(index.size)


def _normal_sf(z: np.ndarray) -> np.ndarray:
    """Return the standard normal survival function at ``z``."""
    return ndtr(-np.asarray(z, dtype=float))


def evaluation_summary(effect: np.ndarray, se: np.ndarray) -> tuple[float, float]:
    r"""Precision-weighted mean :math:`\bar y` and its total precision :math:`W`."""
    effect, se = np.asarray(effect, dtype=float), np.asarray(se, dtype=float)
    w = 1.0 / se**2
    return float(np.sum(w * effect) / w.sum()), float(w.sum())


def log_marginal_likelihood(
    mean: np.ndarray, tau: np.ndarray, effect: np.ndarray, se: np.ndarray
) -> np.ndarray:
    r"""Exact log density of the own evaluations given each draw's ``(m_s, tau_s)``.

    :math:`y \sim N(m_s \mathbf 1, \tau_s^2 J + \operatorname{diag}(s^2))`, computed through
    the sufficient statistic (see the module docstring); the constant :math:`C` is included so
    the value can be checked against a multivariate normal density.
    """
    effect, se = np.asarray(effect, dtype=float), np.asarray(se, dtype=float)
    ybar, total = evaluation_summary(effect, se)
    w = 1.0 / se**2
    log_c = (-0.5 * np.sum(np.log(2 * np.pi * se**2)) - 0.5 * np.sum(w * (effect - ybar) ** 2)
             + 0.5 * np.log(2 * np.pi / total))
    var = np.asarray(tau, dtype=float) ** 2 + 1.0 / total
    return log_c - 0.5 * np.log(2 * np.pi * var) - 0.5 * (ybar - np.asarray(mean)) ** 2 / var


def update_own_effect(
    mean: np.ndarray,
    tau: np.ndarray,
    effect: np.ndarray | None = None,
    se: np.ndarray | None = None,
    *,
    smooth: bool = True,
) -> Update:
    r"""Condition a new municipality's effect on its own evaluations, per posterior draw.

    Parameters
    ----------
    mean : numpy.ndarray
        :math:`m_s`, the predictive mean of a new municipality per draw (any shape).
    tau : numpy.ndarray
        :math:`\tau_s`, the spread of effects across municipalities per draw (same shape).
    effect, se : numpy.ndarray, optional
        The municipality's own estimates and their standard errors; None for no update.
    smooth : bool, default True
        Pareto-smooth the importance weights (PSIS); False gives raw weights (for tests).

    Returns
    -------
    Update
        Conditional means and SDs per draw and the normalised log weights.

    Examples
    --------
    One draw, prior N(0, 0.02^2), one evaluation 0.02 with SE 0.02: the posterior mean is
    halfway and the variance halves.

    >>> u = update_own_effect(np.array([0.0]), np.array([0.02]), np.array([0.02]),
    ...                       np.array([0.02]), smooth=False)
    >>> round(float(u.mean[0]), 4), round(float(u.sd[0] ** 2 / 0.02 ** 2), 3)
    (0.01, 0.5)
    """
    mean = np.asarray(mean, dtype=float)
    tau = np.broadcast_to(np.asarray(tau, dtype=float), mean.shape)
    uniform = np.full(mean.shape, -np.log(mean.size))
    if effect is None or len(effect) == 0:
        return Update(mean=mean, sd=np.array(tau), log_weights=uniform, pareto_k=float("nan"),
                      ess=float(mean.size), n_evaluations=0)
    ybar, total = evaluation_summary(effect, se)
    gain = tau**2 / (tau**2 + 1.0 / total)
    post_mean = mean + gain * (ybar - mean)
    post_sd = np.sqrt(gain / total)
    log_lik = log_marginal_likelihood(mean, tau, effect, se).ravel()
    if smooth:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # k is reported, not warned about
            log_w, k = az.psislw(log_lik - log_lik.max())
        k = float(k)
    else:
        log_w = log_lik - log_lik.max()
        log_w = log_w - np.log(np.sum(np.exp(log_w)))
        k = float("nan")
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    return Update(mean=post_mean, sd=post_sd, log_weights=np.reshape(log_w, mean.shape),
                  pareto_k=k, ess=float(1.0 / np.sum(w**2)), n_evaluations=len(effect))


def hdi(values: np.ndarray, prob: float = CI_PROB) -> tuple[float, float]:
    """Highest-density interval of draws (ArviZ), as ``(low, high)``."""
    low, high = az.hdi(np.asarray(values, dtype=float).ravel(), hdi_prob=prob)
    return float(low), float(high)


# --- predictions from a fit ----------------------------------------------------------------


def new_municipality_moments(posterior, dose_std: float) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`(m_s, \tau_s)` per draw for a new municipality at standardised dose ``dose_std``.

    Parameters
    ----------
    posterior : xarray.Dataset
        Posterior of :func:`analysis.models.event_study.build_event_study` with
        ``effect_post``, ``effect_sd`` and (with a dose) ``theta``.
    dose_std : float
        Standardised dose (:meth:`DoseScale.standardise`).

    Returns
    -------
    tuple of numpy.ndarray
        Arrays of shape ``(chain, draw)``.
    """
    mean = np.asarray(posterior["effect_post"], dtype=float)
    if "theta" in posterior:
        mean = mean + np.asarray(posterior["theta"], dtype=float) * float(dose_std)
    elif dose_std != 0:
        raise ValueError("the fit has no dose slope 'theta': predict at the mean dose only")
    tau = (np.asarray(posterior["effect_sd"], dtype=float) if "effect_sd" in posterior
           else np.zeros_like(mean))
    return mean, tau


@dataclass
class Prediction:
    """The predictive effect for one dose (with or without own evaluations).

    Attributes
    ----------
    dose_eur : float
        Dose in EUR per resident.
    dose_std : float
        Standardised dose.
    inside_range : bool
        Whether the dose lies within the fit's range of treated doses.
    update : Update
        Per-draw conditional distributions and weights.
    draws : numpy.ndarray
        Draws of the effect (shape ``(chain, draw)`` without own evaluations; resampled
        draws, flat, with them).
    thresholds : list of float
        Thresholds of the probabilities.
    evaluations : Evaluations or None
        The own evaluations used.
    """

    dose_eur: float
    dose_std: float
    inside_range: bool
    update: Update
    draws: np.ndarray
    thresholds: list[float]
    evaluations: Evaluations | None = None

    @property
    def label(self) -> str:
        """Short description of the prediction."""
        own = (f", updated with {self.update.n_evaluations} own evaluation(s)"
               if self.evaluations is not None else "")
        return f"new municipality, dose {self.dose_eur:,.0f} EUR per resident{own}"

    def table(self) -> pd.DataFrame:
        """One row per threshold: mean, SD, 94 % HDI, P(effect > T) and it in words."""
        low, high = hdi(self.draws)
        rows = []
        for t in self.thresholds:
            p = self.update.prob_above(t)
            rows.append({
                "dose_eur_per_resident": self.dose_eur,
                "own_evaluations": self.update.n_evaluations,
                "expected_effect": float(np.mean(self.draws)),
                "sd": float(np.std(self.draws, ddof=1)),
                "hdi_low": low, "hdi_high": high,
                "threshold": t, "p_above": p, "p_above_text": probability_text(p),
                "dose_inside_fitted_range": self.inside_range,
            })
        return pd.DataFrame(rows)


def predict(
    posterior,
    dose_eur: float,
    scale: DoseScale,
    *,
    evaluations: Evaluations | None = None,
    thresholds: Sequence[float] | None = None,
    seed: int | np.random.Generator = SEED,
) -> Prediction:
    """Predictive effect for a new municipality at ``dose_eur``, optionally with own evaluations.

    Parameters
    ----------
    posterior : xarray.Dataset
        The event study's posterior (``effect_post``, ``effect_sd``, ``theta``).
    dose_eur : float
        Dose, EUR per resident (post-treatment population, as in the fit).
    scale : DoseScale
        The fit's standardisation of the dose.
    evaluations : Evaluations, optional
        The municipality's own evaluations (:func:`analysis.data.evaluations.read_evaluations`).
    thresholds : sequence of float, optional
        Thresholds T for P(effect > T), LBM 3.0 units; default ``[0]``.
    seed : int or numpy.random.Generator
        For the predictive draws.

    Returns
    -------
    Prediction
    """
    rng = np.random.default_rng(seed)
    dose = check_dose(dose_eur)
    dose_std = scale.standardise(dose)
    mean, tau = new_municipality_moments(posterior, dose_std)
    if evaluations is None:
        update = update_own_effect(mean, tau)
        draws = update.draws(rng).reshape(mean.shape)
    else:
        frame = evaluations.frame
        update = update_own_effect(mean, tau, frame["effect"].to_numpy(),
                                   frame["standard_error"].to_numpy())
        draws = update.draws(rng, per_draw=4)
    return Prediction(dose_eur=dose, dose_std=dose_std, inside_range=scale.inside(dose),
                      update=update, draws=draws, thresholds=check_thresholds(thresholds),
                      evaluations=evaluations)


# --- the fit -------------------------------------------------------------------------------


@dataclass
class Decision:
    """What :func:`decide` returns: the fit, the dose scale and the predictions.

    Attributes
    ----------
    workflow : analysis.inference.workflow.WorkflowResult
        The event-study fit with every check of the book's pipeline.
    scale : DoseScale
        Dose standardisation of the fit.
    prior : Prediction
        The book's predictive distribution at the dose (no own evaluations).
    updated : Prediction or None
        The same after the own evaluations.
    notes : dict
        Free-text facts for the report (sample, specification).
    extrapolation : Extrapolation or None
        How far the dose (and the municipality, if given) lie from the fit's data.
    """

    workflow: object
    scale: DoseScale
    prior: Prediction
    updated: Prediction | None = None
    notes: dict[str, str] = field(default_factory=dict)
    extrapolation: Extrapolation | None = None

    @property
    def idata(self):
        """The fit's InferenceData."""
        return self.workflow.idata

    def table(self) -> pd.DataFrame:
        """Both predictions' tables stacked (``prediction`` column says which)."""
        parts = [self.prior.table().assign(prediction="book posterior")]
        if self.updated is not None:
            parts.append(self.updated.table().assign(prediction="with own evaluations"))
        table = pd.concat(parts, ignore_index=True)
        return table[["prediction", *[c for c in table.columns if c != "prediction"]]]


PRIOR_CHECK_BOUND = 0.5
"""Bound of the prior predictive check on the changes (LBM 3.0 units), as in the postcode
chapter."""


def fit_event_study(
    data: dict,
    *,
    seed: int | np.random.Generator = SEED,
    label: str = "decide: wijkenaanpak postcode event study",
    simulated: bool = False,
    prior_check=None,
    **fit_overrides: object,
):
    """Fit :func:`~analysis.models.event_study.build_event_study` through the book's workflow.

    Parameters
    ----------
    data : dict
        Keyword arguments of ``build_event_study`` (``change, unit, year, exposure, group,
        reference_year``, and ``baseline``, ``dose``, ``priors`` ... as the specification
        needs).
    seed : int or numpy.random.Generator
        The chapter's or command's ``rng``.
    label : str
        Label of the workflow (starts every error message).
    simulated : bool, default False
        Whether ``data`` are simulated (figures get the stamp).
    prior_check : analysis.inference.workflow.PriorCheck, optional
        The stated prior predictive check; by default ``|change| < 0.5`` in 95 % of draws.
    **fit_overrides
        Sampler settings passed through :func:`analysis.inference.workflow.run_workflow`.

    Returns
    -------
    analysis.inference.workflow.WorkflowResult
        Prior predictive check, gated fit, PPC, leave-one-unit-out PSIS-LOO (unit intercepts
        integrated out) and prior sensitivity of ``effect_post``, ``effect_sd`` and ``theta``.
    """
    check = prior_check or PriorCheck(
        "change", bound=PRIOR_CHECK_BOUND, prob=0.95,
        reason="changes beyond 0.5 LBM would be several times the largest observed gain of a "
        "fifth of postcodes")
    units = np.asarray(data["unit"])
    with_dose = data.get("dose") is not None
    var_names = ["effect_post", "effect_sd"] + (["theta"] if with_dose else [])
    prior_var_names = ["beta", "effect_sd", "rho"] + (["theta"] if with_dose else [])
    return run_workflow(
        lambda: build_event_study(**data), label=label, seed=seed, var_names=var_names,
        prior_check=check, prior_var_names=prior_var_names, simulated=simulated,
        loo_log_likelihood=lambda idata: unit_log_likelihood(
            idata, units, model=build_event_study(**data)),  # nutpie stores none
        **fit_overrides,
    )


def fit_headline(
    seed: int | np.random.Generator = SEED,
    progress: Callable[[str], None] | None = None,
    **fit_overrides: object,
):
    """Prepare the postcode panel and fit the postcode chapter's headline specification.

    Returns
    -------
    tuple
        ``(WorkflowResult, DoseScale, notes)``.
    """
    say = progress or (lambda message: None)
    data, scale, settings, notes = headline_inputs()
    say(f"fitting the event study ({notes.get('sample', '')}) through the workflow ...")
    result = fit_event_study(data, seed=seed, **{**settings, **fit_overrides})
    return result, scale, notes


def decide(
    evaluations: Path | str | Evaluations | None,
    dose_eur: float,
    *,
    thresholds: Sequence[float] | None = None,
    seed: int | np.random.Generator = SEED,
    progress: Callable[[str], None] | None = None,
    extrapolation: Extrapolation | None = None,
    **fit_overrides: object,
) -> Decision:
    """Validate the inputs, fit the headline event study and predict at ``dose_eur``.

    Parameters
    ----------
    evaluations : Path, str, Evaluations or None
        The municipality's own evaluations (CSV, validated first), or None.
    dose_eur : float
        Dose in EUR per resident.
    thresholds : sequence of float, optional
        Thresholds for P(effect > T); default ``[0]``.
    seed : int or numpy.random.Generator
        Seed of the fit and the predictions.
    progress : callable, optional
        Receives one-line progress messages.
    extrapolation : Extrapolation, optional
        The check of the inputs against the fit's data (:func:`extrapolation_for`), e.g. with
        a municipality's covariates; by default the dose alone is checked.
    **fit_overrides
        Passed through :func:`analysis.inference.workflow.run_workflow` to the sampler.

    Returns
    -------
    Decision

    Raises
    ------
    analysis.data.DataError
        On an invalid file, dose or threshold (before anything is fitted).
    """
    say = progress or (lambda message: None)
    dose = check_dose(dose_eur)
    chosen = check_thresholds(thresholds)
    if evaluations is not None and not isinstance(evaluations, Evaluations):
        evaluations = read_evaluations(evaluations)
        say(f"read {evaluations.n} own evaluation(s) from {evaluations.source} "
            f"({evaluations.format})")
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    workflow, scale, notes = fit_headline(rng, progress=say, **fit_overrides)
    say(f"fit and checks done in {time.perf_counter() - start:.0f} s")
    posterior = workflow.idata.posterior
    prior = predict(posterior, dose, scale, thresholds=chosen, seed=rng)
    updated = (predict(posterior, dose, scale, evaluations=evaluations, thresholds=chosen,
                       seed=rng) if evaluations is not None else None)
    if extrapolation is None:
        extrapolation = Extrapolation(dose_eur=dose, dose_z=scale.standardise(dose),
                                      dose_low=scale.low, dose_high=scale.high)
    return Decision(workflow=workflow, scale=scale, prior=prior, updated=updated, notes=notes,
                    extrapolation=extrapolation)


# --- report --------------------------------------------------------------------------------


def plot_prediction(predictions: Sequence[Prediction], labels: Sequence[str] | None = None,
                    *, xlim: tuple[float, float] | None = None):
    """Densities of predictive effects (one line each), zero marked, 94 % HDIs as bars."""
    colours = sns.color_palette(PALETTE)
    labels = list(labels) if labels is not None else [p.label for p in predictions]
    fig, ax = plt.subplots(figsize=(7, 3.4))
    for i, (pred, label) in enumerate(zip(predictions, labels, strict=True)):
        values = np.asarray(pred.draws).ravel()
        sns.kdeplot(values, ax=ax, color=colours[i % len(colours)], label=label, lw=1.8)
        low, high = hdi(values)
        y = -0.04 * (i + 1) * ax.get_ylim()[1]
        ax.hlines(y, low, high, color=colours[i % len(colours)], lw=3)
    ax.axvline(0.0, color="0.4", lw=1, ls="--")
    ax.set_xlabel(f"liveability effect at full exposure ({EFFECT_UNIT}; positive = better)")
    ax.set_ylabel("predictive density")
    if xlim:
        ax.set_xlim(*xlim)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return fig


def _markdown(table: pd.DataFrame) -> str:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return "```\n" + table.to_string(index=False) + "\n```"
    return table.to_markdown(index=False)


def write_report(decision: Decision, out_dir: Path | str) -> list[Path]:
    """Write ``summary.csv``, ``checks.csv``, ``report.md`` and ``predicted_effect.png``.

    Each file is written to a temporary name and renamed, so an interrupted run leaves no
    half-written file.

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = decision.table()
    csv_path, checks_path = out / "summary.csv", out / "checks.csv"
    md_path, png_path = out / "report.md", out / "predicted_effect.png"
    write_atomic(csv_path, table.round(4).to_csv(index=False, lineterminator="\n").encode())
    checks = decision.workflow.summary()
    write_atomic(checks_path, checks.to_csv(lineterminator="\n").encode())

    preds = [decision.prior] + ([decision.updated] if decision.updated is not None else [])
    labels = ["book posterior (18 Vogelaar municipalities)"] + (
        ["with own evaluations"] if decision.updated is not None else [])
    fig = plot_prediction(preds, labels)
    png = io.BytesIO()
    fig.savefig(png, format="png")
    plt.close(fig)
    write_atomic(png_path, png.getvalue())

    scale, prior = decision.scale, decision.prior
    lines = [
        "# What to expect from an area programme like the wijkenaanpak\n",
        f"Dose: **{prior.dose_eur:,.0f} EUR per resident** ({scale.description}). "
        + ("Within" if prior.inside_range else "**Outside**")
        + f" the range of the Vogelaar doses ({scale.low:,.0f} to {scale.high:,.0f} EUR per "
        "resident)" + ("." if prior.inside_range else ": this prediction is an extrapolation."),
        "",
        f"Effect on the Leefbaarometer 3.0 score of a postcode entirely inside the programme "
        f"area, averaged over the post-programme years, in a municipality that is not one of "
        f"the 18 Vogelaar municipalities ({EFFECT_UNIT}; postcode scores have an SD of about "
        "0.12).\n",
    ]
    check = decision.extrapolation
    if check is not None and check.municipality is not None:
        lines += [
            f"Municipality: **{check.municipality}**"
            + (" (one of the 18 the posterior learns from)." if check.in_reference else ".")
            + " Compared with the 18 Vogelaar municipalities (CBS 2016): "
            + "; ".join(f"{MUNICIPAL_COVARIATES[k][1]} {r['value']:,.0f} "
                        + ("**outside** " if r["outside"] else "inside ")
                        + f"their range {r['low']:,.0f} to {r['high']:,.0f}"
                        for k, r in check.covariates.iterrows())
            + f". Standardised distance to the nearest of the 18 ({check.nearest}): "
            f"{check.nearest_distance:.1f} (at most {check.nearest_reference:.1f} among the 18); "
            f"Mahalanobis distance to their centre {check.mahalanobis:.1f} (at most "
            f"{check.mahalanobis_reference:.1f})."
            + (" **The prediction is an extrapolation.**" if check.outside else ""),
            "",
        ]
    for pred, name in zip(preds, labels, strict=True):
        t = pred.table()
        row = t.iloc[0]
        lines.append(f"- **{name}:** expected {row['expected_effect']:+.3f}, 94 % interval "
                     f"{row['hdi_low']:+.3f} to {row['hdi_high']:+.3f}; "
                     + "; ".join(f"probability the effect exceeds {r['threshold']:g}: "
                                 f"{r['p_above_text']}" for _, r in t.iterrows()) + ".")
    if decision.updated is not None:
        ev, upd = decision.updated.evaluations, decision.updated.update
        lines += [
            "",
            f"Own evaluations: `{ev.source}`, read as {ev.format}; {ev.n} evaluated area(s). "
            f"Importance weights of the update: effective sample size {upd.ess:,.0f}, Pareto k "
            f"{upd.pareto_k:.2f}"
            + (" (reliable)." if upd.pareto_k <= PARETO_K_MAX else
               f" (above {PARETO_K_MAX}: the own evaluations contradict the book's posterior; "
               "the update is unreliable and a joint refit would be needed)."),
        ]
    lines += [
        "",
        _markdown(table.round(4)),
        "\n![Predictive effect](predicted_effect.png)\n",
        "## Checks of the fit (the book's workflow)\n",
        _markdown(checks.reset_index().map(lambda v: str(v).replace("|", "\\|"))),
        "",
        "What this does and does not show: the estimate is an association between exposure to "
        "the programme areas and the change of liveability since 2008, compared with other "
        "postcodes of the same municipality and adjusted for the baseline level; it is causal "
        "only if the programme areas would otherwise have changed like those postcodes. The "
        "dose is per resident of a post-treatment population. A municipality unlike the 18 "
        "large Vogelaar municipalities is an extrapolation.\n",
        "Model: `analysis.models.event_study.build_event_study`; "
        "code: `analysis.results.decision`. "
        + " ".join(f"{k}: {v}." for k, v in decision.notes.items()),
    ]
    write_atomic(md_path, "\n".join(lines).encode("utf-8"))
    return [csv_path, checks_path, md_path, png_path]


