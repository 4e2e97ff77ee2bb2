"""The table of contents: reading order of the real _toc.yml, notebook pages, source files."""

from __future__ import annotations

import json
from types import SimpleNamespace

import yaml

from analysis.config import ROOT
from bookkit.sphinx import chapter_meta
from bookkit.toc import is_notebook, notebook_sources, toc_files, toc_pages

NOTEBOOK_FRONT_MATTER = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---
# A chapter
"""


def _entries(node: object) -> list[str]:
    """Every ``file`` of a toc mapping in document order, walked independently of bookkit."""
    if isinstance(node, dict):
        found = [node["file"]] if "file" in node else []
        return found + [f for key in ("parts", "chapters", "sections")
                        for f in _entries(node.get(key, []))]
    if isinstance(node, list):
        return [f for item in node for f in _entries(item)]
    return []


def test_toc_files_follow_the_real_toc_in_reading_order():
    spec = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = toc_files(ROOT / "_toc.yml")
    assert files == [spec["root"], *_entries(spec)]
    assert files[0] == "book/intro"
    assert "chapters/contact_evidence" in files and "book/cite" in files
    assert files.index("chapters/methods") < files.index("chapters/conclusions")
    assert len(files) == len(set(files))


def test_nested_sections_follow_their_chapter(tmp_path):
    toc = tmp_path / "_toc.yml"
    toc.write_text(yaml.safe_dump({"format": "jb-book", "root": "intro", "parts": [
        {"caption": "A", "chapters": [{"file": "a", "sections": [{"file": "a1"}, {"file": "a2"}]},
                                      {"file": "b"}]},
        {"caption": "B", "chapters": [{"file": "c"}]}]}))
    assert toc_files(toc) == ["intro", "a", "a1", "a2", "b", "c"]


def test_toc_pages_are_existing_sources_starting_with_the_root():
    pages = toc_pages(ROOT)
    assert pages[0] == ROOT / "book" / "intro.md"
    assert all(page.is_file() for page in pages)
    assert [p.relative_to(ROOT).with_suffix("").as_posix() for p in pages] == toc_files()


def test_is_notebook_needs_a_kernelspec_or_an_ipynb(tmp_path):
    notebook = tmp_path / "notebook.md"
    notebook.write_text(NOTEBOOK_FRONT_MATTER)
    plain = tmp_path / "plain.md"
    plain.write_text("---\ntitle: Just text\n---\n# Not executed\n")
    bare = tmp_path / "bare.md"
    bare.write_text("# No front matter\n\nkernelspec: in the prose only\n")
    ipynb = tmp_path / "notebook.ipynb"
    ipynb.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4,
                                 "nbformat_minor": 5}))
    assert is_notebook(notebook) and is_notebook(ipynb)
    assert not is_notebook(plain) and not is_notebook(bare)
    assert not is_notebook(tmp_path / "missing.md")


def test_notebook_sources_are_the_chapters():
    sources = [p.relative_to(ROOT).as_posix() for p in notebook_sources(ROOT)]
    assert "chapters/contact_evidence.md" in sources and "chapters/conclusions.md" in sources
    assert "book/intro.md" not in sources and "book/cite.md" not in sources
    chapters = [f"{name}.md" for name in toc_files() if name.startswith("chapters/")]
    assert [s for s in sources if s.startswith("chapters/")] == chapters


def test_notebook_sources_of_a_small_book(tmp_path):
    (tmp_path / "_toc.yml").write_text(yaml.safe_dump(
        {"format": "jb-book", "root": "intro", "chapters": [{"file": "ch/one"},
                                                            {"file": "ch/two"}]}))
    (tmp_path / "intro.md").write_text("# Intro\n")
    (tmp_path / "ch").mkdir()
    (tmp_path / "ch" / "one.md").write_text(NOTEBOOK_FRONT_MATTER)
    (tmp_path / "ch" / "two.md").write_text("# Text only\n")
    assert notebook_sources(tmp_path) == [tmp_path / "ch" / "one.md"]


def test_sphinx_extension_asks_the_source_file_then_the_metadata(tmp_path):
    source = tmp_path / "page.md"
    source.write_text(NOTEBOOK_FRONT_MATTER)

    def app(path, metadata):
        return SimpleNamespace(env=SimpleNamespace(doc2path=lambda docname: str(path),
                                                   metadata={"page": metadata}))

    assert chapter_meta.is_notebook(app(source, {}), "page")  # the file decides
    source.write_text("# Text\n")
    assert not chapter_meta.is_notebook(app(source, {"kernelspec": {}}), "page")
    missing = tmp_path / "gone.md"
    assert chapter_meta.is_notebook(app(missing, {"kernelspec": {}}), "page")
    assert not chapter_meta.is_notebook(app(missing, {}), "page")
