"""The decision command: clear errors on bad input, and a real report on the example file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from analysis.cli import main
from analysis.config import DATA_DIR
from analysis.data import DataError
from analysis.decision import decide, decision_table, is_simulated

EXAMPLE = DATA_DIR / "examples" / "municipal_registry_example.csv"
MALFORMED = DATA_DIR / "examples" / "municipal_registry_malformed.csv"


def test_malformed_file_exits_non_zero_naming_file_row_and_column(tmp_path, capsys):
    status = main(["decide", str(MALFORMED), "--municipality-size", "50000",
                   "--share-outside-europe", "10", "--out", str(tmp_path / "report")])
    err = capsys.readouterr().err
    assert status == 1
    assert "municipal_registry_malformed.csv: row 5 (line 6), column 'standard_error'" in err
    assert not (tmp_path / "report").exists()  # nothing written on bad input


def test_impossible_share_is_a_data_error():
    with pytest.raises(DataError, match="between 0 and 100"):
        decide(EXAMPLE, 50_000, 140.0)


def test_unknown_intervention_type_names_row_and_column(tmp_path):
    frame = pd.read_csv(EXAMPLE)
    frame.loc[2, "intervention_type"] = "barbecue"
    path = tmp_path / "mine.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"mine.csv: row 3 \(line 4\), column 'intervention_type'"):
        decide(path, 50_000, 10.0)


def test_decision_table_probabilities_by_hand():
    # Two types, three draws: a = (1, 0, 2), b = (0, 1, 1) -> P(a best) = 2/3, P(a > 0) = 2/3.
    effect = xr.DataArray(np.array([[[1.0, 0.0], [0.0, 1.0], [2.0, 1.0]]]),
                          dims=("chain", "draw", "intervention_type"),
                          coords={"intervention_type": ["a", "b"]})
    registry = pd.DataFrame({"intervention_type": ["a", "a", "b"]})
    table = decision_table(effect, registry)
    assert table.loc["a", "p_best"] == pytest.approx(2 / 3)
    assert table.loc["a", "p_positive"] == pytest.approx(2 / 3)
    assert table.loc["a", "n_evaluations"] == 2
    assert table.loc["a", "expected_effect"] == pytest.approx(1.0)
    assert is_simulated(pd.DataFrame({"intervention_id": ["SIM-0001"]}))
    assert not is_simulated(pd.DataFrame({"intervention_id": ["UTR-1"]}))


@pytest.mark.slow
def test_command_writes_a_labelled_report_for_the_example(tmp_path, capsys):
    out = tmp_path / "report"
    status = main(["decide", str(EXAMPLE), "--municipality-size", "60000",
                   "--share-outside-europe", "12", "--out", str(out), "--draws", "500"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "[decide] fitting" in captured.err
    summary = pd.read_csv(out / "summary.csv", index_col="intervention_type")
    assert set(summary["data"]) == {"SIMULATED"}
    assert len(summary) == 6
    assert summary["p_best"].sum() == pytest.approx(1.0, abs=0.01)
    assert (summary["hdi_low"] < summary["expected_effect"]).all()
    report = (out / "report.md").read_text()
    assert "SIMULATED DATA" in report and "predicted_effects.png" in report
    assert Path(out / "predicted_effects.png").stat().st_size > 10_000
