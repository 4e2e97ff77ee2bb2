"""Tests of :mod:`analysis.display.explorer`: thinning, the spec, the Python twin of the page."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy.special import ndtr

from analysis.display.explorer import (
    FORMAT,
    Explorer,
    ExplorerChoice,
    ExplorerInput,
    explorer_probability,
    explorer_spec,
    plot_probability_curve,
    predictive_moments,
    spec_json,
    thin,
)


def _spec(n_chain: int = 4, n_draw: int = 500, n_draws: int = 1000) -> tuple[dict, dict]:
    rng = np.random.default_rng(3)
    draws = {"mu": rng.normal(0.02, 0.01, (n_chain, n_draw)),
             "tau": np.abs(rng.normal(0.03, 0.005, (n_chain, n_draw))),
             "slope": rng.normal(0.01, 0.002, (n_chain, n_draw)),
             "own": rng.normal(-0.01, 0.02, (n_chain, n_draw))}
    dose = ExplorerInput("dose", "Dose (EUR)", "slope", centre=300.0, scale=100.0, low=0.0,
                         high=2000.0, step=10.0, default=300.0, fitted_low=100.0,
                         fitted_high=700.0)
    spec = explorer_spec(chapter="demo", title="Demo", unit="units", effect="an effect",
                         draws=draws, inputs=[dose], n_draws=n_draws,
                         choices=[ExplorerChoice("new", "New", "mu", "tau"),
                                  ExplorerChoice("g1", "Own", "own")])
    return spec, draws


def test_thin_keeps_evenly_spaced_draws_at_the_same_positions_for_every_quantity():
    values = np.arange(8000).reshape(4, 2000)
    kept = thin(values, 1000)
    assert kept.size == 1000 and kept[0] == 0 and kept[-1] == 7999
    assert np.all(np.diff(kept) >= 7)
    assert np.array_equal(thin(values * 2, 1000), kept * 2)  # joint draws stay joint
    assert thin(np.arange(10), 1000).size == 10


def test_spec_is_compact_json_of_the_thinned_draws():
    spec, _ = _spec()
    assert spec["format"] == FORMAT and spec["n_draws"] == 1000 and spec["thinned_from"] == 2000
    assert set(spec["draws"]) == {"mu", "tau", "slope", "own"}
    assert len(spec_json(spec)) < 120_000


def test_spec_refuses_missing_draws_unequal_sizes_and_too_many_bytes():
    draws = {"mu": np.zeros((2, 10)), "tau": np.ones((2, 10))}
    with pytest.raises(ValueError, match="missing"):
        explorer_spec(chapter="c", title="t", unit="u", effect="e", draws=draws,
                      choices=[ExplorerChoice("new", "New", "mu", "sigma")])
    with pytest.raises(ValueError, match="differ in size"):
        explorer_spec(chapter="c", title="t", unit="u", effect="e",
                      draws={"mu": np.zeros(5), "tau": np.ones(6)},
                      choices=[ExplorerChoice("new", "New", "mu", "tau")])
    many = {f"x{i}": np.random.default_rng(i).normal(size=10_000) for i in range(12)}
    with pytest.raises(ValueError, match="bytes"):
        explorer_spec(chapter="c", title="t", unit="u", effect="e", draws=many, n_draws=10_000,
                      choices=[ExplorerChoice(f"c{i}", "C", f"x{i}") for i in range(12)])


def test_probability_of_a_new_municipality_is_the_mean_of_normal_tails():
    spec, _ = _spec()
    mu, tau, slope = (np.array(spec["draws"][k]) for k in ("mu", "tau", "slope"))
    q = (500.0 - 300.0) / 100.0
    expected = np.mean(ndtr((mu + slope * q - 0.01) / tau))
    assert explorer_probability(spec, "new", 0.01, {"dose": 500.0}) == pytest.approx(expected,
                                                                                     abs=1e-12)


def test_a_municipality_in_the_fit_has_no_spread_and_counts_draws_above():
    spec, _ = _spec()
    mean, spread = predictive_moments(spec, "g1")  # the default dose: the centre
    assert np.all(spread == 0)
    assert np.allclose(mean, spec["draws"]["own"])
    assert explorer_probability(spec, "g1", 0.0) == pytest.approx(np.mean(mean > 0))
    with pytest.raises(KeyError, match="no choice"):
        predictive_moments(spec, "g2")


def test_explorer_output_is_html_for_the_page_and_a_png_for_the_pdf():
    spec, _ = _spec(n_draws=50)
    fig = plot_probability_curve(spec, "new", "dose", [0.0, 0.05], n_points=5)
    plt.close(fig)
    bundle = Explorer(spec, fig, note="a </script> note")._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    html = bundle["text/html"]
    embedded = html.split('class="explorer-spec">', 1)[1].split("</script>", 1)[0]
    assert json.loads(embedded.replace("<\\/", "</")) == json.loads(json.dumps(spec))
    assert "a &lt;/script&gt; note" in html and 'href="demo-explorer.json"' in html
