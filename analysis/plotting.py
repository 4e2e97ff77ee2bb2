"""The book's plotting theme and the figures shared by chapters."""

from __future__ import annotations

import arviz as az
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

PALETTE = "colorblind"
"""Seaborn's colour-blind-safe palette (Okabe-Ito-like), used for every figure."""


def use_theme() -> None:
    """Apply the book's theme: white background (readable in dark mode), colour-blind palette."""
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE)
    plt.rcParams.update(
        {
            "figure.dpi": 110,
            "savefig.dpi": 150,
            "figure.facecolor": "white",
            "savefig.facecolor": "white",
            "axes.titleweight": "bold",
            "figure.constrained_layout.use": True,
        }
    )


def label_simulated(ax: Axes) -> None:
    """Stamp "SIMULATED DATA" on an axes so a simulated figure cannot pass as evidence."""
    ax.text(
        0.99, 0.02, "SIMULATED DATA", transform=ax.transAxes, ha="right", va="bottom",
        fontsize=10, fontweight="bold", color="#b2182b", alpha=0.85,
    )


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
