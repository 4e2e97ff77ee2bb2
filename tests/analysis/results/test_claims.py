"""Tests for analysis.results.claims and Findings.add_claim: statements of direction or count."""

from __future__ import annotations

import json

import pytest

from analysis.config import FINDINGS_DIR
from analysis.results.claims import ClaimError, evaluate, failed_claims
from analysis.results.findings import Findings


def test_evaluate_counts_directions_and_lists():
    assert evaluate("n_migrant == 2", {"n_migrant": 2})
    assert evaluate("min(lows) > 0 and len(lows) == 3", {"lows": [0.1, 0.2, 0.3]})
    assert not evaluate("slope > 0", {"slope": -0.01})


@pytest.mark.parametrize("expression", ["__import__('os')", "x.real > 0", "open('f')",
                                        "[i for i in x]", "y > 0", "x +"])
def test_evaluate_refuses_anything_outside_the_small_language(expression):
    with pytest.raises(ClaimError):
        evaluate(expression, {"x": 1})


def test_add_claim_records_and_refuses_a_false_claim(tmp_path):
    findings = Findings("demo", out_dir=tmp_path)
    record = findings.add_claim("two_migrant", "n == 2", {"n": 2}, "two of the 27 studies",
                                "studies on attitudes to migrants")
    assert record["holds"] is True and record["kind"] == "claim"
    with pytest.raises(ClaimError, match="only_one"):
        findings.add_claim("only_one", "n == 1", {"n": 2}, "only one", "a false count")
    payload = json.loads(findings.write().read_text())
    assert failed_claims({"demo": payload}) == []


def test_failed_claims_catches_a_planted_false_claim():
    planted = {"findings": [{"name": "larger_more", "kind": "claim", "expression": "r > 0",
                             "values": {"r": -0.2}, "holds": True, "text": "larger … more"}]}
    assert failed_claims({"planted": planted}) == [
        "planted: larger_more: r > 0 does not hold for {'r': -0.2}"]


@pytest.mark.built_book
def test_every_claim_of_the_last_build_holds():
    """Run after the book build (.ci/run does): each claim finding must still hold."""
    files = sorted(FINDINGS_DIR.glob("*.json"))
    if not files:
        pytest.skip("no findings files: build the book first (nox -s book)")
    payloads = {f.stem: json.loads(f.read_text()) for f in files}
    assert failed_claims(payloads) == []
