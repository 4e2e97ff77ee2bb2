"""Findings are summarised with ArviZ and written atomically to one JSON file per chapter."""

from __future__ import annotations

import ast
import json
import re

import arviz as az
import numpy as np
import pytest
import xarray as xr

from analysis.config import ROOT
from analysis.results.findings import Findings


def _draws(rng, loc=1.0, scale=2.0):
    return xr.DataArray(rng.normal(loc, scale, (4, 500)), dims=("chain", "draw"))


def test_finding_matches_arviz_summary_and_file(rng, tmp_path):
    draws = _draws(rng)
    findings = Findings("chapter_x", out_dir=tmp_path)
    record = findings.add("effect", draws, "an effect")
    reference = az.summary(xr.Dataset({"effect": draws}), hdi_prob=0.94, round_to="none")
    assert record["mean"] == pytest.approx(float(draws.mean()), rel=1e-12)
    assert record["hdi_low"] == pytest.approx(reference["hdi_3%"].iloc[0], rel=1e-12)
    assert record["mcse_mean"] == pytest.approx(reference["mcse_mean"].iloc[0], rel=1e-12)
    findings.add_value("count", 27, "a count")
    path = findings.write()
    stored = json.loads(path.read_text())
    assert path.name == "chapter_x.json"
    assert [f["name"] for f in stored["findings"]] == ["effect", "count"]
    assert not list(tmp_path.glob("*.tmp"))


def test_finding_rejects_non_scalar_draws(rng, tmp_path):
    draws = xr.DataArray(rng.normal(size=(2, 10, 3)), dims=("chain", "draw", "study"))
    with pytest.raises(ValueError, match="scalar per draw"):
        Findings("c", out_dir=tmp_path).add("x", draws, "x")


def test_probability_finding_is_share_of_draws(tmp_path):
    draws = xr.DataArray(np.tile(np.arange(100.0), (2, 1)), dims=("chain", "draw"))
    record = Findings("c", out_dir=tmp_path).add_probability("p", draws >= 75, "P(x >= 75)")
    assert record["mean"] == pytest.approx(0.25, rel=1e-12)


def test_table_rounds_and_can_leave_out_exact_values(rng, tmp_path):
    findings = Findings("c", out_dir=tmp_path)
    findings.add("effect", _draws(rng), "an effect")
    findings.add_value("count", 27, "a count")
    table = findings.table(decimals=2, posterior_only=True)
    assert list(table.index) == ["effect"]
    assert table.loc["effect", "mean"] == round(findings.records["effect"]["mean"], 2)
    assert "value" not in table.columns
    everything = findings.table()
    assert everything.loc["count", "value"] == 27


def test_add_value_records_its_kind_and_refuses_unknown_kinds(tmp_path):
    findings = Findings("kinds", out_dir=tmp_path)
    assert "kind" not in findings.add_value("count", 27, "a count")  # exact: the default
    assert findings.add_value("p", 0.3, "a PPC p-value", kind="monte_carlo")["kind"] == \
        "monte_carlo"
    with pytest.raises(ValueError, match="kind must be one of"):
        findings.add_value("x", 1.0, "x", kind="approximate")


def _cells_ending_in_a_record(text: str) -> list[int]:
    """Line numbers of code cells whose last statement is a bare ``findings.add*(...)`` call."""
    lines = []
    for match in re.finditer(r"```\{code-cell\}[^\n]*\n(.*?)\n```", text, re.S):
        body = match.group(1)
        if body.startswith("---"):
            body = body.split("---\n", 2)[2]
        if body.rstrip().endswith(";"):
            continue
        source = "\n".join(line for line in body.splitlines()
                           if not line.lstrip().startswith(("%", "!")))
        tree = ast.parse(source)
        last = tree.body[-1] if tree.body else None
        if (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)
                and isinstance(last.value.func, ast.Attribute)
                and last.value.func.attr.startswith("add")):
            lines.append(text[:match.start()].count("\n") + 1)
    return lines


def test_a_cell_ending_in_a_findings_call_is_caught():
    cell = '```{code-cell} ipython3\nfindings.add_claim("a", "x > 0", {"x": 1}, "t", "d")\n```\n'
    assert _cells_ending_in_a_record(cell) == [1]
    assert _cells_ending_in_a_record(cell.replace('"d")', '"d");')) == []


def test_no_chapter_cell_shows_a_findings_record():
    """Findings.add* returns its record: as a cell's last expression the page would print the
    dict, and in a figure cell myst-nb would make a second figure with the same label."""
    offenders = {page.name: found for page in sorted(ROOT.glob("chapters/*.md"))
                 if (found := _cells_ending_in_a_record(page.read_text(encoding="utf-8")))}
    assert offenders == {}, "end these cells with ';' or assign the record"
