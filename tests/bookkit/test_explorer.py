"""The posterior explorer in a real browser, and its Sphinx side (draws written beside the page).

A planted site holds a page with a working explorer and one whose script ignores the spread of
a new municipality: :func:`bookkit.site_checks.check_in_browser` (what ``nox -s visual`` runs)
passes the first and fails the second, because its probability disagrees with Python's.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from analysis.display.explorer import Explorer, ExplorerChoice, ExplorerInput, explorer_spec
from bookkit.site_checks import check_in_browser, find_chromium
from bookkit.sphinx import STATIC
from bookkit.sphinx.explorer import explorer_specs

EXPLORER_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Explorer</title>
<link rel="stylesheet" href="_static/explorer.css"><script defer src="_static/{script}"></script>
</head><body><main><article><h1>Explore</h1>{body}</article></main></body></html>
"""


def _explorer(n_draws: int = 400) -> Explorer:
    rng = np.random.default_rng(11)
    shape = (2, n_draws // 2)
    draws = {"mu": rng.normal(0.01, 0.01, shape), "tau": np.abs(rng.normal(0.04, 0.01, shape)),
             "slope": rng.normal(0.01, 0.003, shape), "own": rng.normal(0.0, 0.02, shape)}
    dose = ExplorerInput("dose", "Dose (EUR per resident)", "slope", centre=300.0, scale=100.0,
                         low=0.0, high=3000.0, step=10.0, default=300.0, fitted_low=120.0,
                         fitted_high=650.0)
    spec = explorer_spec(chapter="demo", title="Explore a demo effect", unit="units",
                         effect="a demo effect", draws=draws, inputs=[dose],
                         choices=[ExplorerChoice("new", "A new municipality", "mu", "tau"),
                                  ExplorerChoice("g1", "Somewhere (in the fit)", "own")])
    fig, ax = plt.subplots()
    plt.close(fig)
    return Explorer(spec, fig)


def test_the_extension_finds_the_spec_embedded_in_a_page():
    explorer = _explorer()
    specs = explorer_specs("<p>before</p>" + explorer._repr_html_() + "<p>after</p>")
    assert list(specs) == ["demo"]
    assert specs["demo"]["draws"]["mu"] == explorer.spec["draws"]["mu"]
    assert explorer_specs("<p>no explorer</p>") == {}


@pytest.fixture(scope="module")
def explorer_report(tmp_path_factory):
    """Browser report over a good explorer page and a planted wrong one."""
    if find_chromium() is None:
        pytest.skip("headless Chromium not installed (bash .ci/install-browser, as root)")
    site = tmp_path_factory.mktemp("explorer") / "html"
    (site / "_static").mkdir(parents=True)
    for name in ("explorer.js", "explorer.css"):
        shutil.copy(STATIC / name, site / "_static" / name)
    script = (STATIC / "explorer.js").read_text(encoding="utf-8")
    wrong = script.replace("sum += tail(t, mo.mean[i], mo.spread[i]);",
                           "sum += tail(t, mo.mean[i], 0);")
    assert wrong != script
    (site / "_static" / "explorer-wrong.js").write_text(wrong, encoding="utf-8")
    body = _explorer()._repr_html_()
    for page, name in (("good.html", "explorer.js"), ("wrong.html", "explorer-wrong.js")):
        (site / page).write_text(EXPLORER_PAGE.format(script=name, body=body), encoding="utf-8")
    (site / "demo-explorer.json").write_text("{}", encoding="utf-8")
    report = check_in_browser(site, tmp_path_factory.mktemp("shots"))
    return report


def _problems(report: object, page: str) -> list[str]:
    return [f"{p.check}: {p.detail}" for p in report.problems if p.page == page]


@pytest.mark.slow
def test_a_working_explorer_passes_at_both_widths_in_dark_mode_and_with_axe(explorer_report):
    assert _problems(explorer_report, "good.html") == []
    assert any(Path(s).name == "good.390.png" for s in explorer_report.screenshots)


@pytest.mark.slow
def test_an_explorer_whose_probability_disagrees_with_python_fails(explorer_report):
    problems = [p for p in _problems(explorer_report, "wrong.html") if p.startswith("explorer")]
    assert len(problems) == 3  # 1280 px, 390 px, dark
    assert "Python computes" in problems[0]
