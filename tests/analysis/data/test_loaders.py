"""The loader verifies checksums and schemas and names file, row and column on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.data import DataError, check_codes, load_contact_studies, load_resource
from analysis.io import sha256_of

CONTACT = "paluck2019_contact_studies.csv"


def _rewrite(data_dir: Path, edit) -> Path:
    """Apply ``edit`` to the contact CSV, then record the new checksum (a deliberate change)."""
    path = data_dir / CONTACT
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame)
    frame.to_csv(path, index=False, lineterminator="\n")
    package = json.loads((data_dir / "datapackage.json").read_text())
    for res in package["resources"]:
        if res["path"] == CONTACT:
            res["sha256"] = sha256_of(path)
    (data_dir / "datapackage.json").write_text(json.dumps(package))
    return path


def test_contact_studies_load_with_types_and_27_rows():
    studies = load_contact_studies()
    assert len(studies) == 27
    assert studies["se_d"].dtype == float
    assert (studies["se_d"] > 0).all()
    assert studies["unique_study_id"].is_unique


def test_checksum_mismatch_is_reported_with_both_digests(data_copy):
    path = data_copy / CONTACT
    path.write_bytes(path.read_bytes().replace(b"0.119", b"0.118", 1))
    with pytest.raises(DataError, match=r"paluck2019_contact_studies.csv: checksum mismatch"):
        load_contact_studies(data_copy)


def test_missing_column_is_named(data_copy):
    def edit(frame):
        del frame["se_d"]

    _rewrite(data_copy, edit)
    with pytest.raises(DataError, match=r"missing column\(s\) \['se_d'\]"):
        load_contact_studies(data_copy)


def test_nan_effect_names_row_and_column(data_copy):
    def edit(frame):
        frame.loc[4, "d"] = "NaN"

    _rewrite(data_copy, edit)
    with pytest.raises(DataError, match=r"row 5 \(line 6\), column 'd': missing value"):
        load_contact_studies(data_copy)


def test_negative_standard_error_names_row_and_column(data_copy):
    def edit(frame):
        frame.loc[11, "se_d"] = "-0.2"

    _rewrite(data_copy, edit)
    message = r"row 12 \(line 13\), column 'se_d': .* must be > 0, got -0.2"
    with pytest.raises(DataError, match=message):
        load_contact_studies(data_copy)


def test_zero_standard_error_is_rejected(data_copy):
    def edit(frame):
        frame.loc[0, "se_d"] = "0"

    _rewrite(data_copy, edit)
    with pytest.raises(DataError, match=r"row 1 \(line 2\), column 'se_d'"):
        load_contact_studies(data_copy)


def test_text_in_numeric_column_names_value(data_copy):
    def edit(frame):
        frame.loc[2, "n_t"] = "fifteen"

    _rewrite(data_copy, edit)
    message = r"row 3 \(line 4\), column 'n_t': expected an integer, got 'fifteen'"
    with pytest.raises(DataError, match=message):
        load_contact_studies(data_copy)


def test_fractional_value_in_integer_column_is_rejected(data_copy):
    def edit(frame):
        frame.loc[6, "n_c"] = "20.5"

    _rewrite(data_copy, edit)
    with pytest.raises(DataError, match=r"row 7 \(line 8\), column 'n_c'"):
        load_contact_studies(data_copy)


def test_unknown_resource_lists_known_ones():
    with pytest.raises(DataError, match=r"unknown data resource 'nope'"):
        load_resource("nope")


def test_unknown_municipality_code_names_row_and_column():
    codes = pd.Series(["GM0363", "GM0599", "GM9999"])
    message = r"x.csv: row 3 \(line 4\), column 'gemeente_code': unknown municipality code 'GM9999'"
    with pytest.raises(DataError, match=message):
        check_codes(codes, {"GM0363", "GM0599"}, source="x.csv", column="gemeente_code",
                    what="municipality code")


def test_datapackage_checksums_match_files_on_disk():
    from analysis.config import DATA_DIR
    from analysis.data import load_datapackage

    for res in load_datapackage()["resources"]:
        assert sha256_of(DATA_DIR / res["path"]) == res["sha256"], res["name"]
