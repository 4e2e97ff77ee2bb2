"""Releases: the site folder keeps every release, refreshes latest/ and never overwrites."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from bookkit.release import markdown_page, publish_release

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
    (html / "index.html").write_text("<html>index</html>")
    (html / "chapters" / "meta.html").write_text("<html>meta</html>")
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
    assert "<td>pooled_d</td>" in page and "<li>changed: <code>chapters/meta.md</code></li>" in page
    assert "window.BOOK_RELEASES" in (site / "switcher.js").read_text()
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
