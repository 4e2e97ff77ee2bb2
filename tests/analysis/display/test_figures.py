"""The shared figures show what their captions promise: the right units, order, colours, marks.

Every public ``plot_*`` function of :mod:`analysis.display.figures` is drawn from small
synthetic inputs and the drawn artists (tick labels, points, intervals, texts, lines) are read
back and compared with the inputs. Draws come from the shared ``rng`` fixture
(``np.random.default_rng(20240601)``, ``tests/conftest.py``).
"""

from __future__ import annotations

import arviz as az
import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from analysis.display.figures import (
    plot_buurt_shares,
    plot_dissimilarity_check,
    plot_estimates_vs_truth,
    plot_forest,
    plot_icc_shrinkage,
    plot_interval_bars,
    plot_ranked_intervals,
    plot_scenario_densities,
    plot_segregation_by_size,
    plot_shrinkage,
)
from analysis.display.theme import PALETTE

COLOURS = [mcolors.to_hex(c) for c in sns.color_palette(PALETTE)]
BASE = COLOURS[0]  # every ordinary unit
HIGHLIGHT = COLOURS[3]  # the colour the figures use for highlighted units and pooled estimates


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# --- helpers reading back what was drawn -------------------------------------------------------


def only_axes(fig: Figure) -> Axes:
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 1
    return fig.axes[0]


def ytick_texts(ax: Axes) -> list[str]:
    """Tick labels from the bottom row up."""
    return [t.get_text() for t in ax.get_yticklabels()]


def scatters(ax: Axes) -> list[PathCollection]:
    return [c for c in ax.collections if isinstance(c, PathCollection)]


def line_collections(ax: Axes) -> list[LineCollection]:
    return [c for c in ax.collections if isinstance(c, LineCollection)]


def face_hex(collection: PathCollection) -> str:
    return mcolors.to_hex(collection.get_facecolor()[0])


def line_hex(collection: LineCollection) -> str:
    return mcolors.to_hex(collection.get_color()[0])


def segments(collection: LineCollection) -> np.ndarray:
    """Segments as rows of (x0, y0, x1, y1)."""
    return np.array([np.ravel(s) for s in collection.get_segments()])


def legend_texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def zero_lines(ax: Axes) -> list:
    """Dashed vertical reference lines at x = 0 spanning the axes (``axvline(0)``)."""
    return [line for line in ax.lines
            if list(line.get_xdata()) == [0, 0] and list(line.get_ydata()) == [0, 1]
            and line.get_linestyle() == "--"]


def assert_segments(collection: LineCollection, expected: np.ndarray) -> None:
    np.testing.assert_allclose(segments(collection).astype(float), expected)


# --- synthetic inputs --------------------------------------------------------------------------

STUDIES = ["s1", "s2", "s3", "s4"]


def forest_idata(rng: np.random.Generator) -> az.InferenceData:
    return az.from_dict(
        posterior={"mu": rng.normal(size=(2, 50)), "theta": rng.normal(size=(2, 50, 3))},
        coords={"study": ["a", "b", "c"]}, dims={"theta": ["study"]},
    )


def shrinkage_inputs(rng: np.random.Generator):
    idata = az.from_dict(
        posterior={"mu": rng.normal(0.2, 0.05, size=(2, 100)),
                   "theta": rng.normal([0.5, -0.1, 0.3, 0.1], 0.05, size=(2, 100, 4))},
        coords={"study": STUDIES}, dims={"theta": ["study"]},
    )
    observed = pd.Series([0.8, -0.4, 0.35, 0.0], index=STUDIES)
    standard_error = pd.Series([0.1, 0.2, 0.05, 0.4], index=STUDIES)
    return observed, standard_error, idata


TRUTH = {"a_b": 1.1, "c": -0.9, "d": 0.05}


def truth_idata(rng: np.random.Generator) -> az.InferenceData:
    return az.from_dict(
        posterior={"beta": rng.normal([1.0, -1.0, 0.0], 0.1, size=(2, 100, 3))},
        coords={"term": list(TRUTH)}, dims={"beta": ["term"]},
    )


def segregation_table() -> pd.DataFrame:
    return pd.DataFrame({
        "gemeente_naam": ["Aa", "Bb", "Cc", "Dd"],
        "population": [1e3, 1e4, 1e5, 1e6],
        "d_buurt": [0.1, 0.2, 0.3, 0.4],
        "vogelaar": [False, True, False, True],
    })


GEMEENTEN = ["GM1", "GM2", "GM3"]


def icc_inputs(rng: np.random.Generator):
    idata = az.from_dict(
        posterior={"rho": rng.beta([2, 5, 8], [50, 40, 30], size=(2, 200, 3))},
        coords={"gemeente": GEMEENTEN}, dims={"rho": ["gemeente"]},
    )
    # Deliberately not in the posterior's coordinate order: matching must be by name.
    observed = pd.Series([0.02, 0.2, 0.15], index=["GM3", "GM1", "GM2"])
    n_units = pd.Series([5, 10, 20], index=GEMEENTEN)
    return observed, n_units, idata


UNITS = [f"u{i:02d}" for i in range(10)]


def ranked_draws(rng: np.random.Generator) -> pd.DataFrame:
    # Column order shuffled so the figure has to sort; unit uNN has mean NN.
    columns = list(rng.permutation(UNITS))
    means = np.array([float(c[1:]) for c in columns])
    return pd.DataFrame(rng.normal(means, 0.3, size=(400, len(columns))), columns=columns)


def buurt_data() -> tuple[pd.DataFrame, pd.Series]:
    data = pd.DataFrame({"y": [30, 100, 600], "n": [300, 1500, 3000], "income": [1.0, 2.0, 3.0]})
    return data, pd.Series([0.12, 0.1, 0.18])


def interval_summary() -> pd.DataFrame:
    return pd.DataFrame({"mean": [1.0, -0.5, 2.0], "lo": [0.5, -1.0, 1.5], "hi": [1.5, 0.1, 2.5]},
                        index=["first", "second", "third"])


def dissimilarity_check_table() -> pd.DataFrame:
    return pd.DataFrame({
        "observed": [0.2, 0.5, 0.3, 0.1],
        "replicated_mean": [0.21, 0.3, 0.31, 0.2],
        "lo": [0.15, 0.25, 0.25, 0.15],
        "hi": [0.25, 0.35, 0.35, 0.25],
        "inside": [True, False, True, False],
        "name": ["Aa", "Bb", "Cc", "Dd"],
    }, index=["GM1", "GM2", "GM3", "GM4"])


BUILDERS = {
    "forest": lambda rng: plot_forest(forest_idata(rng), ["mu", "theta"], title="TITLE"),
    "shrinkage": lambda rng: plot_shrinkage(*shrinkage_inputs(rng), "theta", "mu",
                                            xlabel="XLABEL", title="TITLE"),
    "estimates_vs_truth": lambda rng: plot_estimates_vs_truth(
        truth_idata(rng), "beta", TRUTH, xlabel="XLABEL", title="TITLE"),
    "segregation_by_size": lambda rng: plot_segregation_by_size(
        segregation_table(), index="d_buurt", title="TITLE"),
    "icc_shrinkage": lambda rng: plot_icc_shrinkage(*icc_inputs(rng), title="TITLE"),
    "ranked_intervals": lambda rng: plot_ranked_intervals(
        ranked_draws(rng), highlight=pd.Index(["u04"]), xlabel="XLABEL", title="TITLE",
        n_show=2),
    "buurt_shares": lambda rng: plot_buurt_shares(*buurt_data(), x="income", xlabel="XLABEL",
                                                  title="TITLE"),
    "scenario_densities": lambda rng: plot_scenario_densities(
        {"A": rng.normal(size=300)}, xlabel="XLABEL", title="TITLE"),
    "interval_bars": lambda rng: plot_interval_bars(interval_summary(), xlabel="XLABEL",
                                                    title="TITLE"),
    "dissimilarity_check": lambda rng: plot_dissimilarity_check(
        dissimilarity_check_table(), labels=dissimilarity_check_table()["name"], title="TITLE"),
}
HAS_XLABEL_ARGUMENT = {"shrinkage", "estimates_vs_truth", "ranked_intervals", "buurt_shares",
                       "scenario_densities", "interval_bars"}


# --- every figure ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(BUILDERS))
def test_every_figure_is_one_axes_with_the_title_and_xlabel_it_was_given(rng, name):
    ax = only_axes(BUILDERS[name](rng))
    assert ax.get_title() == "TITLE"
    if name in HAS_XLABEL_ARGUMENT:
        assert ax.get_xlabel() == "XLABEL"


# --- plot_forest -------------------------------------------------------------------------------


def test_forest_has_one_row_per_scalar_in_variable_then_coordinate_order(rng):
    ax = only_axes(plot_forest(forest_idata(rng), ["mu", "theta"], title="TITLE"))
    top_to_bottom = ytick_texts(ax)[::-1]
    assert len(top_to_bottom) == 4
    assert top_to_bottom[0] == "mu"
    assert top_to_bottom[1].startswith("theta")
    assert [text.rsplit("[", 1)[-1].rstrip("]") for text in top_to_bottom[1:]] == ["a", "b", "c"]


def test_forest_intervals_are_94_percent_hdis_in_the_first_palette_colour(rng):
    idata = forest_idata(rng)
    ax = only_axes(plot_forest(idata, ["mu", "theta"], title="TITLE"))
    mu_row = ax.get_yticks()[ytick_texts(ax).index("mu")]
    at_mu = [c for c in line_collections(ax) if np.allclose(segments(c)[:, [1, 3]], mu_row)]
    widest = max(at_mu, key=lambda c: np.ptp(segments(c)[:, [0, 2]]))
    expected = az.hdi(idata, var_names=["mu"], hdi_prob=0.94)["mu"].to_numpy()
    np.testing.assert_allclose(segments(widest)[0, [0, 2]], expected)
    assert {line_hex(c) for c in line_collections(ax)} == {BASE}


def test_forest_marks_zero_with_a_dashed_vertical_line(rng):
    ax = only_axes(plot_forest(forest_idata(rng), ["mu"], title="TITLE"))
    assert len(zero_lines(ax)) == 1


def test_forest_draws_into_the_axes_it_is_given(rng):
    fig, ax = plt.subplots()
    assert plot_forest(forest_idata(rng), ["theta"], title="TITLE", ax=ax) is fig
    assert ax.get_title() == "TITLE"
    assert len(ax.get_yticks()) == 3


# --- plot_shrinkage ----------------------------------------------------------------------------


def test_shrinkage_rows_are_sorted_by_posterior_mean_and_labelled_with_their_unit(rng):
    observed, standard_error, idata = shrinkage_inputs(rng)
    ax = only_axes(plot_shrinkage(observed, standard_error, idata, "theta", "mu",
                                  xlabel="XLABEL", title="TITLE"))
    order = ["s2", "s4", "s3", "s1"]  # posterior means -0.1, 0.1, 0.3, 0.5
    assert ytick_texts(ax) == order
    reported, pooled = scatters(ax)
    np.testing.assert_allclose(reported.get_offsets()[:, 0].astype(float), observed[order])
    np.testing.assert_allclose(reported.get_offsets()[:, 1].astype(float), np.arange(4))
    means = idata.posterior["theta"].mean(("chain", "draw")).to_series()[order]
    np.testing.assert_allclose(pooled.get_offsets()[:, 0].astype(float), means)
    assert face_hex(reported) == BASE
    assert face_hex(pooled) == HIGHLIGHT


def test_shrinkage_draws_one_arrow_per_unit_from_reported_to_pooled_estimate(rng):
    observed, standard_error, idata = shrinkage_inputs(rng)
    ax = only_axes(plot_shrinkage(observed, standard_error, idata, "theta", "mu",
                                  xlabel="XLABEL", title="TITLE"))
    means = idata.posterior["theta"].mean(("chain", "draw")).to_series()
    arrows = [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    assert len(arrows) == len(STUDIES)
    for row, unit in enumerate(ytick_texts(ax)):
        (arrow,) = [a for a in arrows if a.xy[1] == row]
        assert arrow.xyann == pytest.approx((observed[unit], row))
        assert arrow.xy == pytest.approx((means[unit], row))


def test_shrinkage_point_size_grows_with_precision(rng):
    observed, standard_error, idata = shrinkage_inputs(rng)
    ax = only_axes(plot_shrinkage(observed, standard_error, idata, "theta", "mu",
                                  xlabel="XLABEL", title="TITLE"))
    reported = scatters(ax)[0]
    order = ytick_texts(ax)
    sizes = pd.Series(reported.get_sizes(), index=order)
    assert list(sizes.sort_values().index) == list(standard_error.sort_values().index[::-1])


def test_shrinkage_band_is_the_94_percent_hdi_of_the_pooled_mean_and_zero_is_marked(rng):
    observed, standard_error, idata = shrinkage_inputs(rng)
    ax = only_axes(plot_shrinkage(observed, standard_error, idata, "theta", "mu",
                                  xlabel="XLABEL", title="TITLE"))
    (band,) = [p for p in ax.patches if isinstance(p, Rectangle)]
    expected = az.hdi(idata, var_names=["mu"], hdi_prob=0.94)["mu"].to_numpy()
    assert (band.get_x(), band.get_x() + band.get_width()) == pytest.approx(tuple(expected))
    assert len(zero_lines(ax)) == 1


# --- plot_estimates_vs_truth -------------------------------------------------------------------


def test_estimates_vs_truth_is_stamped_simulated_data(rng):
    ax = only_axes(plot_estimates_vs_truth(truth_idata(rng), "beta", TRUTH, xlabel="XLABEL",
                                           title="TITLE"))
    assert "SIMULATED DATA" in [t.get_text() for t in ax.texts]


def test_estimates_vs_truth_puts_each_true_value_on_its_parameters_row(rng):
    idata = truth_idata(rng)
    ax = only_axes(plot_estimates_vs_truth(idata, "beta", TRUTH, xlabel="XLABEL", title="TITLE"))
    order = ["c", "d", "a_b"]  # posterior means -1, 0, 1
    assert ytick_texts(ax) == ["c", "d", "a b"]  # underscores read as spaces
    (crosses,) = [line for line in ax.lines if line.get_marker() == "x"]
    np.testing.assert_allclose(crosses.get_xdata(), [TRUTH[k] for k in order])
    np.testing.assert_allclose(crosses.get_ydata(), np.arange(3))
    (means,) = [line for line in ax.lines if line.get_marker() == "o"]
    expected_means = idata.posterior["beta"].mean(("chain", "draw")).to_series()[order]
    np.testing.assert_allclose(means.get_xdata(), expected_means)


def test_estimates_vs_truth_intervals_are_94_percent_hdis_per_row(rng):
    idata = truth_idata(rng)
    ax = only_axes(plot_estimates_vs_truth(idata, "beta", TRUTH, xlabel="XLABEL", title="TITLE"))
    hdi = az.hdi(idata, var_names=["beta"], hdi_prob=0.94)["beta"].to_pandas().loc[
        ["c", "d", "a_b"]].to_numpy()
    (intervals,) = line_collections(ax)
    assert_segments(intervals, np.column_stack([hdi[:, 0], np.arange(3), hdi[:, 1],
                                                np.arange(3)]))


# --- plot_segregation_by_size ------------------------------------------------------------------


def test_segregation_by_size_names_and_colours_only_the_highlighted_municipalities():
    table = segregation_table()
    ax = only_axes(plot_segregation_by_size(table, index="d_buurt", title="TITLE"))
    others, marked = scatters(ax)
    np.testing.assert_allclose(others.get_offsets().astype(float),
                               table.loc[~table["vogelaar"], ["population", "d_buurt"]])
    np.testing.assert_allclose(marked.get_offsets().astype(float),
                               table.loc[table["vogelaar"], ["population", "d_buurt"]])
    assert face_hex(others) == BASE
    assert face_hex(marked) == HIGHLIGHT
    assert sorted(t.get_text() for t in ax.texts) == ["Bb", "Dd"]
    for text in ax.texts:
        row = table.set_index("gemeente_naam").loc[text.get_text()]
        assert text.xy == pytest.approx((row["population"], row["d_buurt"]))


def test_segregation_by_size_plots_population_on_a_log_axis_against_the_named_index():
    ax = only_axes(plot_segregation_by_size(segregation_table(), index="d_buurt", title="T"))
    assert ax.get_xscale() == "log"
    assert "log scale" in ax.get_xlabel()
    assert ax.get_ylabel() == "d buurt"
    assert legend_texts(ax) == ["other municipalities", "vogelaar municipalities"]


# --- plot_icc_shrinkage ------------------------------------------------------------------------


def test_icc_shrinkage_pairs_observed_and_posterior_by_municipality_not_by_position(rng):
    observed, n_units, idata = icc_inputs(rng)
    ax = only_axes(plot_icc_shrinkage(observed, n_units, idata, title="TITLE"))
    (points,) = scatters(ax)
    means = idata.posterior["rho"].mean(("chain", "draw")).to_series()[observed.index]
    np.testing.assert_allclose(points.get_offsets().astype(float),
                               np.column_stack([observed, means]))
    np.testing.assert_allclose(points.get_sizes(), 4 + 2 * n_units[observed.index])
    hdi = az.hdi(idata, var_names=["rho"], hdi_prob=0.94)["rho"].to_pandas().loc[observed.index]
    (intervals,) = line_collections(ax)
    assert_segments(intervals, np.column_stack([observed, hdi.iloc[:, 0], observed,
                                                hdi.iloc[:, 1]]))


def test_icc_shrinkage_draws_the_no_pooling_diagonal_on_symlog_axes(rng):
    observed, n_units, idata = icc_inputs(rng)
    ax = only_axes(plot_icc_shrinkage(observed, n_units, idata, title="TITLE"))
    (diagonal,) = ax.lines
    np.testing.assert_allclose(diagonal.get_xdata(), diagonal.get_ydata())
    assert diagonal.get_xdata()[0] == 0
    assert diagonal.get_xdata()[1] >= observed.max()
    assert (ax.get_xscale(), ax.get_yscale()) == ("symlog", "symlog")


# --- plot_ranked_intervals ---------------------------------------------------------------------


def test_ranked_intervals_show_the_extremes_and_every_highlighted_unit(rng):
    ax = only_axes(plot_ranked_intervals(ranked_draws(rng), highlight=pd.Index(["u04", "u01"]),
                                         xlabel="XLABEL", title="TITLE", n_show=2))
    # two lowest (u00, u01), two highest (u08, u09), plus u04; u01 is both: shown once
    assert ytick_texts(ax) == ["u00", "u01", "u04", "u08", "u09"]
    assert sum(len(c.get_offsets()) for c in scatters(ax)) == 5
    assert sum(len(c.get_segments()) for c in line_collections(ax)) == 5


def test_ranked_intervals_draw_highlighted_units_in_the_highlight_colour(rng):
    ax = only_axes(plot_ranked_intervals(ranked_draws(rng), highlight=pd.Index(["u04", "u01"]),
                                         xlabel="XLABEL", title="TITLE", n_show=2))
    rows = {text: row for row, text in enumerate(ytick_texts(ax))}
    others, marked = scatters(ax)
    assert face_hex(others) == BASE
    assert face_hex(marked) == HIGHLIGHT
    assert sorted(marked.get_offsets()[:, 1].astype(int)) == [rows["u01"], rows["u04"]]
    assert sorted(others.get_offsets()[:, 1].astype(int)) == [rows[u] for u in
                                                               ("u00", "u08", "u09")]
    other_lines, marked_lines = line_collections(ax)
    assert (line_hex(other_lines), line_hex(marked_lines)) == (BASE, HIGHLIGHT)


def test_ranked_intervals_span_the_central_94_percent_of_the_draws(rng):
    draws = ranked_draws(rng)
    ax = only_axes(plot_ranked_intervals(draws, xlabel="XLABEL", title="TITLE", n_show=2))
    shown = ytick_texts(ax)
    assert shown == ["u00", "u01", "u08", "u09"]
    (intervals, _empty) = line_collections(ax)
    y = np.arange(4)
    assert_segments(intervals, np.column_stack([draws[shown].quantile(0.03), y,
                                                draws[shown].quantile(0.97), y]))
    np.testing.assert_allclose(scatters(ax)[0].get_offsets()[:, 0].astype(float),
                               draws[shown].mean())
    assert len(zero_lines(ax)) == 1


def test_ranked_intervals_show_every_unit_once_when_the_extremes_overlap(rng):
    ax = only_axes(plot_ranked_intervals(ranked_draws(rng), xlabel="XLABEL", title="TITLE"))
    assert ytick_texts(ax) == UNITS  # default n_show=15 > 10 units


def test_ranked_intervals_without_highlight_have_no_legend(rng):
    ax = only_axes(plot_ranked_intervals(ranked_draws(rng), xlabel="XLABEL", title="TITLE"))
    assert ax.get_legend() is None


# --- plot_buurt_shares -------------------------------------------------------------------------


def test_buurt_shares_show_observed_shares_sized_by_population_and_the_fitted_shares():
    data, fitted = buurt_data()
    ax = only_axes(plot_buurt_shares(data, fitted, x="income", xlabel="XLABEL", title="TITLE"))
    observed, expected = scatters(ax)
    np.testing.assert_allclose(observed.get_offsets().astype(float),
                               np.column_stack([data["income"], data["y"] / data["n"]]))
    np.testing.assert_allclose(observed.get_sizes(), data["n"] / 150)
    np.testing.assert_allclose(expected.get_offsets().astype(float),
                               np.column_stack([data["income"], fitted]))
    assert (face_hex(observed), face_hex(expected)) == (BASE, HIGHLIGHT)
    assert ax.get_ylabel() == "share with non-western migration background"


# --- plot_scenario_densities -------------------------------------------------------------------


def test_scenario_densities_draw_one_filled_density_per_scenario_in_palette_order(rng):
    samples = {"low": rng.normal(0.0, 1.0, 500), "high": rng.normal(5.0, 1.0, 500)}
    ax = only_axes(plot_scenario_densities(samples, xlabel="XLABEL", title="TITLE"))
    fills = ax.collections
    assert [f.get_label() for f in fills] == ["low", "high"]
    assert [face_hex(f) for f in fills] == COLOURS[:2]
    for fill, centre in zip(fills, (0.0, 5.0), strict=True):
        vertices = fill.get_paths()[0].vertices
        assert vertices[np.argmax(vertices[:, 1]), 0] == pytest.approx(centre, abs=0.5)
    assert legend_texts(ax) == ["low", "high"]


def test_scenario_densities_mark_the_observed_value_only_when_given(rng):
    samples = {"A": rng.normal(size=300)}
    ax = only_axes(plot_scenario_densities(samples, observed=1.5, xlabel="XLABEL", title="T"))
    (line,) = ax.lines
    assert list(line.get_xdata()) == [1.5, 1.5]
    assert line.get_linestyle() == "--"
    assert legend_texts(ax) == ["A", "observed"]
    ax = only_axes(plot_scenario_densities(samples, xlabel="XLABEL", title="T"))
    assert len(ax.lines) == 0
    assert legend_texts(ax) == ["A"]


# --- plot_interval_bars ------------------------------------------------------------------------


def test_interval_bars_have_one_bar_and_interval_per_row_first_row_at_the_bottom():
    summary = interval_summary()
    ax = only_axes(plot_interval_bars(summary, xlabel="XLABEL", title="TITLE"))
    assert ytick_texts(ax) == list(summary.index)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert [b.get_width() for b in bars] == list(summary["mean"])
    assert [b.get_y() + b.get_height() / 2 for b in bars] == pytest.approx([0, 1, 2])
    (intervals,) = line_collections(ax)
    y = np.arange(3)
    assert_segments(intervals, np.column_stack([summary["lo"], y, summary["hi"], y]))


# --- plot_dissimilarity_check ------------------------------------------------------------------


def test_dissimilarity_check_marks_outside_points_differently_from_inside_ones():
    check = dissimilarity_check_table()
    ax = only_axes(plot_dissimilarity_check(check, labels=check["name"], title="TITLE"))
    inside, outside = scatters(ax)
    columns = ["replicated_mean", "observed"]
    np.testing.assert_allclose(inside.get_offsets().astype(float), check.loc[check["inside"],
                                                                              columns])
    np.testing.assert_allclose(outside.get_offsets().astype(float), check.loc[~check["inside"],
                                                                               columns])
    assert face_hex(inside) == BASE
    assert face_hex(outside) == HIGHLIGHT
    assert outside.get_sizes()[0] > inside.get_sizes()[0]
    assert legend_texts(ax)[1:] == ["observed D, inside", "observed D, outside"]


def test_dissimilarity_check_names_only_the_highlighted_municipalities_at_their_points():
    check = dissimilarity_check_table()
    ax = only_axes(plot_dissimilarity_check(check, labels=check["name"],
                                            highlight=["GM2", "GM3"], title="TITLE"))
    assert [t.get_text() for t in ax.texts] == ["Bb", "Cc"]
    for text, code in zip(ax.texts, ["GM2", "GM3"], strict=True):
        expected = (check.loc[code, "replicated_mean"], check.loc[code, "observed"])
        assert text.xy == pytest.approx(expected)


def test_dissimilarity_check_draws_each_replicated_interval_at_its_mean_with_a_diagonal():
    check = dissimilarity_check_table()
    ax = only_axes(plot_dissimilarity_check(check, labels=check["name"], title="TITLE"))
    (intervals,) = line_collections(ax)
    x = check["replicated_mean"]
    assert_segments(intervals, np.column_stack([x, check["lo"], x, check["hi"]]))
    (diagonal,) = ax.lines
    np.testing.assert_allclose(diagonal.get_xdata(), diagonal.get_ydata())
    assert diagonal.get_xdata()[1] >= check["observed"].max()
