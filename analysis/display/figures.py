"""Figures shared by chapters, in the book's theme (:mod:`analysis.display.theme`)."""

from __future__ import annotations

import arviz as az
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.display.theme import PALETTE, label_simulated


def plot_forest(
    idata: az.InferenceData, var_names: list[str], *, title: str, ax: Axes | None = None
) -> Figure:
    """Forest plot of posterior HDIs (ArviZ), one row per coordinate, in the book's theme."""
    axes = az.plot_forest(
        idata, var_names=var_names, combined=True, hdi_prob=0.94, ax=ax,
        colors=sns.color_palette(PALETTE).as_hex()[0],
        figsize=(7, 0.28 * _n_rows(idata, var_names) + 1),
    )
    axes[0].set_title(title)
    axes[0].axvline(0.0, color="0.4", lw=1, ls="--")
    return axes[0].figure


def plot_shrinkage(
    observed: pd.Series, standard_error: pd.Series, idata: az.InferenceData, var_name: str,
    pooled: str, *, xlabel: str, title: str,
) -> Figure:
    """Show each unit's observed estimate moving to its partially pooled posterior mean.

    Points are the observed estimates (size = precision), arrows end at the posterior means of
    ``var_name``; the vertical band is the 94 % HDI of the pooled mean ``pooled``.
    """
    posterior_mean = idata.posterior[var_name].mean(("chain", "draw")).to_numpy()
    order = np.argsort(posterior_mean)
    labels = np.asarray(observed.index)[order]
    fig, ax = plt.subplots(figsize=(7, 0.28 * len(order) + 1.2))
    colours = sns.color_palette(PALETTE)
    y = np.arange(len(order))
    hdi = az.hdi(idata.posterior[pooled], hdi_prob=0.94)[pooled].to_numpy()
    ax.axvspan(hdi[0], hdi[1], color=colours[2], alpha=0.2, label="pooled mean, 94% HDI")
    ax.scatter(observed.to_numpy()[order], y, s=8 / standard_error.to_numpy()[order],
               color=colours[0], label="reported estimate (size = precision)", zorder=3)
    ax.scatter(posterior_mean[order], y, marker="|", s=120, color=colours[3],
               label="partially pooled estimate", zorder=4)
    for yy, start, end in zip(y, observed.to_numpy()[order], posterior_mean[order], strict=True):
        ax.annotate("", xy=(end, yy), xytext=(start, yy),
                    arrowprops={"arrowstyle": "->", "color": "0.5", "lw": 0.8})
    ax.set_yticks(y, labels)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.axvline(0.0, color="0.4", lw=1, ls="--")
    ax.legend(loc="lower right", fontsize=8, frameon=True)
    return fig


def plot_estimates_vs_truth(
    idata: az.InferenceData, var_name: str, truth: dict[str, float], *, xlabel: str, title: str
) -> Figure:
    """Posterior 94 % HDIs of a vector parameter against its known true values (simulations).

    One row per coordinate: the interval and posterior mean, and a red cross at the truth.
    The figure is stamped SIMULATED DATA (:func:`label_simulated`).
    """
    draws = idata.posterior[var_name]
    dim = [d for d in draws.dims if d not in ("chain", "draw")][0]
    labels = [str(c) for c in draws[dim].values]
    mean = draws.mean(("chain", "draw")).to_numpy()
    hdi = az.hdi(idata, var_names=[var_name], hdi_prob=0.94)[var_name].to_numpy()
    order = np.argsort(mean)
    colours = sns.color_palette(PALETTE)
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(labels) + 1.3))
    y = np.arange(len(labels))
    ax.hlines(y, hdi[order, 0], hdi[order, 1], color=colours[0], lw=2, label="94% HDI")
    ax.plot(mean[order], y, "o", color=colours[0], label="posterior mean")
    ax.plot([truth[labels[i]] for i in order], y, "x", color="#b2182b", ms=9, mew=2,
            label="true value")
    ax.set_yticks(y, [labels[i].replace("_", " ") for i in order])
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    label_simulated(ax)
    return fig


def _n_rows(idata: az.InferenceData, var_names: list[str]) -> int:
    """Count the scalar rows a forest plot of ``var_names`` will have."""
    return int(sum(np.prod(idata.posterior[v].shape[2:], dtype=int) for v in var_names))


def plot_segregation_by_size(table: pd.DataFrame, *, index: str = "dissimilarity",
                             highlight: str = "vogelaar", title: str = "") -> Figure:
    """Scatter a segregation index against municipal population (log scale).

    ``table`` has one row per municipality with ``population``, ``index`` and the boolean
    column ``highlight`` (drawn in a second colour and labelled with ``gemeente_naam``).
    """
    colours = sns.color_palette(PALETTE)
    fig, ax = plt.subplots(figsize=(7, 4.2))
    base = table[~table[highlight]]
    marked = table[table[highlight]]
    ax.scatter(base["population"], base[index], s=12, color=colours[0], alpha=0.6,
               label="other municipalities")
    ax.scatter(marked["population"], marked[index], s=30, color=colours[3],
               label=f"{highlight} municipalities", zorder=3)
    for _, row in marked.iterrows():
        ax.annotate(row["gemeente_naam"], (row["population"], row[index]), fontsize=7,
                    xytext=(3, 2), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel("population, 1 January 2024 (log scale)")
    ax.set_ylabel(index.replace("_", " "))
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    return fig


def plot_icc_shrinkage(observed: pd.Series, n_units: pd.Series, idata: az.InferenceData, *,
                       var_name: str = "rho", title: str = "") -> Figure:
    """Observed correlation ratio of each municipality against its partially pooled posterior.

    Points below the diagonal were pulled down, above it up; point size grows with the number
    of wijken (the information each municipality brings). Vertical bars are 94 % HDIs.
    """
    post = idata.posterior[var_name]
    mean = post.mean(("chain", "draw")).to_series().reindex(observed.index)
    hdi = az.hdi(post, hdi_prob=0.94)[var_name].to_pandas().reindex(observed.index)
    colours = sns.color_palette(PALETTE)
    fig, ax = plt.subplots(figsize=(6.5, 5))
    ax.vlines(observed, hdi.iloc[:, 0], hdi.iloc[:, 1], color="0.75", lw=0.6, zorder=1)
    ax.scatter(observed, mean, s=4 + 2 * n_units.reindex(observed.index), color=colours[0],
               alpha=0.7, zorder=2, label="posterior mean (size = number of wijken)")
    top = max(observed.max(), hdi.iloc[:, 1].max()) * 1.05
    ax.plot([0, top], [0, top], color="0.3", ls="--", lw=1, label="no pooling (diagonal)")
    ax.set_xscale("symlog", linthresh=0.01)
    ax.set_yscale("symlog", linthresh=0.01)
    ax.set_xlabel("observed correlation ratio (eta squared) over wijken")
    ax.set_ylabel("model-based rho (posterior)")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    return fig


def plot_ranked_intervals(draws: pd.DataFrame, *, highlight: pd.Index | None = None,
                          xlabel: str, title: str, n_show: int = 15,
                          highlight_label: str = "Vogelaar municipality") -> Figure:
    """Forest of the ``n_show`` highest and lowest units by posterior mean, plus ``highlight``.

    ``draws`` has one column per unit (e.g. municipality name) and one row per posterior draw.
    Highlighted units are drawn in a second colour whether or not they rank at the extremes.
    """
    summary = pd.DataFrame({"mean": draws.mean(), "lo": draws.quantile(0.03),
                            "hi": draws.quantile(0.97)}).sort_values("mean")
    keep = set(summary.index[:n_show]) | set(summary.index[-n_show:])
    if highlight is not None:
        keep |= set(highlight)
    shown = summary.loc[[i for i in summary.index if i in keep]]
    colours = sns.color_palette(PALETTE)
    fig, ax = plt.subplots(figsize=(7, 0.2 * len(shown) + 1.2))
    y = np.arange(len(shown))
    marked = np.array([highlight is not None and i in highlight for i in shown.index])
    for flag, colour in ((False, colours[0]), (True, colours[3])):
        sel = marked == flag
        ax.hlines(y[sel], shown["lo"][sel], shown["hi"][sel], color=colour, lw=1.5)
        ax.scatter(shown["mean"][sel], y[sel], color=colour, s=12, zorder=3,
                   label=highlight_label if flag else "other")
    ax.set_yticks(y, shown.index, fontsize=7)
    ax.axvline(0.0, color="0.4", lw=1, ls="--")
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    if marked.any():  # a legend only when there is something to tell apart
        ax.legend(loc="lower right", fontsize=8)
    return fig


def plot_buurt_shares(data: pd.DataFrame, fitted: pd.Series, *, x: str, xlabel: str,
                      title: str) -> Figure:
    """Observed buurt share of the group against a predictor, with the fitted expected shares."""
    colours = sns.color_palette(PALETTE)
    fig, ax = plt.subplots(figsize=(7, 4))
    share = data["y"] / data["n"]
    ax.scatter(data[x], share, s=data["n"] / 150, color=colours[0], alpha=0.5,
               label="observed buurt (size = population)")
    ax.scatter(data[x], fitted, s=6, color=colours[3], label="posterior mean of expected share")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("share with non-western migration background")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    return fig


def plot_scenario_densities(samples: dict[str, np.ndarray], *, observed: float | None = None,
                            xlabel: str, title: str) -> Figure:
    """Overlaid posterior (predictive) densities of one quantity under several scenarios."""
    colours = sns.color_palette(PALETTE)
    fig, ax = plt.subplots(figsize=(7, 3.4))
    for k, (label, values) in enumerate(samples.items()):
        sns.kdeplot(np.asarray(values), ax=ax, color=colours[k], fill=True, alpha=0.25,
                    label=label)
    if observed is not None:
        ax.axvline(observed, color="black", lw=1.5, ls="--", label="observed")
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8)
    return fig


def plot_interval_bars(summary: pd.DataFrame, *, xlabel: str, title: str) -> Figure:
    """Horizontal bars (``mean``) with 94 % intervals (``lo``, ``hi``), one row per label."""
    colours = sns.color_palette(PALETTE)
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(summary) + 1.2))
    y = np.arange(len(summary))
    ax.barh(y, summary["mean"], color=colours[0], alpha=0.7)
    ax.hlines(y, summary["lo"], summary["hi"], color="black", lw=1.2)
    ax.set_yticks(y, summary.index, fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return fig


def plot_dissimilarity_check(check: pd.DataFrame, *, labels: pd.Series,
                             highlight: list[str] | tuple[str, ...] = (),
                             title: str = "") -> Figure:
    """Observed D of each municipality against the 94 % interval of its replicated D.

    ``check`` is :func:`analysis.results.scenarios.predictive_check_dissimilarity`'s table (columns
    ``observed``, ``replicated_mean``, ``lo``, ``hi``, ``inside``); each municipality is a
    grey vertical interval at its replicated mean with its observed D as a dot, red where the
    dot lies outside. ``highlight`` (index labels) are named with ``labels``.
    """
    colours = sns.color_palette(PALETTE)
    fig, ax = plt.subplots(figsize=(6.5, 5))
    x = check["replicated_mean"]
    ax.vlines(x, check["lo"], check["hi"], color="0.75", lw=0.7, zorder=1,
              label="94 % interval of replicated D")
    inside = check["inside"].astype(bool)
    ax.scatter(x[inside], check.loc[inside, "observed"], s=10, color=colours[0], zorder=2,
               label="observed D, inside")
    ax.scatter(x[~inside], check.loc[~inside, "observed"], s=18, color=colours[3], zorder=3,
               label="observed D, outside")
    for code in highlight:
        ax.annotate(labels[code], (x[code], check.loc[code, "observed"]), fontsize=8,
                    xytext=(4, -10), textcoords="offset points")
    top = float(max(check["hi"].max(), check["observed"].max())) * 1.05
    ax.plot([0, top], [0, top], color="0.3", ls="--", lw=1)
    ax.set_xlabel("mean D of replicated wijk counts")
    ax.set_ylabel("observed D over wijken")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    return fig
