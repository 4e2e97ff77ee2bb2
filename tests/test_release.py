"""Releases: findings agree within the MCSE band, a planted change fails, sites never overwrite."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
import yaml

from analysis.config import ROOT
from analysis.release import (
    Stamp,
    chapter_citation_strings,
    citation_strings,
    code_hashes,
    compare_findings,
    execute_chapters,
    findings_changelog,
    format_comparison,
    load_cff,
    load_findings,
    mcse_tolerance,
    publish_release,
    read_version,
    repository_url,
    reproduce,
    toc_files,
    validate_cff,
    version_stamp,
)

FIXTURES = Path(__file__).parent / "fixtures" / "findings"


def _load(name):
    return load_findings(FIXTURES / name)


# --------------------------------------------------------------------------- comparison


def test_identical_findings_are_reproduced():
    rows = compare_findings(_load("reference"), _load("identical"))
    assert [r.status for r in rows] == ["ok", "ok", "ok"]
    assert all(r.diff == 0 for r in rows)
    assert format_comparison(rows).endswith("REPRODUCED")


def test_tolerance_is_four_combined_mcses():
    # 4 * sqrt(0.003^2 + 0.003^2), computed by hand: 0.016970562748...
    ref = _load("reference")["meta"]["pooled_d"]
    assert mcse_tolerance(ref, ref) == pytest.approx(0.016970562748477, rel=1e-12)


def test_monte_carlo_values_are_reported_not_gated_and_timings_never_compared():
    def chapter(p_value: float, ess_per_s: float) -> dict:
        return {"ch": {
            "ppc_p": {"name": "ppc_p", "value": p_value, "kind": "monte_carlo"},
            "ess_per_s": {"name": "ess_per_s", "value": ess_per_s, "kind": "timing"}}}

    same = {r.name: r for r in compare_findings(chapter(0.27, 60.0), chapter(0.27, 61.5))}
    assert same["ppc_p"].status == "ok" and same["ess_per_s"].status == "info"
    rows = compare_findings(chapter(0.27, 60.0), chapter(0.24, 50.0))
    assert {r.name: r.status for r in rows} == {"ppc_p": "varies", "ess_per_s": "info"}
    assert not any(r.failed for r in rows)
    assert format_comparison(rows).endswith(
        "1 Monte Carlo values without MCSE changed (not gated): REPRODUCED")
    text = findings_changelog(chapter(0.27, 60.0), chapter(0.24, 50.0), "0.1.0", "0.2.0")
    assert "| ch | ppc_p | 0.27 | 0.24 | -0.03 | Monte Carlo value (no MCSE) |" in text
    assert "ess_per_s |" not in text and "not compared (they measure the machine): `ess_per_s`" \
        in text


def test_shift_within_monte_carlo_error_passes():
    rows = {r.name: r for r in compare_findings(_load("reference"), _load("within_noise"))}
    assert rows["pooled_d"].status == "ok"
    assert rows["pooled_d"].diff == pytest.approx(0.010, abs=1e-12)


def test_planted_change_fails_for_posterior_and_exact_findings():
    rows = {r.name: r for r in compare_findings(_load("reference"), _load("planted"))}
    assert rows["pooled_d"].status == "DIFFERS"
    assert rows["n_studies"].status == "DIFFERS"
    assert rows["tau"].status == "ok"
    assert format_comparison(list(rows.values())).endswith("2 disagreeing or missing: "
                                                           "NOT REPRODUCED")


def test_exact_values_use_relative_tolerance():
    ref = {"ch": {"n": {"name": "n", "value": 7501.0}}}
    close = {"ch": {"n": {"name": "n", "value": 7501.0 * (1 + 1e-12)}}}
    off = {"ch": {"n": {"name": "n", "value": 7501.0 * (1 + 1e-8)}}}
    assert compare_findings(ref, close)[0].status == "ok"
    assert compare_findings(ref, off)[0].status == "DIFFERS"


def test_missing_finding_fails_and_new_finding_is_only_reported():
    reference = _load("reference")
    candidate = json.loads(json.dumps(reference))
    del candidate["meta"]["tau"]
    candidate["meta"]["extra"] = {"name": "extra", "value": 1.0}
    rows = {r.name: r for r in compare_findings(reference, candidate)}
    assert rows["tau"].status == "MISSING" and rows["tau"].failed
    assert rows["extra"].status == "new" and not rows["extra"].failed


def test_missing_mcse_in_candidate_is_a_disagreement_not_a_pass():
    reference = _load("reference")
    candidate = json.loads(json.dumps(reference))
    del candidate["meta"]["pooled_d"]["mcse_mean"]
    rows = {r.name: r for r in compare_findings(reference, candidate)}
    assert rows["pooled_d"].status == "DIFFERS"


def test_non_findings_file_names_the_file(tmp_path):
    (tmp_path / "broken.json").write_text('{"chapter": "x"}')
    with pytest.raises(ValueError, match=r"broken.json: not a findings file"):
        load_findings(tmp_path)


def test_changelog_reports_shift_in_posterior_sds_and_changed_chapters():
    text = findings_changelog(_load("reference"), _load("planted"), "0.1.0", "0.2.0",
                              {"chapters/a.md": "1", "chapters/b.md": "2"},
                              {"chapters/a.md": "1", "chapters/b.md": "3", "chapters/c.md": "4"})
    # (0.4500 - 0.3865) / 0.0931 = +0.682 posterior SDs
    assert "| meta | pooled_d | 0.3865 | 0.45 | +0.0635 | +0.68 |" in text
    assert "| meta | n_studies | 27 | 26 | -1 | exact value |" in text
    assert "tau" not in text.split("## Findings added")[0].split("| tau")[0][-5:]
    assert "- changed: `chapters/b.md`" in text and "- added: `chapters/c.md`" in text
    assert "chapters/a.md" not in text
    assert "## Code, data and environment" not in text  # no code hashes given: no claim made


def test_changelog_lists_changed_model_code_and_data():
    text = findings_changelog(_load("reference"), _load("planted"), "0.1.0", "0.2.0",
                              old_code={"analysis/models/m.py": "1", "data/a.csv": "2"},
                              new_code={"analysis/models/m.py": "9", "data/a.csv": "2"})
    code = text.split("## Code, data and environment")[1]
    assert "- changed: `analysis/models/m.py`" in code and "data/a.csv" not in code


def test_code_hashes_cover_models_data_and_pins():
    hashes = code_hashes()
    assert "analysis/models/meta_analysis.py" in hashes
    assert "data/paluck2019_contact_studies.csv" in hashes and "requirements.txt" in hashes
    assert not any("__pycache__" in f for f in hashes)


# --------------------------------------------------------------------------- stamp and citation


def test_stamp_takes_version_from_environment_or_pyproject(monkeypatch, tmp_path):
    monkeypatch.delenv("BOOK_VERSION", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    (tmp_path / "pyproject.toml").write_text('[project]\nversion = "9.8.7"\n')
    stamp = version_stamp(tmp_path)
    assert stamp == Stamp("9.8.7", "unknown", "2023-11-14")  # tmp_path is no git work tree
    monkeypatch.setenv("BOOK_VERSION", "1.2.3")
    assert version_stamp(tmp_path).version == "1.2.3"


def test_citation_cff_is_valid_and_matches_package_version():
    cff = load_cff(ROOT / "CITATION.cff")
    assert str(cff["version"]) == read_version(ROOT)
    zenodo = json.loads((ROOT / ".zenodo.json").read_text())
    assert zenodo["version"] == read_version(ROOT)
    assert zenodo["title"] == cff["title"]


def test_no_invented_repository_address_while_the_setting_is_unset():
    """The address is one setting (CITATION.cff repository-code); unset, nothing prints one."""
    cff = load_cff(ROOT / "CITATION.cff")
    url = repository_url(cff)
    zenodo = (ROOT / ".zenodo.json").read_text()
    config = (ROOT / "_config.yml").read_text()
    assert "github.com" not in config and "repository:" not in config
    if not url:
        assert "http" not in zenodo
        strings = citation_strings(cff, Stamp("0.1.0", "abc1234", "2026-12-02"))
        assert "http" not in strings["apa"] + strings["bibtex"]
    else:
        assert url in zenodo


def test_repository_setting_must_be_an_address():
    assert repository_url({}) == ""
    with pytest.raises(ValueError, match="repository-code must be an https:// address"):
        repository_url({"repository-code": "github.com/x"})


def test_cff_validation_names_each_problem():
    problems = validate_cff({"cff-version": "1.1.0", "title": "x", "message": "m",
                             "authors": [{"given-names": "Ann"}], "date-released": "23-11-2026"})
    assert "cff-version must be '1.2.0', got '1.1.0'" in problems
    assert "authors[0] needs 'name' or 'family-names' and 'given-names'" in problems
    assert "date-released must be YYYY-MM-DD, got '23-11-2026'" in problems
    assert "missing required key 'authors'" in validate_cff({"cff-version": "1.2.0",
                                                              "title": "x", "message": "m"})


def test_citation_strings_carry_the_build_stamp():
    cff = {"title": "A Book", "repository-code": "https://example.org/repo",
           "authors": [{"family-names": "Jansen", "given-names": "Anna Maria"},
                       {"name": "Team X"}]}
    strings = citation_strings(cff, Stamp("0.2.0", "abc1234", "2026-11-23"))
    assert strings["apa"] == ("Jansen, A. M., & Team X (2026). *A Book* (Version 0.2.0) "
                              "[Computer software]. https://example.org/repo")
    assert strings["bibtex"].startswith("@book{jansen2026v020,")
    assert "author = {Jansen, Anna Maria and {Team X}}" in strings["bibtex"]
    assert "note = {Commit abc1234, built 2026-11-23}" in strings["bibtex"]


def test_chapter_citation_cites_the_chapter_within_the_versioned_book():
    cff = {"title": "A Book", "repository-code": "https://example.org/repo",
           "authors": [{"family-names": "Jansen", "given-names": "Anna Maria"}]}
    strings = chapter_citation_strings(cff, Stamp("0.2.0", "abc1234", "2026-11-23"),
                                       "Is it {concentrated}?", "chapters/concentration")
    assert strings["apa"] == ("Jansen, A. M. (2026). Is it concentrated? In *A Book* "
                              "(Version 0.2.0). https://example.org/repo")
    assert strings["bibtex"].startswith("@incollection{jansen2026v020_concentration,")
    for field in ("title = {Is it concentrated?}", "booktitle = {A Book}", "version = {0.2.0}",
                  "note = {Commit abc1234, built 2026-11-23}", "url = {https://example.org/repo}"):
        assert field in strings["bibtex"]
    assert strings["bibtex"].count("title = ") == 2  # the chapter's and the book's (booktitle)


def test_toc_lists_chapters_and_cite_page():
    files = toc_files(ROOT / "_toc.yml")
    assert files[0] == "book/intro"
    assert "chapters/contact_evidence" in files and "book/cite" in files


# --------------------------------------------------------------------------- site folder


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

from analysis import fitcache
from analysis.report import Findings

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


def test_a_claim_reproduces_when_it_holds_with_the_same_words():
    def chapter(holds: bool, text: str, moves: float) -> dict:
        return {"ch": {"few": {"name": "few", "kind": "claim", "expression": "min(moves) >= 10",
                               "values": {"moves": [moves]}, "holds": holds, "text": text}}}

    same = compare_findings(chapter(True, "tens", 41.0), chapter(True, "tens", 39.5))
    assert [(r.kind, r.status) for r in same] == [("claim", "ok")]
    worded = compare_findings(chapter(True, "tens", 41.0), chapter(True, "dozens", 41.0))
    failed = compare_findings(chapter(True, "tens", 41.0), chapter(False, "tens", 9.0))
    assert worded[0].failed and failed[0].failed
    text = findings_changelog(chapter(True, "tens", 41.0), chapter(True, "dozens", 41.0),
                              "0.1.0", "0.2.0")
    assert "few" in text
