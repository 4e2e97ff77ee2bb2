"""What should a municipality do? Predicted effect of each instrument for a new municipality.

Fits the registry model (:func:`analysis.models.registry.build_registry_model`) to a registry
CSV, predicts each intervention type's effect in a municipality that is not in the registry
(given its population and % origin outside Europe), and writes a small report: a summary table
(CSV and Markdown) and a figure. Used by the book's decision chapter and by
``python -m analysis decide REGISTRY.csv --municipality-size N --share-outside-europe P``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr

from analysis.config import CI_PROB, DATA_DIR, SEED
from analysis.data import DataError

SIMULATED_LABEL = "SIMULATED"


@dataclass
class Decision:
    """The result of :func:`decide`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per intervention type (see :func:`decision_table`).
    effect : xarray.DataArray
        Posterior predictive effect draws, dims ``(chain, draw, intervention_type)``.
    idata : arviz.InferenceData
        The registry model fit.
    simulated : bool
        Whether the registry is (derived from) the SIMULATED registry.
    population, pct_outside_europe : float
        The new municipality's covariates.
    registry : pandas.DataFrame
        The validated registry the model was fitted to.
    """

    table: pd.DataFrame
    effect: xr.DataArray
    idata: az.InferenceData
    simulated: bool
    population: float
    pct_outside_europe: float
    registry: pd.DataFrame

    def for_municipality(
        self, population: float, pct_outside_europe: float, seed: int | np.random.Generator
    ) -> Decision:
        """Return the decision for another new municipality from the same fit (no refit)."""
        from analysis.models.registry import new_municipality_covariates, predict_new_municipality

        effect = predict_new_municipality(
            self.idata, new_municipality_covariates(population, pct_outside_europe), seed
        )
        return Decision(decision_table(effect, self.registry), effect, self.idata,
                        self.simulated, float(population), float(pct_outside_europe),
                        self.registry)


def is_simulated(registry: pd.DataFrame) -> bool:
    """Return True if the registry's rows come from the SIMULATED registry (ids ``SIM-...``)."""
    if "intervention_id" not in registry.columns:
        return False
    return bool(registry["intervention_id"].astype(str).str.startswith("SIM-").any())


def attach_covariates(registry: pd.DataFrame, data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Fill ``population`` and ``pct_outside_europe`` from CBS 2024 where the file lacks them.

    A municipality's own registry needs only the core columns; the covariates of each
    municipality are then looked up by ``municipality_code`` in the CBS 2024 table.
    """
    needed = [c for c in ("population", "pct_outside_europe") if c not in registry.columns]
    if not needed:
        return registry
    from analysis.data import load_gemeenten

    cbs = load_gemeenten(data_dir).set_index("gemeente_code")
    source = {"population": "population_2024", "pct_outside_europe": "pct_origin_outside_europe"}
    out = registry.copy()
    for column in needed:
        out[column] = out["municipality_code"].map(cbs[source[column]]).astype(float)
    return out


def decision_table(effect: xr.DataArray, registry: pd.DataFrame) -> pd.DataFrame:
    """Summarise predicted effects per intervention type for the decision.

    Parameters
    ----------
    effect : xarray.DataArray
        Draws with dims ``(chain, draw, intervention_type)`` from
        :func:`analysis.models.registry.predict_new_municipality`.
    registry : pandas.DataFrame
        The registry the model was fitted to (for the number of evaluations per type).

    Returns
    -------
    pandas.DataFrame
        Index ``intervention_type``, sorted by expected effect; columns ``n_evaluations``,
        ``expected_effect`` (posterior predictive mean, SD units), ``sd``, ``hdi_low``,
        ``hdi_high`` (94 %), ``p_positive`` (P(effect > 0)), ``p_best`` (P(this type has the
        largest effect)) and ``expected_gain_vs_median_type`` (expected effect minus the median
        over types of the expected effects).
    """
    stacked = effect.stack(sample=("chain", "draw")).transpose("sample", "intervention_type")
    values = stacked.to_numpy()
    types = [str(t) for t in effect["intervention_type"].values]
    hdi = az.hdi(effect.to_dataset(name="effect"), hdi_prob=CI_PROB)["effect"]
    best = np.bincount(values.argmax(axis=1), minlength=len(types)) / values.shape[0]
    table = pd.DataFrame(
        {
            "n_evaluations": registry["intervention_type"].value_counts()
            .reindex(types, fill_value=0).to_numpy(),
            "expected_effect": values.mean(axis=0),
            "sd": values.std(axis=0, ddof=1),
            "hdi_low": hdi.sel(hdi="lower").to_numpy(),
            "hdi_high": hdi.sel(hdi="higher").to_numpy(),
            "p_positive": (values > 0).mean(axis=0),
            "p_best": best,
        },
        index=pd.Index(types, name="intervention_type"),
    )
    table["expected_gain_vs_median_type"] = (
        table["expected_effect"] - table["expected_effect"].median()
    )
    return table.sort_values("expected_effect", ascending=False)


def decide(
    registry_path: Path | str | None,
    population: float,
    pct_outside_europe: float,
    *,
    seed: int | np.random.Generator = SEED,
    progress: Callable[[str], None] | None = None,
    **fit_overrides: object,
) -> Decision:
    """Fit the registry model and predict each instrument's effect for a new municipality.

    Parameters
    ----------
    registry_path : Path, str or None
        A registry CSV (validated by :func:`analysis.data.load_registry`); None for the
        SIMULATED registry in ``data/simulated/``.
    population : float
        Inhabitants of the new municipality.
    pct_outside_europe : float
        % of its inhabitants with an origin outside Europe (0-100).
    seed : int or numpy.random.Generator, default :data:`analysis.config.SEED`
        Seed for the fit and the predictions.
    progress : callable, optional
        Called with one-line progress messages (the command prints them on stderr).
    **fit_overrides
        Passed to :func:`analysis.sampling.fit` (e.g. ``draws=500``).

    Returns
    -------
    Decision
        The table, the predictive draws, the fit and whether the input was simulated.

    Raises
    ------
    analysis.data.DataError
        If the CSV fails validation (naming file, row and column).
    analysis.diagnostics.ConvergenceError
        If the fit does not pass the convergence gate.
    """
    from analysis.data import load_registry
    from analysis.diagnostics import check_convergence
    from analysis.models.registry import (
        REGISTRY_FIT_SETTINGS,
        build_registry_model,
        new_municipality_covariates,
        predict_new_municipality,
    )
    from analysis.sampling import fit

    say = progress or (lambda message: None)
    try:
        covariates = new_municipality_covariates(population, pct_outside_europe)
    except ValueError as err:
        raise DataError(f"new municipality: {err}") from err
    name = Path(registry_path).name if registry_path is not None else "registry.csv (SIMULATED)"
    say(f"validating {name} ...")
    registry = attach_covariates(load_registry(registry_path))
    if registry["intervention_type"].nunique() < 2:
        raise DataError(f"{name}: column 'intervention_type': needs at least two different "
                        "intervention types to compare")
    simulated = registry_path is None or is_simulated(registry)
    say(f"{len(registry)} interventions, {registry['municipality_code'].nunique()} "
        f"municipalities, {registry['intervention_type'].nunique()} types"
        + (" [SIMULATED]" if simulated else ""))
    rng = np.random.default_rng(seed)
    model = build_registry_model(registry)
    kwargs = {**REGISTRY_FIT_SETTINGS, **fit_overrides}
    say(f"fitting the registry model ({kwargs}) ...")
    start = time.perf_counter()
    idata = fit(model, seed=rng, **kwargs)
    say(f"fitted in {time.perf_counter() - start:.0f} s; checking convergence ...")
    check_convergence(idata, label=f"decide: registry model on {name}")
    effect = predict_new_municipality(idata, covariates, rng)
    return Decision(decision_table(effect, registry), effect, idata, simulated,
                    float(population), float(pct_outside_europe), registry)


def plot_decision(decision: Decision):
    """Interval plot of each instrument's predicted effect in the new municipality.

    Points are posterior predictive means, thick bars 50 % and thin bars 94 % HDIs; types are
    ordered by expected effect. Simulated inputs get the SIMULATED DATA stamp.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    from analysis.plotting import PALETTE, label_simulated

    table = decision.table
    order = list(table.index)
    effect = decision.effect.sel(intervention_type=order)
    hdi50 = az.hdi(effect.to_dataset(name="e"), hdi_prob=0.5)["e"]
    colour = sns.color_palette(PALETTE)[0]
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(order) + 1.5))
    y = np.arange(len(order))[::-1]
    ax.hlines(y, table["hdi_low"], table["hdi_high"], color=colour, lw=1.5)
    ax.hlines(y, hdi50.sel(hdi="lower"), hdi50.sel(hdi="higher"), color=colour, lw=5)
    ax.plot(table["expected_effect"], y, "o", color="white", mec=colour, ms=7)
    ax.axvline(0.0, color="0.4", lw=1, ls="--")
    ax.set_yticks(y, [t.replace("_", " ") for t in order])
    ax.set_xlabel("predicted effect in a new municipality (SD units; positive = better)")
    title = (f"Predicted effect per instrument: population {decision.population:,.0f}, "
             f"{decision.pct_outside_europe:.0f} % outside Europe")
    ax.set_title(("SIMULATED DATA - " if decision.simulated else "") + title, fontsize=10)
    if decision.simulated:
        label_simulated(ax)
    return fig


def write_report(decision: Decision, out_dir: Path | str, source: str) -> list[Path]:
    """Write ``summary.csv``, ``report.md`` and ``predicted_effects.png`` to ``out_dir``.

    Each file is written to a temporary name and renamed, so an interrupted run leaves no
    half-written file.

    Returns
    -------
    list of Path
        The files written.
    """
    import matplotlib.pyplot as plt

    from analysis.data import write_atomic
    from analysis.diagnostics import convergence_table

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = decision.table.round(3)
    if decision.simulated:
        table.insert(0, "data", SIMULATED_LABEL)
    csv_path, md_path, png_path = (out / "summary.csv", out / "report.md",
                                   out / "predicted_effects.png")
    write_atomic(csv_path, table.to_csv(lineterminator="\n").encode("utf-8"))

    fig = plot_decision(decision)
    tmp_png = png_path.with_suffix(".tmp.png")
    fig.savefig(tmp_png)
    plt.close(fig)
    tmp_png.replace(png_path)

    conv = convergence_table(decision.idata)
    banner = (f"> **{SIMULATED_LABEL} DATA.** This registry is simulated: the numbers show how "
              "the analysis works, not what works in the Netherlands.\n\n"
              if decision.simulated else "")
    best = table.index[0]
    lines = [
        f"# Which instrument? Predicted effects for a new municipality"
        f"{' (SIMULATED)' if decision.simulated else ''}\n",
        banner,
        f"Registry: `{source}` ({int(decision.table['n_evaluations'].sum())} evaluated "
        f"interventions). New municipality: population {decision.population:,.0f}, "
        f"{decision.pct_outside_europe:g} % of inhabitants with an origin outside Europe.\n",
        f"Highest expected effect: **{best.replace('_', ' ')}** "
        f"({table.loc[best, 'expected_effect']:.2f} SD, 94 % interval "
        f"{table.loc[best, 'hdi_low']:.2f} to {table.loc[best, 'hdi_high']:.2f}; probability "
        f"it is the best of the {len(table)} types: {table.loc[best, 'p_best']:.2f}).\n",
        table.to_markdown() if _has_tabulate() else "```\n" + table.to_string() + "\n```",
        "\n![Predicted effect per instrument](predicted_effects.png)\n",
        "Effects are standardised mean differences on the registry's outcome; intervals are "
        "94 % highest-density intervals of the posterior predictive effect in a municipality "
        "not in the registry (including its own municipality and municipality x type "
        "deviations). Model: `analysis.models.registry.build_registry_model`; code: "
        "`analysis.decision`.\n",
        f"Convergence: max R-hat {conv['r_hat_max'].max():.3f}, min bulk ESS "
        f"{conv['ess_bulk_min'].min():.0f}, min tail ESS {conv['ess_tail_min'].min():.0f}, "
        f"{int(decision.idata.sample_stats['diverging'].sum())} divergences.\n",
    ]
    write_atomic(md_path, "\n".join(lines).encode("utf-8"))
    return [csv_path, md_path, png_path]


def run_command(args) -> int:
    """Run ``python -m analysis decide`` with parsed arguments; return the exit status."""
    def say(message: str) -> None:
        print(f"[decide] {message}", file=sys.stderr, flush=True)

    try:
        decision = decide(
            args.registry, args.municipality_size, args.share_outside_europe, seed=args.seed,
            progress=say, draws=args.draws, tune=args.draws, chains=args.chains,
        )
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    files = write_report(decision, args.out, Path(args.registry).name)
    say("wrote " + ", ".join(str(f) for f in files))
    print(decision.table.round(3).to_string())
    return 0


def _has_tabulate() -> bool:
    """Whether pandas can write Markdown tables (needs the optional ``tabulate``)."""
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True
