"""The science's command line: ``check-data`` and ``decide`` (one-line errors, nothing written).

``decide`` on malformed own-evaluations files: a corpus built in code from the example file;
each case must give ONE line on stderr naming the file and the row/column (or line) of the
problem, exit 1, and write nothing. None of these cases imports PyMC (the inputs are validated
first), so each takes well under a second.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from analysis.cli import main
from analysis.config import ROOT

EXAMPLE = ROOT / "data" / "examples" / "own_evaluations_example.csv"
GOOD = EXAMPLE.read_text(encoding="utf-8")
HEADER, *DATA_LINES = GOOD.splitlines()


def _with_cell(row: int, column: str, value: str, text: str = GOOD, sep: str = ",") -> str:
    """The example with data row ``row`` (1-based), column ``column`` set to ``value``."""
    lines = text.splitlines()
    header = lines[0].split(sep)
    cells = lines[row].split(sep)
    cells[header.index(column)] = value
    lines[row] = sep.join(cells)
    return "\n".join(lines) + "\n"


def _dutch(text: str = GOOD) -> str:
    out = []
    for i, line in enumerate(text.splitlines()):
        cells = line.split(",")
        if i:
            cells[2:4] = [c.replace(".", ",") for c in cells[2:4]]
        out.append(";".join(cells))
    return "\r\n".join(out) + "\r\n"


CORPUS: dict[str, tuple[bytes, str]] = {
    "empty": (b"", r"line 1: the file is empty"),
    "blank lines only": (b"\n\n  \n", r"line 1: the file is empty"),
    "header only": ((HEADER + "\n").encode(), r"line 2: only a header, no data rows"),
    "missing effect column": (GOOD.replace("effect,", "estimate,", 1).encode(),
                              r"line 1 \(header\): missing column\(s\) \['effect'\]"),
    "missing standard_error column": (GOOD.replace("standard_error", "se", 1).encode(),
                                      r"line 1 \(header\): missing column\(s\) "
                                      r"\['standard_error'\]"),
    "NaN effect": (_with_cell(2, "effect", "NaN").encode(),
                   r"row 2 \(line 3\), column 'effect': missing value"),
    "NA effect": (_with_cell(3, "effect", "NA").encode(),
                  r"row 3 \(line 4\), column 'effect': missing value"),
    "empty effect cell": (_with_cell(1, "effect", "").encode(),
                          r"row 1 \(line 2\), column 'effect': missing value"),
    "empty standard error": (_with_cell(4, "standard_error", " ").encode(),
                             r"row 4 \(line 5\), column 'standard_error': missing value"),
    "empty evaluation id": (_with_cell(2, "evaluation_id", "").encode(),
                            r"row 2 \(line 3\), column 'evaluation_id': missing value"),
    "empty area": (_with_cell(3, "area", "").encode(),
                   r"row 3 \(line 4\), column 'area': missing value"),
    "text in effect": (_with_cell(2, "effect", "positief").encode(),
                       r"row 2 \(line 3\), column 'effect': expected a number, got 'positief'"),
    "text in standard error": (_with_cell(1, "standard_error", "n.v.t.").encode(),
                               r"row 1 \(line 2\), column 'standard_error': expected a number"),
    "quoted decimal comma in a comma file": (_with_cell(1, "effect", '"0,021"').encode(),
                                             r"row 1 \(line 2\), column 'effect': expected a "
                                             r"number, got '0,021' \(a decimal comma"),
    "effect 1e308": (_with_cell(2, "effect", "1e308").encode(),
                     r"row 2 \(line 3\), column 'effect': 1e\+308 LBM 3.0 units is implausible"),
    "effect 2.5": (_with_cell(4, "effect", "2.5").encode(),
                   r"row 4 \(line 5\), column 'effect': 2.5 LBM 3.0 units is implausible"),
    "effect -3 (classes, not units)": (_with_cell(1, "effect", "-3").encode(),
                                       r"row 1 \(line 2\), column 'effect': -3 LBM 3.0 units "
                                       r"is implausible"),
    "infinite effect": (_with_cell(3, "effect", "inf").encode(),
                        r"row 3 \(line 4\), column 'effect': the effect must be a finite"),
    "minus infinite effect": (_with_cell(3, "effect", "-Infinity").encode(),
                              r"row 3 \(line 4\), column 'effect': the effect must be a finite"),
    "zero standard error": (_with_cell(2, "standard_error", "0").encode(),
                            r"row 2 \(line 3\), column 'standard_error': the standard error "
                            r"must be > 0, got 0"),
    "negative standard error": (_with_cell(4, "standard_error", "-0.01").encode(),
                                r"row 4 \(line 5\), column 'standard_error': .* > 0, got -0.01"),
    "infinite standard error": (_with_cell(1, "standard_error", "inf").encode(),
                                r"row 1 \(line 2\), column 'standard_error': the standard error "
                                r"must be a finite number"),
    "overflowing standard error": (_with_cell(1, "standard_error", "1e400").encode(),
                                   r"row 1 \(line 2\), column 'standard_error': the standard "
                                   r"error must be a finite number"),
    "duplicate evaluation ids": (_with_cell(3, "evaluation_id", "ILL-01").encode(),
                                 r"row 3 \(line 4\), column 'evaluation_id': duplicate id "
                                 r"'ILL-01', already used in row 1 \(line 2\)"),
    "ragged row (extra cell)": ((GOOD.rstrip("\n") + ",extra\n").encode(),
                                r"row 4 \(line 5\): 6 cells but the header has 5"),
    "short row": ((GOOD + "ILL-05,Ergens,0.01\n").encode(),
                  r"row 5 \(line 6\): 3 cells but the header has 5"),
    "binary garbage": (bytes(range(256)) * 4, r"line 1: not a text file"),
    "an HTML page": (b"<!DOCTYPE html>\n<html><body>Not found</body></html>\n",
                     r"line 1: this is an HTML or XML page"),
    "undecodable bytes": (GOOD.encode().replace(b"Voorbeeldpark", b"Voorbeeld\x81\x8dpark"),
                          r"line 5: neither UTF-8 nor Windows-1252"),
    "Dutch export with text in a number": (
        _with_cell(2, "effect", "veel", _dutch(), sep=";").encode("cp1252"),
        r"row 2 \(line 3\), column 'effect': expected a number, got 'veel'"),
    "Dutch export missing a column": (
        _dutch().replace("standard_error", "standaardfout", 1).encode("cp1252"),
        r"line 1 \(header\): missing column\(s\) \['standard_error'\]; found .* semicolon"),
    "Dutch export with implausible effect": (
        _with_cell(1, "effect", "12,5", _dutch(), sep=";").encode("cp1252"),
        r"row 1 \(line 2\), column 'effect': 12.5 LBM 3.0 units is implausible"),
}


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_malformed_evaluations_give_one_line_and_write_nothing(case, tmp_path, capsys):
    payload, pattern = CORPUS[case]
    path = tmp_path / "mine.csv"
    path.write_bytes(payload)
    out = tmp_path / "report"
    status = main(["decide", str(path), "--dose-eur-per-resident", "300", "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: mine.csv: "), err
    assert "Traceback" not in err
    import re

    assert re.search(pattern, lines[0]), lines[0]
    assert not out.exists()


def test_the_corpus_has_at_least_25_cases():
    assert len(CORPUS) >= 25


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--dose-eur-per-resident", "-10", "must be a finite number >= 0"),
    ("--dose-eur-per-resident", "nan", "must be a finite number >= 0"),
    ("--dose-eur-per-resident", "1e6", "implausible"),
    ("--threshold", "3", "outside the plausible range"),
])
def test_bad_options_give_one_line_and_write_nothing(option, value, message, tmp_path, capsys):
    out = tmp_path / "report"
    args = ["decide", str(EXAMPLE), "--dose-eur-per-resident", "300", "--out", str(out)]
    if option == "--dose-eur-per-resident":
        args[3] = value
    else:
        args += [option, value]
    assert main(args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and option in err[0] and message in err[0]
    assert not out.exists()


def test_a_missing_file_is_one_line(tmp_path, capsys):
    assert main(["decide", str(tmp_path / "nope.csv"), "--dose-eur-per-resident", "300",
                 "--out", str(tmp_path / "r")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope.csv: file not found" in err[0]


def test_errors_come_within_seconds_without_importing_pymc(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(_with_cell(2, "standard_error", "-1"))
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "analysis", "decide", str(bad),
         "--dose-eur-per-resident", "300", "--out", str(tmp_path / "r")],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    elapsed = time.perf_counter() - start
    assert proc.returncode == 1
    error_lines = [ln for ln in proc.stderr.splitlines() if not ln.startswith("import time:")]
    assert error_lines == ["error: bad.csv: row 2 (line 3), column 'standard_error': the "
                           "standard error must be > 0, got -1"]
    imported = {ln.split("|")[-1].strip() for ln in proc.stderr.splitlines()
                if ln.startswith("import time:")}
    assert "pymc" not in imported and "pytensor" not in imported
    assert elapsed < 10  # typically ~1.5 s; generous for a loaded machine
    assert not (tmp_path / "r").exists()


def test_a_threshold_that_is_not_a_number_is_one_line(tmp_path, capsys):
    assert main(["decide", "--dose-eur-per-resident", "300", "--threshold", "hoog",
                 "--out", str(tmp_path / "r")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: --threshold: expected a number (LBM 3.0 units), got 'hoog'"]


def test_a_fit_that_fails_the_gate_is_an_error_and_writes_nothing(tmp_path, capsys, monkeypatch):
    from analysis.inference.diagnostics import ConvergenceError
    from analysis.results import decision

    def failing(*args, **kwargs):
        raise ConvergenceError("decide: event study: the fit failed the convergence gate")

    monkeypatch.setattr(decision, "decide", failing)
    out = tmp_path / "report"
    assert main(["decide", str(EXAMPLE), "--dose-eur-per-resident", "300",
                 "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "error: decide: event study: the fit failed the convergence gate" in err
    assert "Traceback" not in err and not out.exists()


# --- python -m analysis decide: extrapolation beyond the 18 municipalities -------------------


def _failing_fit(monkeypatch):
    """Replace the fit by a gate failure, so a test sees what decide says before fitting."""
    from analysis.inference.diagnostics import ConvergenceError
    from analysis.results import decision

    def failing(*args, **kwargs):
        raise ConvergenceError("decide: event study: the fit failed the convergence gate")

    monkeypatch.setattr(decision, "decide", failing)


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("warning:")]


def test_a_municipality_outside_the_18_gives_one_warning_line_with_the_distance(
        tmp_path, capsys, monkeypatch):
    _failing_fit(monkeypatch)
    out = tmp_path / "report"
    assert main(["decide", "--dose-eur-per-resident", "1000", "--municipality", "Vaals",
                 "--out", str(out)]) == 1
    err = capsys.readouterr().err
    warnings = _warnings(err)
    assert len(warnings) == 1, err
    line = warnings[0]
    assert line.startswith("warning: extrapolation: Vaals: dose 1,000 EUR per resident is above")
    assert "residents 2016 " in line and "below the 18's range" in line
    assert "standardised distance to the nearest of the 18" in line and "Mahalanobis" in line
    assert "Traceback" not in err and not out.exists()


def test_a_dose_outside_the_fitted_range_warns_without_a_municipality(
        tmp_path, capsys, monkeypatch):
    _failing_fit(monkeypatch)
    assert main(["decide", "--dose-eur-per-resident", "50", "--out", str(tmp_path / "r")]) == 1
    warnings = _warnings(capsys.readouterr().err)
    assert len(warnings) == 1
    assert "dose 50 EUR per resident is below the fitted range" in warnings[0]
    assert "SD from the mean dose" in warnings[0]


def test_inputs_inside_the_range_give_no_warning(tmp_path, capsys, monkeypatch):
    _failing_fit(monkeypatch)
    assert main(["decide", "--dose-eur-per-resident", "300", "--municipality", "GM0855",
                 "--out", str(tmp_path / "r")]) == 1  # Tilburg: like the 18 on all three
    err = capsys.readouterr().err
    assert _warnings(err) == []
    assert "Tilburg: dose and covariates inside the range of the 18" in err


def test_an_unknown_municipality_is_one_line_before_anything_else(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["decide", str(EXAMPLE), "--dose-eur-per-resident", "300", "--municipality",
                 "Atlantis", "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("error: --municipality: 'Atlantis' is not a municipality of 2016")
    assert not out.exists()


def test_check_data_verifies_every_file(capsys):
    assert main(["check-data"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines and all(line.startswith("ok   ") for line in lines)


def test_the_machinery_commands_are_not_the_science_s(capsys):
    with pytest.raises(SystemExit):
        main(["build-report"])
    assert "invalid choice" in capsys.readouterr().err
