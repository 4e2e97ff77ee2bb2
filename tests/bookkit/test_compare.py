"""Findings comparison: agreement within the MCSE band, a planted change fails, the changelog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bookkit.compare import (
    compare_findings,
    findings_changelog,
    format_comparison,
    load_findings,
    mcse_tolerance,
    z_score,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "findings"


def _load(name):
    return load_findings(FIXTURES / name)


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



def test_z_score_is_the_difference_in_combined_mcses():
    ref = {"ch": {"mu": {"name": "mu", "mean": 0.30, "mcse_mean": 0.003}}}
    cand = {"ch": {"mu": {"name": "mu", "mean": 0.31, "mcse_mean": 0.004}}}
    row = compare_findings(ref, cand)[0]
    assert z_score(row, ref["ch"]["mu"], cand["ch"]["mu"]) == pytest.approx(0.01 / 0.005)
    assert z_score(row, ref["ch"]["mu"], {"name": "mu", "mean": 0.31}) is None
