"""Every glued number knows its source: key -> finding, the HTML written, the browser check.

A tiny Sphinx project (myst-nb, the ``{nl}`` role and the provenance extension; notebooks with
stored outputs, not executed) is built in a temporary folder against a findings file written
here; its HTML must carry each number's provenance and its LaTeX must be the same as without
the extension. The browser tests open that HTML and planted failures in headless Chromium.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bookkit.interactive.provenance import browser_check
from bookkit.site_checks import CHROMIUM_FLAGS, find_chromium, serve
from bookkit.sphinx.provenance import (
    NOT_A_FINDING,
    chapter_of,
    finding_for_key,
    load_chapter_findings,
    provenance_attributes,
)

POOLED = {"name": "pooled_d", "description": "pooled effect (d)", "mean": 0.21342, "sd": 0.05,
          "hdi_low": 0.1187, "hdi_high": 0.3071, "ci_prob": 0.94, "mcse_mean": 0.00123,
          "ess_bulk": 1800.0, "r_hat": 1.0, "simulated": False, "data": "REAL"}
RECORDS = {
    "pooled_d": POOLED,
    "p_positive": {**POOLED, "name": "p_positive", "description": "P(d > 0)", "mean": 0.998},
    "n_rows": {"name": "n_rows", "description": "rows of the data", "value": 415195.0},
    "ppp": {"name": "ppp", "description": "posterior predictive p", "value": 0.42,
            "kind": "monte_carlo"},
    "two_of": {"name": "two_of", "description": "studies with migrants", "kind": "claim",
               "expression": "n == 2", "values": {"n": 2}, "holds": True, "text": "two"},
    "spread_lo": {"name": "spread_lo", "description": "a name that ends like a suffix",
                  "value": 3.0},
}


# --- glue key -> findings record ----------------------------------------------------------


@pytest.mark.parametrize(("key", "name", "part"), [
    ("pooled_d", "pooled_d", ""), ("pooled_d_sd", "pooled_d", "_sd"),
    ("pooled_d_lo", "pooled_d", "_lo"), ("pooled_d_hi", "pooled_d", "_hi"),
    ("p_positive_text", "p_positive", "_text"), ("p_positive_nl", "p_positive", "_nl"),
    ("n_rows", "n_rows", ""), ("spread_lo", "spread_lo", ""),
])
def test_a_glue_key_maps_back_to_the_finding_that_glued_it(key, name, part):
    record, found_part = finding_for_key(key, RECORDS)
    assert record is not None and record["name"] == name and found_part == part


@pytest.mark.parametrize("key", ["raw_count", "n_rows_lo", "pooled", "two_of_text"])
def test_a_key_no_finding_glued_maps_to_nothing(key):
    # n_rows_lo: add_value records glue no suffixed keys, so the suffix does not make it theirs
    assert finding_for_key(key, RECORDS) == (None, "")


def test_the_chapter_of_a_document_is_its_file_stem():
    assert chapter_of("chapters/decision") == "decision" and chapter_of("intro") == "intro"


def test_a_posterior_finding_carries_mean_interval_mcse_chapter_and_release():
    attrs = provenance_attributes("pooled_d_lo", "chapters/alpha", "Alpha", "0.4.0", RECORDS)
    assert attrs == {
        "data-key": "pooled_d_lo", "data-chapter": "alpha", "data-chapter-title": "Alpha",
        "data-release": "0.4.0", "data-finding": "pooled_d",
        "data-description": "pooled effect (d)", "data-kind": "posterior",
        "data-mean": "0.2134", "data-hdi-low": "0.1187", "data-hdi-high": "0.3071",
        "data-ci-prob": "94%", "data-mcse": "0.0012",
        "data-part": "the lower end of the interval",
    }


def test_values_claims_and_directly_glued_numbers_say_what_they_are():
    value = provenance_attributes("n_rows", "chapters/alpha", "Alpha", "1.0.0", RECORDS,
                                  dutch=True)
    assert (value["data-kind"], value["data-value"]) == ("exact", "415,195")
    assert value["data-note"].startswith("a value from the data")
    assert value["data-format"] == "Dutch number format" and "data-mean" not in value
    mc = provenance_attributes("ppp", "chapters/alpha", "Alpha", "1.0.0", RECORDS)
    assert mc["data-kind"] == "monte_carlo" and "without a Monte Carlo error" in mc["data-note"]
    claim = provenance_attributes("two_of", "chapters/alpha", "Alpha", "1.0.0", RECORDS)
    assert claim["data-kind"] == "claim" and claim["data-note"].endswith("n == 2")
    glued = provenance_attributes("raw_count", "chapters/alpha", "Alpha", "1.0.0", RECORDS)
    assert glued == {"data-key": "raw_count", "data-chapter": "alpha",
                     "data-chapter-title": "Alpha", "data-release": "1.0.0",
                     "data-kind": "glued", "data-note": NOT_A_FINDING}


def test_findings_files_are_read_by_chapter_and_a_broken_file_is_skipped(tmp_path):
    _findings(tmp_path, "alpha")
    (tmp_path / "half.json").write_text('{"chapter": "half", "find', encoding="utf-8")
    found = load_chapter_findings(tmp_path)
    assert set(found) == {"alpha"} and found["alpha"]["pooled_d"]["mean"] == POOLED["mean"]


# --- a tiny book: the HTML written, the LaTeX unchanged ---------------------------------------


def _findings(folder: Path, chapter: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"chapter": chapter, "seed": 1, "findings": list(RECORDS.values())}
    (folder / f"{chapter}.json").write_text(json.dumps(payload), encoding="utf-8")


def _glue_output(key: str, value: object) -> dict:
    prefix = "application/papermill.record/"
    return {"output_type": "display_data", "data": {prefix + "text/plain": repr(value)},
            "metadata": {"scrapbook": {"name": key, "mime_prefix": prefix}}}


ALPHA_TEXT = ("The pooled effect is {glue:text}`pooled_d:.3f` (from {glue:text}`pooled_d_lo:.2f`"
              " to {glue:text}`pooled_d_hi:.2f`); the data have {glue:text}`n_rows:,.0f` rows "
              "and a count glued directly is {glue:text}`raw_count:.0f`.")
BETA_TEXT = """# Beta

Alpha's effect, seen from here: {glue:text}`/chapters/alpha.ipynb::pooled_d:.2f`; in Dutch,
its rows: {nl}`/chapters/alpha.ipynb::n_rows:,.0f`.
"""


def _project(root: Path, *, provenance: bool) -> Path:
    (root / "chapters").mkdir(parents=True)
    cells = [
        {"cell_type": "markdown", "id": "a1", "metadata": {}, "source": "# Alpha"},
        {"cell_type": "code", "id": "a2", "metadata": {}, "execution_count": 1,
         "source": "glue(...)",
         "outputs": [_glue_output("pooled_d", 0.21342), _glue_output("pooled_d_lo", 0.1187),
                     _glue_output("pooled_d_hi", 0.3071), _glue_output("n_rows", 415195.0),
                     _glue_output("raw_count", 12)]},
        {"cell_type": "markdown", "id": "a3", "metadata": {}, "source": ALPHA_TEXT},
    ]
    notebook = {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                            "language": "python"}}}
    (root / "chapters" / "alpha.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    (root / "chapters" / "beta.md").write_text(BETA_TEXT, encoding="utf-8")
    (root / "index.md").write_text("# Book\n\n```{toctree}\nchapters/alpha\nchapters/beta\n```\n",
                                   encoding="utf-8")
    extensions = ["myst_nb", "bookkit.sphinx.dutch_glue"]
    if provenance:
        extensions.append("bookkit.sphinx.provenance")
    (root / "conf.py").write_text(
        f"extensions = {extensions!r}\nproject = 'T'\nrelease = '0.4.0'\n"
        "nb_execution_mode = 'off'\nexclude_patterns = ['_build']\n"
        "html_theme = 'pydata_sphinx_theme'\n", encoding="utf-8")
    return root


def _build(root: Path, builder: str, findings: Path) -> Path:
    """Build ``root`` with ``builder`` in a fresh process, warnings as errors, as the book is."""
    out = root / "_build" / builder
    env = {**os.environ, "BOOK_FINDINGS_DIR": str(findings)}
    subprocess.run([sys.executable, "-m", "sphinx", "-b", builder, "-W", "-q", "-E",
                    str(root), str(out)], check=True, env=env, cwd=root)
    return out


@pytest.fixture(scope="module")
def tiny_book(tmp_path_factory):
    """A built tiny book (HTML and LaTeX, with the extension) and its LaTeX without it."""
    base = tmp_path_factory.mktemp("book")
    findings = base / "findings"
    _findings(findings, "alpha")
    with_ext = _project(base / "with", provenance=True)
    without = _project(base / "without", provenance=False)
    html_dir = _build(with_ext, "html", findings)
    latex = (_build(with_ext, "latex", findings) / "t.tex").read_text(encoding="utf-8")
    plain = (_build(without, "latex", findings) / "t.tex").read_text(encoding="utf-8")
    return html_dir, latex, plain


def _spans(page: str) -> list[dict[str, str]]:
    """The glued-number spans of an HTML page: attributes plus ``text``."""
    out = []
    for attrs, inner in re.findall(r'<span class="glued-number"([^>]*)>(.*?)</span></span>',
                                   page, flags=re.S):
        found = {k: html.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', attrs)}
        found["text"] = re.sub(r"<[^>]+>", "", inner)
        out.append(found)
    return out


@pytest.mark.slow
def test_every_glued_number_in_the_html_carries_its_finding(tiny_book):
    html_dir, _, _ = tiny_book
    alpha = _spans((html_dir / "chapters" / "alpha.html").read_text(encoding="utf-8"))
    assert [s["text"] for s in alpha] == ["0.213", "0.12", "0.31", "415,195", "12"]
    first = alpha[0]
    assert first["tabindex"] == "0" and first["data-finding"] == "pooled_d"
    assert (first["data-mean"], first["data-hdi-low"], first["data-hdi-high"],
            first["data-mcse"]) == ("0.2134", "0.1187", "0.3071", "0.0012")
    assert (first["data-chapter"], first["data-chapter-title"], first["data-release"]) == (
        "alpha", "Alpha", "0.4.0")
    assert alpha[1]["data-part"] == "the lower end of the interval"
    assert alpha[3]["data-kind"] == "exact" and alpha[3]["data-value"] == "415,195"
    assert alpha[4]["data-kind"] == "glued" and alpha[4]["data-note"] == NOT_A_FINDING
    beta = _spans((html_dir / "chapters" / "beta.html").read_text(encoding="utf-8"))
    assert [(s["text"], s["data-key"], s["data-chapter"]) for s in beta] == [
        ("0.21", "pooled_d", "alpha"), ("415.195", "n_rows", "alpha")]
    assert beta[1]["data-format"] == "Dutch number format"
    assert (html_dir / "_static" / "provenance.js").is_file()
    assert 'src="../_static/provenance.js' in (html_dir / "chapters" / "beta.html").read_text(
        encoding="utf-8")


@pytest.mark.slow
def test_the_latex_output_is_the_same_with_and_without_provenance(tiny_book):
    _, latex, plain = tiny_book
    assert "0.213" in latex and "415.195" in latex
    strip = re.compile(r"\\date\{[^}]*\}")  # the build date, the one expected difference
    assert strip.sub("", latex) == strip.sub("", plain)


# --- the browser check on the tiny book and on planted failures -----------------------------

needs_browser = pytest.mark.skipif(
    find_chromium() is None,
    reason="headless Chromium not installed (bash .ci/install-browser, as root)")

PLANTED_HEAD = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title>'
                '<link rel="stylesheet" href="_static/provenance.css">{script}</head><body>'
                '<main><article><h1>T</h1><p>{body}</p></article></main></body></html>')
RELEASE_SITE = (
    '<script>window.BOOK_VERSION = "0.4.0"; window.BOOK_RELEASES = {"latest": "0.4.0", '
    '"releases": [{"version": "0.4.0", "changelog": "changelog.html", "moved_chapters": '
    '["alpha"], "moved_findings": {"alpha": ["d"]}}]};</script>')
SPAN = ('<span class="glued-number" tabindex="0" data-key="d" data-chapter="alpha" '
        'data-chapter-title="Alpha" data-release="0.4.0" data-finding="d" data-kind="posterior" '
        'data-mean="0.2134" data-hdi-low="0.1" data-hdi-high="0.3" data-mcse="0.001">'
        '<span class="pasted-text">0.21</span></span>')


@pytest.fixture(scope="module")
def browser_results(tiny_book):
    """``browser_check`` of the tiny book's pages and of planted pages, with the time per page."""
    if find_chromium() is None:
        pytest.skip("headless Chromium not installed (bash .ci/install-browser, as root)")
    from playwright.sync_api import sync_playwright

    html_dir = tiny_book[0]
    script = '<script defer src="_static/provenance.js"></script>'
    planted = {
        "unwrapped.html": PLANTED_HEAD.format(script=script, body=SPAN + ' and <span '
                                              'class="pasted-text">0.77</span> alone.'),
        "no-script.html": PLANTED_HEAD.format(script="", body="The effect is " + SPAN + "."),
        "untabbable.html": PLANTED_HEAD.format(script=script,
                                               body=SPAN.replace('tabindex="0"', 'tabindex="-1"')),
        "plain.html": PLANTED_HEAD.format(script=script, body="No glued number here."),
        "moved.html": PLANTED_HEAD.format(script=RELEASE_SITE + script, body=SPAN),
    }
    for name, text in planted.items():
        (html_dir / name).write_text(text, encoding="utf-8")
    results: dict[tuple[str, int, bool], list[tuple[str, str]]] = {}
    seconds: list[float] = []
    with serve(html_dir) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), headless=True,
                                             args=list(CHROMIUM_FLAGS[1:]))
        try:
            for width, dark in ((1280, False), (390, False), (1280, True)):
                context = browser.new_context(viewport={"width": width, "height": 900},
                                              color_scheme="dark" if dark else "light")
                if dark:
                    context.add_init_script("localStorage.setItem('mode', 'dark');"
                                            "localStorage.setItem('theme', 'dark');")
                for name in ["chapters/alpha.html", "chapters/beta.html", *planted]:
                    page = context.new_page()
                    page.goto(base + name, wait_until="load")
                    start = time.perf_counter()
                    results[(name, width, dark)] = browser_check(page)
                    seconds.append(time.perf_counter() - start)
                    if name == "moved.html":
                        page.focus(".glued-number a")
                        moved = (page.get_attribute(".glued-number a", "href"),
                                 page.inner_text(".glued-number-tooltip"))
                    page.close()
                context.close()
        finally:
            browser.close()
    return results, seconds, moved


@pytest.mark.slow
@needs_browser
def test_glued_numbers_show_their_finding_on_focus_and_hover_light_dark_and_phone(
        browser_results):
    results, seconds, _ = browser_results
    for width, dark in ((1280, False), (390, False), (1280, True)):
        for name in ("chapters/alpha.html", "chapters/beta.html", "plain.html"):
            assert results[(name, width, dark)] == [], (name, width, dark)
    assert max(seconds) < 2.0


@pytest.mark.slow
@needs_browser
def test_a_glued_number_without_provenance_fails_the_check(browser_results):
    results, _, _ = browser_results
    problems = results[("unwrapped.html", 1280, False)]
    assert problems == [("provenance", "glued number 0.77 has no provenance (not wrapped in a "
                                       ".glued-number span with its finding)")]


@pytest.mark.slow
@needs_browser
def test_a_tooltip_that_never_shows_fails_the_check(browser_results):
    results, _, _ = browser_results
    problems = results[("no-script.html", 390, False)]
    assert ("provenance", "glued number 0.21 (d) shows no tooltip on keyboard focus") in problems
    assert ("provenance", "glued number 0.21 (d) shows no tooltip on hover") in problems


@pytest.mark.slow
@needs_browser
def test_a_glued_number_outside_the_tab_order_fails_the_check(browser_results):
    results, _, _ = browser_results
    assert results[("untabbable.html", 1280, True)][0] == (
        "provenance", "glued number 0.21 (d) is not in the keyboard's tab order")


@pytest.mark.slow
@needs_browser
def test_in_a_release_site_a_number_that_moved_links_to_the_findings_changelog(
        browser_results):
    results, _, (href, text) = browser_results
    assert href.endswith("/changelog.html#moved-alpha-d")
    assert "Moved in v0.4.0 against the release before" in text
    assert results[("moved.html", 390, False)] == []
