r"""The posterior explorer: thinned draws for a kernel-free page widget, and its Python twin.

A chapter exports a few posterior draws (:func:`explorer_spec`) and shows them with
:class:`Explorer`: in the HTML a small dependency-free script (``bookkit/sphinx/static/
explorer.js``) lets a reader choose a municipality and an input (a dose) and reads off the
predictive effect and P(effect > T) for a threshold T of their choice; in the PDF a static
figure stands in its place. The script does not re-implement the model: it evaluates, draw by
draw, the predictive formula the chapter states,

.. math::

    \theta^\ast_s = \mu_s + \sum_k \beta_{k,s}\,(x_k - c_k)/d_k + \sigma_s\,\varepsilon,
    \qquad \varepsilon \sim \mathrm N(0, 1),

with :math:`\mu_s` the chosen municipality's mean effect in draw :math:`s`, :math:`\beta_{k,s}`
the slopes of the inputs (standardised with centre :math:`c_k` and scale :math:`d_k` as in the
fit) and :math:`\sigma_s` the spread of a municipality the fit has not seen (zero for one it
has). :func:`explorer_probability` is the same computation in Python; the browser check
(:mod:`bookkit.interactive.explorer`) compares the two on every built page.

The spec is a JSON-ready ``dict`` (format :data:`FORMAT`)::

    {"format": ..., "chapter": ..., "title": ..., "unit": ..., "effect": ...,
     "n_draws": ..., "thinned_from": ...,
     "threshold": {"default", "min", "max", "step"},
     "inputs": [{"name", "label", "min", "max", "step", "default", "centre", "scale",
                 "slope", "fitted_low", "fitted_high"}],
     "choices": [{"id", "label", "mean", "spread"}],   # names of draw vectors (spread may be null)
     "draws": {name: [float, ...]}}
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

FORMAT = "bookkit-explorer/1"
"""Version tag of the spec; the script refuses a spec of another format."""

MAX_BYTES = 1_000_000
"""Largest JSON a chapter may ship (issue 19: at most 1 MB a chapter)."""

DEFAULT_DRAWS = 1000
"""Draws kept by :func:`thin` by default: P(effect > T) then has a Monte Carlo SE below 0.016."""


@dataclass(frozen=True)
class ExplorerInput:
    """A numeric input of the explorer whose draws enter through a slope.

    Attributes
    ----------
    name, label : str
        Identifier and the label a reader sees (with its unit).
    slope : str
        Name of the draw vector of the slope (per standardised unit of the input).
    centre, scale : float
        The fit's standardisation: the slope multiplies ``(value - centre) / scale``.
    low, high, step, default : float
        Range, step and starting value of the input field.
    fitted_low, fitted_high : float
        Range of the input among the fitted units; outside it the page warns of extrapolation.
    """

    name: str
    label: str
    slope: str
    centre: float
    scale: float
    low: float
    high: float
    step: float
    default: float
    fitted_low: float
    fitted_high: float


@dataclass(frozen=True)
class ExplorerChoice:
    """A municipality a reader can choose: its mean-effect draws and its spread draws.

    ``spread`` is None for a municipality in the fit (its own effect is estimated); for a new
    municipality it names the draws of the spread of effects across municipalities.
    """

    id: str
    label: str
    mean: str
    spread: str | None = None


def thin(values: np.ndarray, n_draws: int = DEFAULT_DRAWS) -> np.ndarray:
    """Flatten ``(chain, draw)`` draws and keep ``n_draws`` of them, evenly spaced.

    Every chain contributes in proportion (the flat order is chain by chain) and the same
    positions are kept for every quantity, so the joint posterior is preserved.
    """
    flat = np.asarray(values, dtype=float).ravel()
    if flat.size <= n_draws:
        return flat
    index = np.linspace(0, flat.size - 1, n_draws).round().astype(int)
    return flat[index]


def explorer_spec(
    *,
    chapter: str,
    title: str,
    unit: str,
    effect: str,
    draws: Mapping[str, np.ndarray],
    choices: Sequence[ExplorerChoice],
    inputs: Sequence[ExplorerInput] = (),
    threshold: tuple[float, float, float, float] = (0.0, -0.3, 0.3, 0.005),
    n_draws: int = DEFAULT_DRAWS,
) -> dict:
    """Build the explorer's spec from posterior draws (thinned to ``n_draws``).

    Parameters
    ----------
    chapter, title, unit, effect : str
        The chapter's name, the explorer's heading, the effect's unit and what the effect is.
    draws : mapping of str to numpy.ndarray
        Draw arrays of shape ``(chain, draw)`` (all of the same size), by the names the
        choices and inputs refer to.
    choices : sequence of ExplorerChoice
        The municipalities offered; the first is selected at first.
    inputs : sequence of ExplorerInput, optional
        Numeric inputs (a dose).
    threshold : tuple of float, default (0, -0.3, 0.3, 0.005)
        Default, minimum, maximum and step of the threshold T.
    n_draws : int, default :data:`DEFAULT_DRAWS`
        Draws kept (evenly spaced over all chains).

    Returns
    -------
    dict
        The JSON-ready spec (see the module docstring).

    Raises
    ------
    ValueError
        If a choice or input names draws that are missing, the draw arrays differ in size, or
        the JSON would exceed :data:`MAX_BYTES`.
    """
    sizes = {np.asarray(v).size for v in draws.values()}
    if len(sizes) != 1:
        raise ValueError(f"draw arrays differ in size: {sorted(sizes)}")
    named = [c.mean for c in choices] + [c.spread for c in choices if c.spread] + \
        [i.slope for i in inputs]
    missing = sorted(set(named) - set(draws))
    if missing:
        raise ValueError(f"explorer draws missing: {missing}")
    default, low, high, step = threshold
    total = int(sizes.pop())
    spec = {
        "format": FORMAT, "chapter": chapter, "title": title, "unit": unit, "effect": effect,
        "n_draws": min(n_draws, total), "thinned_from": total,
        "threshold": {"default": default, "min": low, "max": high, "step": step},
        "inputs": [{"name": i.name, "label": i.label, "slope": i.slope, "centre": i.centre,
                    "scale": i.scale, "min": i.low, "max": i.high, "step": i.step,
                    "default": i.default, "fitted_low": i.fitted_low,
                    "fitted_high": i.fitted_high} for i in inputs],
        "choices": [{"id": c.id, "label": c.label, "mean": c.mean, "spread": c.spread}
                    for c in choices],
        "draws": {name: [float(f"{x:.6g}") for x in thin(values, n_draws)]
                  for name, values in draws.items() if name in named},
    }
    size = len(spec_json(spec).encode("utf-8"))
    if size > MAX_BYTES:
        raise ValueError(f"explorer spec is {size:,} bytes (> {MAX_BYTES:,}); keep fewer draws")
    return spec


def spec_json(spec: Mapping) -> str:
    """Return the spec as compact JSON, safe inside a ``<script>`` element (``</`` is escaped)."""
    return json.dumps(spec, separators=(",", ":")).replace("</", "<\\/")


def predictive_moments(
    spec: Mapping, choice: str, values: Mapping[str, float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per-draw mean and spread of the effect for ``choice`` at input ``values``.

    Inputs missing from ``values`` take their default, as on the page.
    """
    values = dict(values or {})
    chosen = next((c for c in spec["choices"] if c["id"] == choice), None)
    if chosen is None:
        raise KeyError(f"no choice {choice!r}; choices: {[c['id'] for c in spec['choices']]}")
    draws = spec["draws"]
    mean = np.array(draws[chosen["mean"]], dtype=float)
    for item in spec["inputs"]:
        x = float(values.get(item["name"], item["default"]))
        mean = mean + np.array(draws[item["slope"]], dtype=float) * (x - item["centre"]) / \
            item["scale"]
    spread = (np.array(draws[chosen["spread"]], dtype=float) if chosen["spread"]
              else np.zeros_like(mean))
    return mean, spread


def explorer_probability(
    spec: Mapping, choice: str, threshold: float, values: Mapping[str, float] | None = None
) -> float:
    """P(effect > ``threshold``) as the page computes it: the mean over draws of normal tails.

    For a draw with spread 0 (a municipality in the fit) the tail is 1 if its mean exceeds the
    threshold, else 0.
    """
    mean, spread = predictive_moments(spec, choice, values)
    tails = (mean > threshold).astype(float)
    spread_known = spread > 0
    tails[spread_known] = ndtr((mean[spread_known] - threshold) / spread[spread_known])
    return float(np.mean(tails))


class Explorer:
    """A cell output: the interactive explorer in HTML, a static figure in the PDF.

    Parameters
    ----------
    spec : dict
        From :func:`explorer_spec`.
    figure : matplotlib.figure.Figure
        The static stand-in for the PDF (and for notebook viewers without the script).
    note : str, optional
        A sentence shown under the explorer (what it does not show, the Monte Carlo error).
    """

    def __init__(self, spec: Mapping, figure: object, note: str = "") -> None:
        self.spec = dict(spec)
        self.note = note
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight")  # type: ignore[attr-defined]
        self._png = buffer.getvalue()

    def _repr_html_(self) -> str:
        chapter = html.escape(self.spec["chapter"])
        note = f'<p class="explorer-note">{html.escape(self.note)}</p>' if self.note else ""
        return (
            f'<div class="posterior-explorer" data-chapter="{chapter}">'
            f'<script type="application/json" class="explorer-spec">{spec_json(self.spec)}'
            "</script>"
            f'<noscript><p>The posterior explorer needs JavaScript; the draws are in '
            f'<a href="{chapter}-explorer.json">{chapter}-explorer.json</a>.</p></noscript>'
            f"{note}</div>"
        )

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict:
        return {
            "text/html": self._repr_html_(),
            "image/png": base64.b64encode(self._png).decode("ascii"),
            "text/plain": f"<posterior explorer of {self.spec['chapter']}: "
                          f"{len(self.spec['choices'])} choices, {self.spec['n_draws']} draws>",
        }


def plot_probability_curve(
    spec: Mapping, choice: str, input_name: str, thresholds: Sequence[float], *,
    n_points: int = 61,
) -> object:
    """Plot the static stand-in: P(effect > T) against one input, from the same draws.

    One line per threshold, the fitted range of the input shaded; for the PDF, where the
    explorer cannot run.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    from analysis.display.theme import PALETTE

    item = next(i for i in spec["inputs"] if i["name"] == input_name)
    span = item["fitted_high"] - item["fitted_low"]
    grid = np.linspace(max(item["min"], item["fitted_low"] - 0.5 * span),
                       item["fitted_high"] + 0.5 * span, n_points)
    colours = sns.color_palette(PALETTE)
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.axvspan(item["fitted_low"], item["fitted_high"], color="0.85", label="range of the fit")
    for k, t in enumerate(thresholds):
        p = [explorer_probability(spec, choice, t, {input_name: x}) for x in grid]
        ax.plot(grid, p, color=colours[k % len(colours)], lw=2, label=f"P(effect > {t:g})")
    ax.set_ylim(0, 1)
    ax.set_xlabel(item["label"])
    label = next(c["label"] for c in spec["choices"] if c["id"] == choice)
    ax.set_ylabel("probability")
    ax.set_title(f"{label}: probability that the effect exceeds T ({spec['unit']})", fontsize=10)
    ax.legend(loc="lower right", fontsize=8, frameon=True)
    return fig


def plot_exceedance(spec: Mapping, choice: str, others: Sequence[str] = (), *,
                    n_points: int = 81) -> object:
    """Plot the static stand-in without inputs: P(effect > T) against the threshold T.

    ``choice`` is drawn as a thick line, ``others`` (the municipalities in the fit) thin.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    from analysis.display.theme import PALETTE

    th = spec["threshold"]
    grid = np.linspace(th["min"], th["max"], n_points)
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for k, other in enumerate(others):
        ax.plot(grid, [explorer_probability(spec, other, t) for t in grid], color="0.6", lw=0.8,
                label="a municipality in the fit" if k == 0 else None)
    label = next(c["label"] for c in spec["choices"] if c["id"] == choice)
    ax.plot(grid, [explorer_probability(spec, choice, t) for t in grid],
            color=sns.color_palette(PALETTE)[0], lw=2.2, label=label)
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"threshold T ({spec['unit']})")
    ax.set_ylabel("P(effect > T)")
    ax.legend(loc="upper right", fontsize=8, frameon=True)
    return fig
