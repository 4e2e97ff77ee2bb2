"""Reading a municipality's own evaluations: the comma CSV and the Dutch Excel export agree."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from analysis.config import DATA_DIR
from analysis.data import DataError
from analysis.data.evaluations import read_evaluations
from analysis.results.decision import predict
from analysis.results.decision_inputs import DoseScale

EXAMPLES = DATA_DIR / "examples"
COMMA = EXAMPLES / "own_evaluations_example.csv"
DUTCH = EXAMPLES / "own_evaluations_example_excel_nl.csv"


def test_example_reads_with_types_and_format():
    ev = read_evaluations(COMMA)
    assert ev.format == "comma-separated, decimal point, UTF-8, LF"
    assert list(ev.frame.columns[:4]) == ["evaluation_id", "area", "effect", "standard_error"]
    assert ev.frame["effect"].dtype == float and ev.n == 4
    assert ev.frame.loc[3, "note"] == "made-up example row (café)"


def test_dutch_excel_export_is_detected_and_gives_the_same_table():
    raw = DUTCH.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b";" in raw
    assert b"0,021" in raw and "é".encode("cp1252") in raw  # decimal comma, Windows-1252
    comma, dutch = read_evaluations(COMMA), read_evaluations(DUTCH)
    assert dutch.format == ("Dutch Excel (semicolon-separated, decimal comma, Windows-1252, "
                            "BOM, CRLF)")
    pd.testing.assert_frame_equal(comma.frame, dutch.frame)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_dutch_export_in_each_encoding_reads_the_same(encoding, tmp_path):
    text = DUTCH.read_bytes()[3:].decode("cp1252")
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    pd.testing.assert_frame_equal(read_evaluations(path).frame, read_evaluations(COMMA).frame)


def test_dutch_and_comma_files_give_the_same_prediction():
    rng = np.random.default_rng(11)
    posterior = xr.Dataset({
        "effect_post": (("chain", "draw"), rng.normal(0.005, 0.004, (2, 1000))),
        "effect_sd": (("chain", "draw"), np.abs(rng.normal(0.0, 0.01, (2, 1000)))),
        "theta": (("chain", "draw"), rng.normal(0.0, 0.002, (2, 1000))),
    })
    scale = DoseScale(mean=300.0, sd=150.0, low=130.0, high=640.0)
    tables = [predict(posterior, 400.0, scale, evaluations=read_evaluations(p),
                      thresholds=[0.0, 0.01], seed=3).table() for p in (COMMA, DUTCH)]
    pd.testing.assert_frame_equal(*tables)


def test_trailing_blank_lines_and_extra_columns_are_fine(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(COMMA.read_text() + "\n\n")
    assert read_evaluations(path).n == 4


def test_semicolon_file_with_decimal_points_reads_too(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(COMMA.read_text().replace(",", ";"))
    frame = read_evaluations(path).frame
    assert frame["effect"].tolist() == pytest.approx([0.021, 0.008, 0.015, -0.004])


def test_duplicate_header_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("evaluation_id,area,effect,effect,standard_error\nA,a,0.1,0.1,0.01\n")
    with pytest.raises(DataError, match=r"x.csv: line 1 \(header\): column\(s\) \['effect'\]"):
        read_evaluations(path)
