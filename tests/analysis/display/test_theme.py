"""Accessibility of the plotting theme: colour-blind-safe palette, opaque white figures."""

from __future__ import annotations

import io

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from analysis.display.theme import PALETTE, use_theme

# Colour-vision-deficiency simulation matrices for linear RGB, severity 1.0, from Machado,
# Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color vision
# deficiency", IEEE TVCG 15(6), Table 1 (copied from the paper, not computed here).
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}
# seaborn 0.13 "colorblind" palette (seaborn/palettes.py SEABORN_PALETTES, Okabe-Ito-like).
SEABORN_COLORBLIND = ["#0173b2", "#de8f05", "#029e73", "#d55e00", "#cc78bc", "#ca9161",
                      "#fbafe4", "#949494", "#ece133", "#56b4e9"]
MIN_DELTA_E = 10.0  # CIE76 distance: clearly different colours, not merely "not identical"


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of a linear sRGB colour: the standard sRGB -> XYZ -> Lab formulas."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ linear_rgb
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def min_distance(colours: list[str], deficiency: str | None = None) -> float:
    """Smallest pairwise CIE76 distance between colours, as seen with a colour deficiency."""
    labs = []
    for colour in colours:
        srgb = np.asarray(mcolors.to_rgb(colour))
        linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
        if deficiency:
            linear = np.clip(np.asarray(CVD[deficiency]) @ linear, 0, 1)
        labs.append(_lab(linear))
    return min(float(np.linalg.norm(a - b)) for i, a in enumerate(labs) for b in labs[i + 1:])


@pytest.fixture
def theme():
    with plt.rc_context():
        use_theme()
        yield
    plt.close("all")


def test_theme_uses_seaborn_colorblind_palette(theme):
    assert PALETTE == "colorblind"
    cycle = [mcolors.to_hex(c["color"]) for c in plt.rcParams["axes.prop_cycle"]]
    assert cycle == SEABORN_COLORBLIND


@pytest.mark.parametrize("deficiency", [None, *CVD])
def test_first_four_theme_colours_stay_distinct_with_colour_blindness(theme, deficiency):
    cycle = [mcolors.to_hex(c["color"]) for c in plt.rcParams["axes.prop_cycle"]][:4]
    assert min_distance(cycle, deficiency) >= MIN_DELTA_E


def test_colour_blindness_check_rejects_a_red_green_palette():
    # Negative control: matplotlib's tab10 (blue, orange, green, red) collapses for protanopes.
    assert min_distance(["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"], "protanopia") < MIN_DELTA_E


def test_theme_figures_are_opaque_white_for_the_dark_theme(theme):
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")  # what myst-nb does with a figure
    with Image.open(io.BytesIO(buffer.getvalue())) as image:
        rgba = image.convert("RGBA")
        corners = [rgba.getpixel(xy) for xy in
                   [(0, 0), (rgba.width - 1, 0), (0, rgba.height - 1)]]
    assert corners == [(255, 255, 255, 255)] * 3
