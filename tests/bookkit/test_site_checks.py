"""Tests of bookkit.site_checks on tiny planted HTML books, and of the real built book.

Static checks run everywhere; browser checks need Debian's Chromium (`bash .ci/install-browser`)
and are skipped without it. `nox -s visual` runs the same checks and fails if it is missing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from analysis.config import BUILD_DIR, ROOT
from bookkit.site_checks import (
    AxeAccepted,
    axe_problems,
    check_accessibility,
    check_in_browser,
    check_links,
    check_static,
    find_chromium,
    html_pages,
    load_axe_baseline,
    main,
)
from bookkit.sphinx import chapter_meta

BUILT = BUILD_DIR / "html"
needs_browser = pytest.mark.skipif(
    find_chromium() is None,
    reason="headless Chromium not installed (bash .ci/install-browser, as root)",
)
_not_built = pytest.mark.skipif(
    not (BUILT / "index.html").is_file(), reason="book not built (nox -s book)"
)


def needs_built_book(test):
    """Mark a test as a check of the built book: skipped until it is built."""
    return pytest.mark.built_book(_not_built(test))

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body {{ margin: 0; font-family: sans-serif; }} main {{ max-width: 100%; }}</style>
</head><body><main><article>
{body}
</article></main></body></html>
"""

GOOD_BODY = """<h1 id="top-title">A chapter</h1>
<p>Text with <a href="other.html#results">a link to results</a> and
<a href="#fig-1">its own figure</a>, <a href="https://example.org/">another site</a>.</p>
<h2>Data</h2>
<figure id="fig-1"><img src="_images/fig.png" alt="A white figure with a blue bar." width="300">
<figcaption>Fig. 1</figcaption></figure>
<h3>Detail</h3><h2>Back up two levels is fine</h2>
<div style="overflow-x: auto" tabindex="0" role="region" aria-label="A wide table">
<table><tr>{cells}</tr></table></div>
"""


def _png(path: Path, *, transparent: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode, background = ("RGBA", (0, 0, 0, 0)) if transparent else ("RGB", "white")
    image = Image.new(mode, (300, 150), background)
    for x in range(40, 260):
        for y in range(60, 90):
            image.putpixel((x, y), (1, 115, 178, 255) if transparent else (1, 115, 178))
    image.save(path)


def _page(path: Path, body: str, title: str = "page") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PAGE.format(title=title, body=body), encoding="utf-8")
    return path


def make_book(root: Path) -> Path:
    """A two-page book that passes every check (a wide table scrolls in its own container)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(
        '<html><head><meta http-equiv="Refresh" content="0; url=page.html" /></head></html>')
    _png(root / "_images" / "fig.png")
    cells = "".join(f"<td>column&nbsp;number&nbsp;{i}</td>" for i in range(30))
    _page(root / "page.html", GOOD_BODY.format(cells=cells), "page")
    _page(root / "other.html", '<h1>Other</h1><h2 id="results">Results</h2><p>Text.</p>')
    return root


# --- static checks ----------------------------------------------------------------------------


def test_clean_planted_book_passes_static_checks(tmp_path):
    book = make_book(tmp_path / "html")
    assert check_static(book) == []


def test_html_pages_skips_asset_folders_and_needs_a_built_book(tmp_path):
    book = make_book(tmp_path / "html")
    _page(book / "_static" / "theme.html", "<h1>asset</h1>")
    _page(book / "_sources" / "x.html", "<h1>asset</h1>")
    assert [p.name for p in html_pages(book)] == ["index.html", "other.html", "page.html"]
    with pytest.raises(FileNotFoundError, match="no HTML pages; build the book first"):
        html_pages(tmp_path / "empty")


def test_planted_broken_link_to_missing_page_fails(tmp_path):
    book = make_book(tmp_path / "html")
    _page(book / "broken.html", '<h1>T</h1><p><a href="chapters/gone.html">gone</a></p>')
    problems = check_links(book)
    assert [(p.page, p.check) for p in problems] == [("broken.html", "link")]
    assert "no such file chapters/gone.html" in problems[0].detail
    assert "line" in problems[0].detail


def test_planted_link_to_missing_anchor_fails(tmp_path):
    book = make_book(tmp_path / "html")
    _page(book / "anchor.html", '<h1>T</h1><a href="other.html#no-such-section">x</a>'
          '<a href="#also-missing">y</a>')
    details = [p.detail for p in check_links(book)]
    assert len(details) == 2
    assert "no element with id 'no-such-section' in other.html" in details[0]
    assert "no element with id 'also-missing' in anchor.html" in details[1]


def test_redirect_to_missing_page_fails(tmp_path):
    book = make_book(tmp_path / "html")
    (book / "index.html").write_text(
        '<html><head><meta http-equiv="refresh" content="0; url=book/intro.html"></head></html>')
    problems = check_links(book)
    assert [(p.page, p.check) for p in problems] == [("index.html", "link")]


def test_planted_missing_image_file_fails(tmp_path):
    book = make_book(tmp_path / "html")
    (book / "_images" / "fig.png").unlink()
    problems = check_links(book)
    assert [(p.page, p.check) for p in problems] == [("page.html", "image")]
    assert "_images/fig.png" in problems[0].detail


def test_link_outside_the_book_fails(tmp_path):
    book = make_book(tmp_path / "html")
    _page(book / "out.html", '<h1>T</h1><a href="../../secret.html">x</a>')
    assert "outside the built book" in check_links(book)[0].detail


def test_planted_unresolved_sphinx_reference_fails(tmp_path):
    # Sphinx renders a reference it cannot resolve as its bare content node, not inside <a>.
    book = make_book(tmp_path / "html")
    _page(book / "xref.html", '<h1>T</h1><p>See <a class="reference internal" href="other.html">'
          '<span class="xref std std-ref">fine</span></a> and '
          '<span class="xref std std-ref">ch-missing-label</span>.</p>')
    problems = check_links(book)
    assert [(p.page, p.check) for p in problems] == [("xref.html", "xref")]
    assert "'ch-missing-label'" in problems[0].detail


def test_planted_figure_without_alt_text_fails(tmp_path):
    book = make_book(tmp_path / "html")
    _page(book / "noalt.html", '<h1>T</h1><figure><img src="_images/fig.png"></figure>'
          '<figure><img src="_images/fig.png" alt="  "></figure>'
          # what docutils writes for a figure without alt text: its own URI
          '<img src="../_images/3809f381112d.png" alt="../_images/3809f381112d.png">'
          '<img src="_images/fig.png" alt="fig.png">')
    problems = check_accessibility(book)
    assert [(p.page, p.check) for p in problems] == [("noalt.html", "alt-text")] * 4
    assert "image: alt" in problems[0].detail


def test_decorative_image_outside_article_may_have_empty_alt(tmp_path):
    book = make_book(tmp_path / "html")
    (book / "deco.html").write_text(
        '<html><body><header><img src="_images/fig.png" alt=""></header>'
        '<article><h1>T</h1></article></body></html>')
    assert check_accessibility(book) == []


def test_heading_that_skips_a_level_fails(tmp_path):
    book = make_book(tmp_path / "html")
    _page(book / "jump.html", "<h1>Title</h1><h3>Too deep</h3>")
    _page(book / "start.html", "<h2>No title</h2>")
    problems = check_accessibility(book)
    assert [(p.page, p.check) for p in problems] == [
        ("jump.html", "heading-order"), ("start.html", "heading-order")]
    assert "h1 is followed by h3 'Too deep'" in problems[0].detail


def test_cli_exit_code_reports_planted_problems(tmp_path, capsys):
    book = make_book(tmp_path / "html")
    assert main([str(book), "--no-browser"]) == 0
    _page(book / "broken.html", '<h1>T</h1><a href="nowhere.html">x</a>')
    assert main([str(book), "--no-browser"]) == 1
    assert "FAIL broken.html: [link]" in capsys.readouterr().err


# --- browser checks on planted pages (one browser run, shared) --------------------------------


@pytest.fixture(scope="module")
def planted_report(tmp_path_factory):
    """Run the browser over a book with one good page and one planted failure per page."""
    if find_chromium() is None:
        pytest.skip("headless Chromium not installed (bash .ci/install-browser, as root)")
    book = make_book(tmp_path_factory.mktemp("site") / "html")
    (book / "_images" / "corrupt.png").write_bytes(b"this is not a PNG")
    _page(book / "corrupt.html", '<h1>T</h1><img src="_images/corrupt.png" alt="corrupt">')
    _page(book / "blank.html", "")
    _png(book / "_images" / "clear.png", transparent=True)
    _page(book / "transparent.html", '<h1>T</h1><img src="_images/clear.png" alt="clear">')
    _page(book / "wide.html", '<h1>T</h1><table style="width: 900px"><tr><td>wide</td></tr>'
          "</table>")
    _page(book / "script.html", "<h1>T</h1><script>undefinedFunction();</script>")
    _page(book / "noalt.html", '<h1>T</h1><img src="_images/fig.png">')
    _page(book / "math.html", '<h1>T</h1><div id="equation-long"><mjx-container display="true" '
          'style="display: block; max-width: 100%; overflow-x: auto"><span style="display: '
          'inline-block; width: 2000px">a + b + c</span></mjx-container></div>')
    _page(book / "contrast.html", '<h1>T</h1><p style="color: #c8c8c8; background: #ffffff">'
          "pale grey words on white</p>")
    pages = [*html_pages(book), book / "vanished.html"]
    shots = tmp_path_factory.mktemp("shots")
    report = check_in_browser(book, shots, pages=pages)
    by_page: dict[str, list[str]] = {}
    for problem in report.problems:
        by_page.setdefault(problem.page, []).append(f"{problem.check}: {problem.detail}")
    return report, by_page, shots


@needs_browser
def test_good_pages_pass_in_the_browser_at_both_widths_and_in_dark_mode(planted_report):
    report, by_page, shots = planted_report
    assert "page.html" not in by_page and "other.html" not in by_page
    assert "index.html" not in report.pages  # a redirect: covered by the link check
    for name, width in (("page.1280.png", 1280), ("page.390.png", 390),
                        ("page.1280-dark.png", 1280)):
        with Image.open(shots / name) as image:
            assert image.width == width and image.height >= 150


@needs_browser
def test_planted_corrupt_figure_fails_to_render(planted_report):
    _, by_page, _ = planted_report
    assert any(p.startswith("figure-render") and "naturalWidth 0" in p
               for p in by_page["corrupt.html"])


@needs_browser
def test_planted_blank_and_missing_pages_fail_to_load(planted_report):
    _, by_page, _ = planted_report
    assert any("rendered blank" in p for p in by_page["blank.html"])
    assert any(p.startswith("load") and "HTTP 404" in p for p in by_page["vanished.html"])


@needs_browser
def test_planted_wide_table_overflows_on_a_phone_only(planted_report):
    _, by_page, _ = planted_report
    overflow = [p for p in by_page["wide.html"] if p.startswith("overflow")]
    assert overflow and all("390px" in p for p in overflow)
    assert any("<table> 900 px wide" in p for p in overflow)


@needs_browser
def test_planted_transparent_figure_is_flagged_for_dark_mode(planted_report):
    _, by_page, _ = planted_report
    assert any(p.startswith("dark-mode") and "transparent background" in p
               for p in by_page["transparent.html"])


@needs_browser
def test_planted_script_error_is_reported(planted_report):
    _, by_page, _ = planted_report
    assert any(p.startswith("script-error") and "undefinedFunction" in p
               for p in by_page["script.html"])


def test_missing_browser_fails_with_the_install_command(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BOOK_CHROMIUM", str(tmp_path / "no-chromium"))
    book = make_book(tmp_path / "html")
    assert main([str(book), "--screenshots", str(tmp_path / "shots")]) == 1
    assert "apt-get install -y --no-install-recommends chromium" in capsys.readouterr().err
    with pytest.raises(RuntimeError, match="bash .ci/install-browser"):
        check_in_browser(book)


# --- the real built book ----------------------------------------------------------------------


@needs_built_book
def test_built_book_passes_static_checks():
    assert [str(p) for p in check_static(BUILT)] == []


@needs_built_book
def test_every_chapter_offers_its_notebook_and_states_data_and_execution_time():
    notebooks = sorted((BUILT / "_sources").rglob("*.ipynb"))
    assert notebooks, "no chapter notebook was offered for download"
    for notebook in notebooks:
        page = BUILT / notebook.relative_to(BUILT / "_sources").with_suffix(".html")
        html = page.read_text(encoding="utf-8")
        assert "About this chapter" in html and "download-notebook-button" in html, page
        assert "Executed in " in html and "Data: <strong>" in html, page
        kind = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["data_kind"]
        assert f"<strong>{kind.upper()}</strong>" in html, page


@needs_built_book
@needs_browser
@pytest.mark.slow
def test_built_book_renders_in_the_browser(tmp_path):
    # the layout checks; axe-core runs on the built book in `nox -s visual` (CI runs both)
    report = check_in_browser(BUILT, tmp_path, run_axe=False)
    assert [str(p) for p in report.problems] == []
    assert len(report.screenshots) == 3 * len(report.pages)


# --- the Sphinx extension's pieces ------------------------------------------------------------


def test_chapter_box_texts():
    record = {"runtime": 12.34, "mtime": 0.0, "method": "cache"}
    assert chapter_meta._exec_text(record) == (
        "Executed in 12.3 s on 1970-01-01 00:00 UTC (cached; re-run when the code changes).")
    assert "not executed" in chapter_meta._exec_text(None)
    assert chapter_meta._data_item("simulated", "").astext().startswith(
        "Data: SIMULATED: simulated data")
    assert "NOT DECLARED" in chapter_meta._data_item("", "").astext()


def test_notebook_download_is_converted_from_the_myst_source(tmp_path):
    source = ROOT / "chapters" / "contact_evidence.md"
    target = tmp_path / "_sources" / "chapters" / "contact_evidence.ipynb"
    chapter_meta._write_notebook(source, target)
    notebook = json.loads(target.read_text(encoding="utf-8"))
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert notebook["nbformat"] == 4 and code
    assert all(c["outputs"] == [] for c in code)
    text = source.read_text(encoding="utf-8")
    assert text.count("```{code-cell}") == len(code)  # every code cell, each verbatim
    assert all("".join(c["source"]) in text for c in code)
    assert list(target.parent.glob("*.tmp")) == []


# --- axe-core (WCAG 2.1 A/AA) -----------------------------------------------------------------


@needs_browser
def test_axe_fails_a_planted_image_without_alt_and_low_contrast_text(planted_report):
    _, by_page, _ = planted_report
    assert any(p.startswith("axe") and "image-alt" in p for p in by_page["noalt.html"])
    assert any(p.startswith("axe") and "color-contrast" in p for p in by_page["contrast.html"])
    assert not any(p.startswith("axe") for p in by_page.get("page.html", []))


VIOLATION = {"id": "color-contrast", "impact": "serious", "help": "Elements must meet contrast",
             "nodes": [{"target": [".note > p"]}, {"target": ["#x"]}]}


def test_axe_problems_keep_serious_and_critical_and_honour_the_baseline():
    minor = {**VIOLATION, "impact": "minor"}
    assert axe_problems([minor], "a.html", "1280px") == []
    found = axe_problems([VIOLATION], "chapters/a.html", "390px")
    assert [p.detail.split(" at ")[1].split(":")[0] for p in found] == ["'.note > p'", "'#x'"]
    accepted = [AxeAccepted("color-contrast", ".note > p", "chapters/*", "theme colour")]
    left = axe_problems([VIOLATION], "chapters/a.html", "390px", accepted)
    assert len(left) == 1 and "'#x'" in left[0].detail
    assert len(axe_problems([VIOLATION], "book/b.html", "390px", accepted)) == 2


def test_axe_baseline_entries_need_a_reason(tmp_path):
    bad = tmp_path / "baseline.json"
    bad.write_text(json.dumps([{"rule": "color-contrast", "selector": "p"}]))
    with pytest.raises(ValueError, match="entry 0 needs"):
        load_axe_baseline(bad)
    assert all(entry.reason for entry in load_axe_baseline())  # the committed one


@needs_browser
def test_a_display_equation_cut_off_on_the_desktop_fails(planted_report):
    _, by_page, _ = planted_report
    found = [p for p in by_page["math.html"] if "display equation" in p]
    assert found and all("1280px" in p for p in found)  # on a phone it may scroll
    assert "#equation-long" in found[0]

