"""The book's plotting theme: one look for every figure, and the SIMULATED stamp."""

from __future__ import annotations

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.axes import Axes

from analysis.display.tables import register_table_formats

PALETTE = "colorblind"
"""Seaborn's colour-blind-safe palette (Okabe-Ito-like), used for every figure."""


def use_theme() -> None:
    """Apply the book's theme: white background (readable in dark mode), colour-blind palette.

    Also registers the tables' PDF-friendly repr
    (:func:`analysis.display.tables.register_table_formats`).
    """
    register_table_formats()
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
