"""Reproduction: every chapter executed afresh, findings compared, a receipt of the inputs."""

from __future__ import annotations

import json
import math

import pytest
import yaml

from analysis.config import ROOT
from bookkit.compare import load_findings
from bookkit.hashes import code_hashes, source_hashes
from bookkit.reproduce import execute_chapters, reproduce


def test_code_hashes_cover_models_data_and_pins():
    hashes = code_hashes()
    assert "analysis/models/meta_analysis.py" in hashes
    assert "data/paluck2019_contact_studies.csv" in hashes and "requirements.txt" in hashes
    assert not any("__pycache__" in f for f in hashes)



def test_source_hashes_cover_every_toc_page_by_its_file_name():
    hashes = source_hashes(ROOT)
    assert list(hashes)[0] == "book/intro.md"
    assert "chapters/contact_evidence.md" in hashes and "book/cite.md" in hashes
    assert all(len(h) == 64 for h in hashes.values())


def test_reproduce_without_a_last_build_says_so(tmp_path, capsys):
    assert reproduce(tmp_path) == 2
    assert "build the book first" in capsys.readouterr().out
    assert reproduce(tmp_path, release="9.9.9") == 2
    assert "no release 9.9.9" in capsys.readouterr().out


# --------------------------------------------------------------------------- end to end

CHAPTER = """---
jupytext:
  text_representation: {{extension: .md, format_name: myst}}
kernelspec: {{display_name: Python 3, language: python, name: python3}}
---
# A tiny chapter

```{{code-cell}} ipython3
import numpy as np
import xarray as xr

from analysis.inference import fitcache
from analysis.results.findings import Findings

rng = np.random.default_rng(20071122)
findings = Findings("tiny")
draws = xr.DataArray(rng.normal({loc}, 1.0, (2, 500)), dims=("chain", "draw"))
findings.add("effect", draws, "effect")
findings.add_value("n", 12, "a count")
fitcache.cached("tiny", "feedbeef", lambda: 1)  # a shared fit: must be sampled in every run
findings.write()
```
"""


@pytest.mark.slow
def test_reproduce_passes_unchanged_and_fails_on_planted_model_change(tmp_path, capsys):
    (tmp_path / "_toc.yml").write_text(yaml.safe_dump(
        {"format": "jb-book", "root": "intro", "chapters": [{"file": "chapters/tiny"}]}))
    (tmp_path / "intro.md").write_text("# Intro\n")
    (tmp_path / "chapters").mkdir()
    chapter = tmp_path / "chapters" / "tiny.md"
    chapter.write_text(CHAPTER.format(loc=0.5))
    execute_chapters(tmp_path, tmp_path / "_build")  # the "last build": _build/findings
    assert reproduce(tmp_path) == 0
    out = capsys.readouterr().out
    assert "REPRODUCED" in out and "NOT" not in out
    reproduced = load_findings(tmp_path / "_build" / "reproduce" / "findings")
    assert reproduced == load_findings(tmp_path / "_build" / "findings")  # same seed: identical
    # The shared fit was sampled afresh into the reproduction's own folder, not loaded.
    payload = json.loads((tmp_path / "_build" / "reproduce" / "findings" / "tiny.json").read_text())
    assert [(f["name"], f["source"]) for f in payload["fits"]] == [("tiny", "sampled")]
    assert payload["fits"][0]["folder"] == str(tmp_path / "_build" / "reproduce" / "fits")
    receipt = json.loads((tmp_path / "_build" / "reproduce" / "receipt.json").read_text())
    assert receipt["summary"]["verdict"] == "REPRODUCED" and receipt["summary"]["max_abs_z"] == 0
    assert receipt["platform"]["python"] and receipt["fits"]["tiny"][0]["source"] == "sampled"
    assert {f["name"]: f.get("z", f.get("relative_difference")) for f in receipt["findings"]} \
        == {"effect": 0.0, "n": 0.0}
    chapter.write_text(CHAPTER.format(loc=0.7))  # planted change to the "model"
    assert reproduce(tmp_path) == 1
    out = capsys.readouterr().out
    assert "NOT REPRODUCED" in out
    effect = load_findings(tmp_path / "_build" / "reproduce" / "findings")["tiny"]["effect"]
    assert math.isclose(effect["mean"], 0.7, abs_tol=0.15)

