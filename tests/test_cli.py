"""The command line: the table of contents is read completely and every page exists."""

from __future__ import annotations

from analysis.cli import toc_pages
from analysis.config import ROOT


def test_toc_pages_lists_existing_sources_starting_with_the_root():
    pages = toc_pages()
    assert pages[0] == ROOT / "book" / "intro.md"
    assert ROOT / "chapters" / "contact_evidence.md" in pages
    assert all(page.is_file() for page in pages), [p for p in pages if not p.is_file()]
    assert len(pages) == len(set(pages))
