"""analysis.chapter: what every chapter does first (theme, rng, findings) and last (footer)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis import chapter
from analysis.config import SEED


def test_start_gives_the_book_seed_and_an_empty_findings_collection(monkeypatch, tmp_path):
    monkeypatch.setattr(chapter, "_current", None)
    rng, findings = chapter.start("some_chapter")
    assert rng.integers(10**9) == np.random.default_rng(SEED).integers(10**9)
    assert findings.chapter == "some_chapter" and findings.records == {}


def test_finish_writes_the_findings_file_and_returns_the_footer(monkeypatch, tmp_path):
    monkeypatch.setattr(chapter, "_current", None)
    _, findings = chapter.start("some_chapter")
    findings.out_dir = tmp_path
    findings.add_value("n_rows", 3, "rows")
    footer = chapter.finish()
    written = json.loads((tmp_path / "some_chapter.json").read_text())
    assert [f["name"] for f in written["findings"]] == ["n_rows"]
    assert footer.loc["seed", "value"] == str(SEED)
    assert float(footer.loc["chapter wall time s", "value"]) >= 0


def test_finish_before_start_says_so(monkeypatch):
    monkeypatch.setattr(chapter, "_current", None)
    with pytest.raises(RuntimeError, match="before chapter.start"):
        chapter.finish()
