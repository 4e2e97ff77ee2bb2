"""Releases: the site folder keeps every release, refreshes latest/ and never overwrites."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from bookkit.release import markdown_page, publish_release
from bookkit.site_checks import CHROMIUM_FLAGS, find_chromium

SWITCHER_JS = Path(__file__).parents[2] / "bookkit" / "sphinx" / "static" / "version-switcher.js"

FIXTURES = Path(__file__).parents[1] / "fixtures" / "findings"


def _fake_build(root: Path, findings_from: str) -> None:
    """A root with a toc, a built HTML folder, a PDF and findings copied from a fixture."""
    (root / "_toc.yml").write_text(yaml.safe_dump(
        {"format": "jb-book", "root": "intro", "chapters": [{"file": "chapters/meta"}]}))
    (root / "chapters").mkdir(exist_ok=True)
    (root / "chapters" / "meta.md").write_text(f"# Meta ({findings_from})\n")
    (root / "intro.md").write_text("# Intro\n")
    html = root / "_build" / "html"
    (html / "chapters").mkdir(parents=True, exist_ok=True)
    version = os.environ.get("BOOK_VERSION", "0.0.0")
    (html / "_static").mkdir(exist_ok=True)
    shutil.copy2(SWITCHER_JS, html / "_static" / "version-switcher.js")
    for page, root_rel in (("index.html", "./"), ("chapters/meta.html", "../")):
        (html / page).write_text(
            f"<!DOCTYPE html><html data-content_root='{root_rel}'><head>"
            f"<script>window.BOOK_VERSION = {json.dumps(version)};</script>"
            f"<script src='{root_rel}_static/version-switcher.js'></script></head>"
            f"<body><main class='bd-article'><h1>{page}</h1></main></body></html>")
    (root / "_build" / "latex").mkdir(parents=True, exist_ok=True)
    (root / "_build" / "latex" / "spreiding-en-integratie.pdf").write_bytes(b"%PDF-1.5 fake")
    findings = root / "_build" / "findings"
    shutil.rmtree(findings, ignore_errors=True)
    shutil.copytree(FIXTURES / findings_from, findings)
    (findings / "removed_chapter.json").write_text('{"chapter": "gone", "findings": []}')


def test_two_releases_keep_both_update_latest_and_never_overwrite(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_VERSION", "0.1.0")
    _fake_build(tmp_path, "reference")
    first = publish_release("0.1.0", root=tmp_path)
    assert sorted(p.name for p in (first / "findings").iterdir()) == ["meta.json"]
    monkeypatch.setenv("BOOK_VERSION", "0.2.0")
    _fake_build(tmp_path, "planted")
    second = publish_release("0.2.0", root=tmp_path)
    site = tmp_path / "site"
    switcher = json.loads((site / "switcher.json").read_text())
    assert [e["version"] for e in switcher] == ["0.2.0", "0.1.0"]
    assert switcher[0]["preferred"] and switcher[0]["url"] == "../v0.2.0/"
    assert json.loads((site / "latest" / "release.json").read_text())["version"] == "0.2.0"
    assert (first / "index.html").is_file() and (second / "spreiding-en-integratie.pdf").is_file()
    changelog = (second / "changelog.md").read_text()
    assert "pooled_d" in changelog and "- changed: `chapters/meta.md`" in changelog
    page = (second / "changelog.html").read_text()
    assert '<tr id="moved-meta-pooled_d">' in page  # where a moved glued number links
    assert "<td>pooled_d</td>" in page and "<li>changed: <code>chapters/meta.md</code></li>" in page
    menu = json.loads((site / "switcher.js").read_text().removeprefix("window.BOOK_RELEASES = ")
                      .rstrip().rstrip(";"))
    moved = {r["version"]: r["moved_chapters"] for r in menu["releases"]}
    assert moved == {"0.2.0": ["meta"], "0.1.0": []}  # the planted fixture moves pooled_d
    findings = {r["version"]: r["moved_findings"] for r in menu["releases"]}
    assert findings["0.1.0"] == {} and "pooled_d" in findings["0.2.0"]["meta"]
    before = (first / "findings" / "meta.json").read_bytes()
    with pytest.raises(FileExistsError, match=r"release 0.1.0 exists"):
        publish_release("0.1.0", root=tmp_path)
    assert (first / "findings" / "meta.json").read_bytes() == before
    assert not list(site.glob(".v*"))  # no half-written staging folder left behind


def test_release_without_pdf_writes_nothing(tmp_path):
    _fake_build(tmp_path, "reference")
    (tmp_path / "_build" / "latex" / "spreiding-en-integratie.pdf").unlink()
    with pytest.raises(FileNotFoundError, match=r"spreiding-en-integratie.pdf is missing"):
        publish_release("0.1.0", root=tmp_path)
    assert not (tmp_path / "site" / "v0.1.0").exists()



def test_changelog_page_renders_headings_lists_tables_and_code():
    text = ("# Changes in findings: v0.1.0 → v0.2.0\n\n## Findings that moved\n\n"
            "| chapter | finding |\n|---|---|\n| meta | pooled_d |\n\n"
            "- changed: `chapters/meta.md`\n\nA <b>raw</b> tag & an ampersand.\n")
    page = markdown_page(text, "Changes v0.1.0 to v0.2.0")
    assert page.startswith("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
                           "<title>Changes v0.1.0 to v0.2.0</title>")
    assert "<h1>Changes in findings: v0.1.0 → v0.2.0</h1>" in page
    assert "<h2>Findings that moved</h2>" in page
    assert "<th>chapter</th>" in page and "<td>pooled_d</td>" in page
    assert "<li>changed: <code>chapters/meta.md</code></li>" in page
    assert "&lt;b&gt;raw&lt;/b&gt; tag &amp; an ampersand" in page  # raw HTML is escaped
    assert page.endswith("<p><a href='index.html'>Back to the book</a></p></body></html>\n")


@pytest.mark.skipif(find_chromium() is None, reason="headless Chromium not installed")
def test_a_page_of_an_older_release_says_so_and_links_the_latest_and_its_changelog(
        tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    for version, fixture in (("0.1.0", "reference"), ("0.2.0", "planted")):
        monkeypatch.setenv("BOOK_VERSION", version)
        _fake_build(tmp_path, fixture)
        publish_release(version, root=tmp_path)
    site = tmp_path / "site"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), headless=True,
                                             args=list(CHROMIUM_FLAGS[1:]))
        try:
            page = browser.new_page()
            page.goto((site / "v0.1.0" / "chapters" / "meta.html").as_uri())
            page.wait_for_selector(".book-version-switcher")
            banner = page.locator(".book-old-release")
            assert banner.count() == 1
            assert "You are reading v0.1.0, an older release" in banner.inner_text()
            links = {a.inner_text(): a.get_attribute("href")
                     for a in banner.locator("a").all()}
            assert links["This page in the latest release (v0.2.0)"].endswith(
                "/site/v0.2.0/chapters/meta.html")
            assert links["changes in v0.2.0"].endswith("/site/v0.2.0/changelog.html")
            page.goto((site / "v0.1.0" / "index.html").as_uri())  # no finding of its own
            page.wait_for_selector(".book-old-release")
            assert "Findings of this chapter moved" not in page.locator(
                ".book-old-release").inner_text()
            page.goto((site / "v0.2.0" / "chapters" / "meta.html").as_uri())
            page.wait_for_selector(".book-version-switcher")
            assert page.locator(".book-old-release").count() == 0  # the latest says nothing
        finally:
            browser.close()
