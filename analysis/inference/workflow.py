"""The shared checking pipeline every model chapter runs: prior predictive, fit, gate, PPC, LOO.

:func:`run_workflow` takes a model builder (a function returning a fresh :class:`pymc.Model` with
one observed variable and named dims) and runs, in order:

1. prior predictive sampling and a stated check (:func:`check_prior_predictive`), which raises;
2. the fit (:func:`analysis.inference.sampling.fit`) and the convergence gate
   (:func:`analysis.inference.diagnostics.check_convergence`), which raises;
3. posterior predictive sampling and test-statistic p-values (:func:`ppc_table`), reported;
4. PSIS-LOO with a Pareto-k table (:func:`pareto_k_table`), reported (large k is a warning in the
   table, not an error);
5. power-scaling prior sensitivity (:func:`prior_sensitivity`), reported.

Every error message starts with the label (chapter and model) and names the failed check, so a
failing chapter fails the book build with a message that says where and what.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import arviz as az
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pymc as pm
import seaborn as sns
import xarray as xr
from matplotlib.figure import Figure

from analysis.display.figures import PALETTE, label_simulated
from analysis.inference.diagnostics import check_convergence
from analysis.inference.sampling import fit

PARETO_K_MAX = 0.7
"""Pareto-k above which the PSIS-LOO estimate of an observation is unreliable."""

SENSITIVITY_THRESHOLD = 0.05
"""Power-scaling sensitivity (CJS distance) above which a quantity counts as sensitive."""

PRIOR_DRAWS = 1000
"""Number of prior predictive draws used for the prior check and its plot."""


class WorkflowError(RuntimeError):
    """Base class of the pipeline's errors; the message starts with the chapter's label."""


class PriorPredictiveError(WorkflowError):
    """The prior implies implausible values of a checked quantity."""


@dataclass(frozen=True)
class PriorCheck:
    """A stated prior predictive check: ``|var| < bound`` in at least ``prob`` of prior draws.

    Parameters
    ----------
    var : str
        Observed variable (``prior_predictive`` group) or latent variable (``prior`` group).
    bound : float
        Plausibility bound on the absolute value, in the variable's units.
    prob : float, default 0.95
        Smallest acceptable share of prior draws (over all draws and elements) inside the bound.
    reason : str, optional
        One sentence saying why the bound is plausible, shown in the table.
    """

    var: str
    bound: float
    prob: float = 0.95
    reason: str = ""


def check_prior_predictive(
    idata: az.InferenceData,
    var: str,
    *,
    bound: float = 2.0,
    prob: float = 0.95,
    label: str = "model",
    reason: str = "",
) -> pd.DataFrame:
    """Raise :class:`PriorPredictiveError` unless ``|var| < bound`` in at least ``prob`` of draws.

    Parameters
    ----------
    idata : arviz.InferenceData
        Output of :func:`pymc.sample_prior_predictive` (groups ``prior`` and/or
        ``prior_predictive``).
    var : str
        Variable to check, looked up in ``prior_predictive`` first, then in ``prior``.
    bound : float, default 2.0
        Plausibility bound on ``|var|``.
    prob : float, default 0.95
        Required share of draws inside the bound.
    label : str, default "model"
        Chapter and model, repeated at the start of the error message.
    reason : str, optional
        Why the bound is plausible (shown in the returned table).

    Returns
    -------
    pandas.DataFrame
        One row (index ``check``): quantity, share of draws inside the bound, requirement,
        passed, reason.

    Raises
    ------
    PriorPredictiveError
        If the share of draws inside the bound is below ``prob``, or ``var`` is missing.

    Examples
    --------
    >>> prior = pm.sample_prior_predictive(model=model, random_seed=rng)  # doctest: +SKIP
    >>> check_prior_predictive(prior, "theta", bound=2.0, label="ch: meta")  # doctest: +SKIP
    """
    draws = _prior_draws(idata, var, label)
    values = np.asarray(draws).ravel()
    share = float(np.mean(np.abs(values) < bound))
    table = pd.DataFrame(
        [
            {
                "check": "prior predictive",
                "quantity": f"|{var}| < {bound:g}",
                "share": share,
                "requirement": f">= {prob:.0%}",
                "passed": share >= prob,
                "reason": reason,
            }
        ]
    ).set_index("check")
    if share < prob:
        raise PriorPredictiveError(
            f"{label}: failed the prior predictive check: only {share:.1%} of prior draws of "
            f"'{var}' have |{var}| < {bound:g} (needs >= {prob:.0%}). The priors imply implausible "
            "values; narrow them (and say why) rather than loosen the check."
        )
    return table


def ppc_table(
    idata: az.InferenceData, var: str, statistics: Sequence[str] = ("mean", "sd", "min", "max")
) -> pd.DataFrame:
    """Posterior predictive p-values ``P(T(y_rep) >= T(y))`` of simple test statistics.

    Values near 0 or 1 (outside 0.025-0.975) are flagged: the model does not reproduce that
    feature of the data. This is reported, not raised.

    Parameters
    ----------
    idata : arviz.InferenceData
        With ``posterior_predictive`` and ``observed_data`` groups holding ``var``.
    var : str
        The observed variable.
    statistics : sequence of {"mean", "sd", "min", "max"}
        Test statistics computed over the observed variable's elements.

    Returns
    -------
    pandas.DataFrame
        Index ``statistic``; columns ``observed``, ``replicated (mean)``, ``p-value``, ``flag``.
    """
    functions: dict[str, Callable[..., np.ndarray]] = {
        "mean": np.mean, "sd": np.std, "min": np.min, "max": np.max,
    }
    observed = np.asarray(idata.observed_data[var]).ravel()
    replicated = idata.posterior_predictive[var]
    replicated = np.asarray(replicated).reshape(-1, observed.size)
    rows = []
    for name in statistics:
        func = functions[name]
        t_obs = float(func(observed))
        t_rep = func(replicated, axis=1)
        p_value = float(np.mean(t_rep >= t_obs))
        rows.append(
            {
                "statistic": name,
                "observed": t_obs,
                "replicated (mean)": float(np.mean(t_rep)),
                "p-value": p_value,
                "flag": "" if 0.025 <= p_value <= 0.975 else "misfit",
            }
        )
    return pd.DataFrame(rows).set_index("statistic")


def pareto_k_table(loo: az.ELPDData, k_max: float = PARETO_K_MAX) -> pd.DataFrame:
    """Summarise PSIS-LOO's Pareto-k values: counts per band and the observations above ``k_max``.

    Parameters
    ----------
    loo : arviz.ELPDData
        Output of ``az.loo(idata, pointwise=True)``.
    k_max : float, default 0.7
        Threshold above which the importance-sampling estimate is unreliable.

    Returns
    -------
    pandas.DataFrame
        Index ``Pareto k``; columns ``count``, ``share``, ``observations`` (names of the flagged
        observations, empty for the good band).
    """
    k = loo.pareto_k
    values = np.asarray(k).ravel()
    names = _element_names(k)
    bands = [
        (f"good (k <= {k_max:g})", values <= k_max),
        (f"bad ({k_max:g} < k <= 1)", (values > k_max) & (values <= 1.0)),
        ("very bad (k > 1)", values > 1.0),
    ]
    rows = [
        {
            "Pareto k": band,
            "count": int(mask.sum()),
            "share": f"{mask.mean():.0%}",
            "observations": "" if i == 0 else ", ".join(np.asarray(names)[mask]),
        }
        for i, (band, mask) in enumerate(bands)
    ]
    return pd.DataFrame(rows).set_index("Pareto k")


def prior_sensitivity(
    idata: az.InferenceData,
    model: pm.Model,
    var_names: Sequence[str],
    *,
    prior_var_names: Sequence[str] | None = None,
    threshold: float = SENSITIVITY_THRESHOLD,
) -> pd.DataFrame:
    """Power-scaling sensitivity of posterior quantities to the prior and to the likelihood.

    Computes the log prior of every posterior draw (:func:`pymc.compute_log_prior`) and ArviZ's
    power-scaling diagnostic :func:`arviz.psens` (Kallioinen et al. 2023) for both components:
    the cumulative Jensen-Shannon distance between the posterior and the posterior with the
    prior (or likelihood) raised to a power near 1. A quantity is *prior-sensitive* when its
    prior sensitivity exceeds ``threshold``; with a likelihood sensitivity also above the
    threshold this suggests prior-data conflict, with a weak likelihood sensitivity it suggests
    the prior dominates.

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit with ``posterior`` and ``log_likelihood`` groups (extended with ``log_prior``).
    model : pymc.Model
        The model that produced ``idata``.
    var_names : sequence of str
        Posterior quantities to assess.
    prior_var_names : sequence of str, optional
        Priors to power-scale; all free variables by default. In hierarchical models scale the
        top-level priors only (e.g. ``["mu", "tau"]``), not the population distribution.
    threshold : float, default 0.05
        Sensitivity above which a quantity is flagged.

    Returns
    -------
    pandas.DataFrame
        Index ``quantity``; columns ``prior``, ``likelihood`` (sensitivities) and ``diagnosis``.
    """
    if "log_prior" not in idata.groups():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            pm.compute_log_prior(idata, model=model, progressbar=False)
    component_vars = list(prior_var_names) if prior_var_names is not None else None
    prior = az.psens(idata, component="prior", component_var_names=component_vars,
                     var_names=list(var_names))
    likelihood = az.psens(idata, component="likelihood", var_names=list(var_names))
    if isinstance(prior, xr.DataArray):  # ArviZ returns a bare array for a single variable
        prior = prior.to_dataset(name=var_names[0])
        likelihood = likelihood.to_dataset(name=var_names[0])
    rows = []
    for name in var_names:
        p_vals = np.atleast_1d(np.asarray(prior[name])).ravel()
        l_vals = np.atleast_1d(np.asarray(likelihood[name])).ravel()
        for element, p_val, l_val in zip(_element_names(prior[name], name), p_vals, l_vals,
                                         strict=True):
            if p_val >= threshold and l_val >= threshold:
                diagnosis = "prior-data conflict"
            elif p_val >= threshold:
                diagnosis = "strong prior / weak likelihood"
            else:
                diagnosis = "-"
            rows.append({"quantity": element, "prior": float(p_val),
                         "likelihood": float(l_val), "diagnosis": diagnosis})
    return pd.DataFrame(rows).set_index("quantity")


def compare_models(
    results: Mapping[str, WorkflowResult | az.InferenceData], **kwargs: object
) -> pd.DataFrame:
    """Rank alternative models by expected log predictive density (PSIS-LOO, ``az.compare``).

    Parameters
    ----------
    results : mapping of str to WorkflowResult or arviz.InferenceData
        Fits of the alternatives, keyed by the name to show; for a :class:`WorkflowResult` its
        ``loo`` (with the pipeline's choice of log-likelihood) is compared.
    **kwargs
        Passed to :func:`arviz.compare`.

    Returns
    -------
    pandas.DataFrame
        ArviZ's comparison table (``elpd_loo``, ``elpd_diff``, ``dse``, ``weight`` ...).
    """
    compare_dict = {
        name: (r.loo if isinstance(r, WorkflowResult) else r) for name, r in results.items()
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Pareto-k is reported per model
        return az.compare(compare_dict, **kwargs)


@dataclass
class WorkflowResult:
    """What :func:`run_workflow` returns: the fit, every check's table and the plots.

    Attributes
    ----------
    label : str
        Chapter and model.
    idata : arviz.InferenceData
        Groups ``posterior``, ``prior``, ``prior_predictive``, ``posterior_predictive``,
        ``log_likelihood``, ``log_prior``, ``sample_stats``, ``observed_data``.
    observed : str
        Name of the observed variable.
    prior_check, convergence, ppc, pareto_k, sensitivity : pandas.DataFrame
        One table per check (see the module docstring).
    loo : arviz.ELPDData
        PSIS-LOO estimate with pointwise values.
    wall_time_s : float
        Wall time of the whole pipeline.
    simulated : bool
        Whether the data are simulated (figures get the SIMULATED stamp).
    """

    label: str
    idata: az.InferenceData
    observed: str
    prior_check: pd.DataFrame
    convergence: pd.DataFrame
    ppc: pd.DataFrame
    loo: az.ELPDData
    pareto_k: pd.DataFrame
    sensitivity: pd.DataFrame
    prior_check_spec: PriorCheck | None = None
    wall_time_s: float = 0.0
    simulated: bool = False
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def prior_check_share(self) -> float:
        """Share of prior draws inside the prior check's bound."""
        return float(self.prior_check["share"].iloc[0])

    @property
    def n_high_pareto_k(self) -> int:
        """Number of observations with Pareto k above 0.7 (the bands of the table but "good")."""
        bad = [band for band in self.pareto_k.index if not str(band).startswith("good")]
        return int(self.pareto_k.loc[bad, "count"].sum())

    @property
    def prior_sensitive(self) -> list[str]:
        """Quantities whose prior sensitivity exceeds the threshold."""
        return [q for q, row in self.sensitivity.iterrows()
                if row["prior"] >= SENSITIVITY_THRESHOLD]

    def summary(self) -> pd.DataFrame:
        """One row per check: what was checked, the result, and whether it passed or warns."""
        ppc_flags = [s for s, row in self.ppc.iterrows() if row["flag"]]
        rows = [
            ("prior predictive",
             f"{self.prior_check['quantity'].iloc[0]} in {self.prior_check_share:.1%} of draws",
             "passed"),
            ("convergence gate",
             "R-hat, bulk/tail ESS, divergences, E-BFMI", "passed"),
            ("posterior predictive",
             "p-values of " + ", ".join(self.ppc.index),
             "warning: " + ", ".join(ppc_flags) if ppc_flags else "passed"),
            ("PSIS-LOO",
             f"elpd_loo {self.loo.elpd_loo:.1f} (SE {self.loo.se:.1f}); "
             f"{self.n_high_pareto_k} of {self.loo.n_data_points} Pareto k > {PARETO_K_MAX:g}",
             f"warning: {self.n_high_pareto_k} high k" if self.n_high_pareto_k else "passed"),
            ("prior sensitivity",
             "power-scaling of " + ", ".join(self.sensitivity.index),
             "prior-sensitive: " + ", ".join(self.prior_sensitive)
             if self.prior_sensitive else "passed"),
        ]
        return pd.DataFrame(rows, columns=["check", "what", "result"]).set_index("check")

    def plot_prior_predictive(self, *, xlabel: str | None = None) -> Figure:
        """Histogram of the checked prior quantity with the plausibility bound marked."""
        spec = self.prior_check_spec
        var = spec.var if spec else self.observed
        values = np.asarray(_prior_draws(self.idata, var, self.label)).ravel()
        colours = sns.color_palette(PALETTE)
        fig, ax = plt.subplots(figsize=(7, 3.2))
        lo, hi = np.quantile(values, [0.005, 0.995])
        if spec:
            lo, hi = min(lo, -1.5 * spec.bound), max(hi, 1.5 * spec.bound)
        clipped = values[(values >= lo) & (values <= hi)]
        sns.histplot(clipped, bins=60, stat="density", color=colours[0], ax=ax,
                     label=f"prior draws of {var}")
        if spec:
            for x in (-spec.bound, spec.bound):
                ax.axvline(x, color=colours[3], ls="--", lw=1.2)
            share = float(np.mean(np.abs(values) < spec.bound))
            ax.set_title(f"Prior predictive: {share:.1%} of draws have |{var}| < {spec.bound:g}")
        else:
            ax.set_title(f"Prior predictive draws of {var}")
        ax.set_xlabel(xlabel or var)
        ax.legend(loc="upper right", fontsize=8)
        if self.simulated:
            label_simulated(ax)
        return fig

    def plot_ppc(self, *, xlabel: str | None = None, num_pp_samples: int = 100) -> Figure:
        """ArviZ posterior predictive check: observed density against replicated datasets."""
        colours = sns.color_palette(PALETTE).as_hex()
        fig, ax = plt.subplots(figsize=(7, 3.2))
        az.plot_ppc(self.idata, var_names=[self.observed], num_pp_samples=num_pp_samples,
                    random_seed=0, ax=ax, colors=[colours[0], "black", colours[3]])
        ax.set_title(f"Posterior predictive check: {self.observed}")
        ax.set_xlabel(xlabel or self.observed)
        if self.simulated:
            label_simulated(ax)
        return fig


def run_workflow(
    model_builder: Callable[[], pm.Model],
    *,
    label: str,
    seed: int | np.random.Generator,
    var_names: Sequence[str],
    prior_check: PriorCheck,
    prior_var_names: Sequence[str] | None = None,
    loo_log_likelihood: Callable[[az.InferenceData], xr.DataArray] | None = None,
    prior_draws: int = PRIOR_DRAWS,
    simulated: bool = False,
    **fit_overrides: object,
) -> WorkflowResult:
    """Run the book's checking pipeline on one model and return the fit and every check.

    Parameters
    ----------
    model_builder : callable
        Returns a fresh :class:`pymc.Model` with exactly one observed variable and named dims,
        e.g. ``lambda: build_meta_analysis(y, se, study)``.
    label : str
        ``"<chapter>: <model>"``; every error message starts with it.
    seed : int or numpy.random.Generator
        The chapter's ``rng``; used for prior and posterior predictive draws and the fit.
    var_names : sequence of str
        Quantities of interest, assessed for prior sensitivity (the convergence gate checks
        every posterior variable).
    prior_check : PriorCheck
        The stated prior predictive check (raises on failure).
    prior_var_names : sequence of str, optional
        Priors to power-scale in the sensitivity analysis (default: all free variables).
    loo_log_likelihood : callable, optional
        Returns the pointwise log-likelihood (dims ``chain, draw`` + the observation dim) that
        PSIS-LOO should use, e.g. the marginal likelihood with group effects integrated out
        (:func:`analysis.models.marginal_log_likelihood`); the model's own conditional
        log-likelihood by default.
    prior_draws : int, default 1000
        Prior predictive draws.
    simulated : bool, default False
        Mark figures as SIMULATED.
    **fit_overrides
        Passed to :func:`analysis.inference.sampling.fit` (e.g. ``draws=2000``).

    Returns
    -------
    WorkflowResult
        ``idata``, ``prior_check``, ``convergence``, ``ppc``, ``loo``, ``pareto_k``,
        ``sensitivity``, ``summary()``, ``plot_prior_predictive()``, ``plot_ppc()``.

    Raises
    ------
    PriorPredictiveError
        The prior predictive check failed.
    analysis.inference.diagnostics.ConvergenceError
        The fit failed the convergence gate.
    WorkflowError
        The model does not have exactly one observed variable.

    Examples
    --------
    >>> result = run_workflow(  # doctest: +SKIP
    ...     lambda: build_meta_analysis(df["d"], df["se_d"], df.index),
    ...     label="contact_evidence: meta-analysis", seed=rng, var_names=["mu", "tau"],
    ...     prior_check=PriorCheck("theta", bound=2.0, prob=0.95))
    >>> result.summary()  # doctest: +SKIP
    """
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    model = model_builder()
    if len(model.observed_RVs) != 1:
        raise WorkflowError(
            f"{label}: the pipeline needs exactly one observed variable, got "
            f"{[v.name for v in model.observed_RVs]}"
        )
    observed = model.observed_RVs[0].name

    # 1. prior predictive check (before any fitting: cheap, and it fails fast)
    prior_idata = pm.sample_prior_predictive(draws=prior_draws, model=model, random_seed=rng)
    prior_table = check_prior_predictive(
        prior_idata, prior_check.var, bound=prior_check.bound, prob=prior_check.prob,
        label=label, reason=prior_check.reason,
    )

    # 2. fit and convergence gate; every posterior variable is gated, var_names first
    idata = fit(model, seed=rng, **fit_overrides)
    convergence = check_convergence(idata, label=label)
    idata.extend(prior_idata)

    # 3. posterior predictive (last use of this model: PyMC 5.28 cannot sample it again)
    pm.sample_posterior_predictive(
        idata, model=model, extend_inferencedata=True, random_seed=rng, progressbar=False
    )
    ppc = ppc_table(idata, observed)

    # 4. PSIS-LOO; large Pareto k goes into the table instead of a warning
    loo_data = idata
    if loo_log_likelihood is not None:
        pointwise = loo_log_likelihood(idata).rename(observed)
        loo_data = az.InferenceData(posterior=idata.posterior,
                                    log_likelihood=pointwise.to_dataset())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        loo = az.loo(loo_data, pointwise=True, var_name=observed)
    pareto = pareto_k_table(loo)

    # 5. power-scaling prior sensitivity
    sensitivity = prior_sensitivity(idata, model, var_names, prior_var_names=prior_var_names)

    wall = round(time.perf_counter() - start, 2)
    idata.attrs["workflow_label"] = label
    idata.attrs["workflow_wall_time_s"] = wall
    return WorkflowResult(
        label=label, idata=idata, observed=observed, prior_check=prior_table,
        convergence=convergence, ppc=ppc, loo=loo, pareto_k=pareto, sensitivity=sensitivity,
        prior_check_spec=prior_check, wall_time_s=wall, simulated=simulated,
    )


def _prior_draws(idata: az.InferenceData, var: str, label: str) -> xr.DataArray:
    """Look ``var`` up in the prior predictive group, then in the prior group."""
    for group in ("prior_predictive", "prior"):
        if group in idata.groups() and var in idata[group]:
            return idata[group][var]
    raise PriorPredictiveError(
        f"{label}: failed the prior predictive check: no variable '{var}' in the prior or "
        "prior predictive draws"
    )


def _element_names(array: xr.DataArray, name: str | None = None) -> list[str]:
    """Readable names of an array's elements, e.g. ``theta[Meshel 04]`` (sample dims dropped)."""
    dims = [d for d in array.dims if d not in ("chain", "draw")]
    if not dims:
        return [name or str(array.name)]
    index = pd.MultiIndex.from_product([array[d].values for d in dims]) if len(dims) > 1 \
        else pd.Index(array[dims[0]].values)
    labels = [", ".join(map(str, i)) if isinstance(i, tuple) else str(i) for i in index]
    return [f"{name}[{lab}]" if name else lab for lab in labels]
