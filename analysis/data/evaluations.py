"""A municipality's own evaluations of an area programme: reading and validation (no PyMC).

``python -m analysis decide OWN_EVALUATIONS.csv ...`` updates the book's predictive
distribution of a programme's liveability effect with a municipality's own estimates
(:mod:`analysis.results.decision`). This module reads and checks that file *before* anything
heavy is imported, so every problem is reported within a second or two as one line naming the file,
the row and the column, and nothing is written.

File format
-----------
One row per evaluated area, a header row, and the columns

``evaluation_id``
    A unique label of the evaluation (text; duplicates are refused, naming both rows).
``area``
    The evaluated area (text, e.g. a wijk or a postcode list).
``effect``
    The municipality's own estimate of the programme's effect on the area's Leefbaarometer 3.0
    score (LBM 3.0 units, positive = more liveable), e.g. a difference-in-differences against
    comparable areas of the same municipality. ``|effect| > 1`` is refused as implausible: the
    whole spread of postcode scores is about 0.12 units (SD) and the national mean rose 0.057
    from 2002 to 2022.
``standard_error``
    Its standard error (LBM 3.0 units, finite and > 0).

Other columns are kept as text and ignored. Two encodings of the same table are read:

* the plain CSV: comma separator, decimal point, UTF-8;
* a **Dutch Excel export** ("CSV (puntkomma gescheiden)"): semicolon separator, decimal comma,
  often a byte-order mark, CRLF line ends and Windows-1252 instead of UTF-8.

:func:`read_evaluations` detects separator, decimal mark, encoding, BOM and line ends, and says
which format it read (:attr:`Evaluations.format`); both give the same numbers.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.data.validate import MISSING_TOKENS, DataError

REQUIRED_COLUMNS = ("evaluation_id", "area", "effect", "standard_error")
"""Columns an own-evaluations file must have (in any order)."""

NUMERIC_COLUMNS = ("effect", "standard_error")
"""Columns that must hold numbers."""

MAX_ABS_EFFECT = 1.0
"""Largest plausible |effect| in LBM 3.0 units (about eight SDs of the postcode scores)."""

MAX_BYTES = 5_000_000
"""Larger files are refused: an evaluations file has one row per evaluated area."""

_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class Evaluations:
    """A validated own-evaluations file.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per evaluation: ``evaluation_id``, ``area`` (str), ``effect``,
        ``standard_error`` (float), plus any extra columns as text; index 0..n-1 in file order.
    source : str
        The file's name (for messages and the report).
    format : str
        What was read, e.g. ``"comma-separated, decimal point, UTF-8, LF"`` or
        ``"Dutch Excel (semicolon-separated, decimal comma, Windows-1252, BOM, CRLF)"``.
    """

    frame: pd.DataFrame
    source: str
    format: str

    @property
    def n(self) -> int:
        """Number of evaluations."""
        return len(self.frame)


def _decode(raw: bytes, name: str) -> tuple[str, str, bool]:
    """Return the text, the encoding's name and whether a UTF-8 BOM was present."""
    bom = raw.startswith(b"\xef\xbb\xbf")
    if bom:
        raw = raw[3:]
    if b"\x00" in raw:
        raise DataError(f"{name}: line 1: not a text file (it contains NUL bytes); save the "
                        "table as CSV (comma- or semicolon-separated)")
    try:
        return raw.decode("utf-8"), "UTF-8", bom
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise DataError(f"{name}: line {line}: neither UTF-8 nor Windows-1252 text (byte "
                        f"{raw[err.start]:#04x}); save the table as CSV UTF-8") from err
    return text, "Windows-1252", bom


def _separator(header: str) -> str:
    """Return the separator of a header line: ``;`` (Dutch Excel), tab, else comma."""
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def _parse_number(text: str, decimal_comma: bool) -> float | None:
    """Parse a number cell; None if it is not a number (decimal comma only if allowed)."""
    cell = text.strip().replace("\u00a0", "").replace(" ", "")
    low = cell.lower()
    if low in ("inf", "+inf", "infinity", "+infinity"):
        return math.inf
    if low in ("-inf", "-infinity"):
        return -math.inf
    if not _NUMBER.fullmatch(cell):
        return None
    if "," in cell:
        if not decimal_comma:
            return None
        cell = cell.replace(",", ".")
    return float(cell)


def read_evaluations(path: Path | str) -> Evaluations:
    """Read and validate a municipality's own evaluations (comma CSV or Dutch Excel CSV).

    Parameters
    ----------
    path : Path or str
        The CSV file (see the module docstring for the columns).

    Returns
    -------
    Evaluations
        The validated table, the file name and the detected format.

    Raises
    ------
    analysis.data.DataError
        With one line ``"<file>: row R (line L), column 'C': <problem>"`` (or ``line L`` for
        file-level problems) for: a missing, empty or binary file, a header without data rows,
        a missing column, a row with too many or too few cells, a missing or empty cell, text
        where a number belongs, an effect that is not finite or implausibly large
        (``|effect| > 1`` LBM unit), a standard error that is not finite or not > 0, and
        duplicate ``evaluation_id`` values (naming both rows). Rows count data rows from 1;
        line L is the line in the file (the header is line 1).

    Examples
    --------
    >>> from analysis.config import DATA_DIR
    >>> ev = read_evaluations(DATA_DIR / "examples" / "own_evaluations_example.csv")
    >>> ev.n, ev.format
    (4, 'comma-separated, decimal point, UTF-8, LF')
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise DataError(f"{name}: line 1: file of {size:,} bytes is too large for a table of "
                        f"evaluations (limit {MAX_BYTES:,}); one row per evaluated area")
    raw = path.read_bytes()
    text, encoding, bom = _decode(raw, name)
    crlf = "\r\n" in text
    if not text.strip():
        raise DataError(f"{name}: line 1: the file is empty; expected a header with the columns "
                        f"{list(REQUIRED_COLUMNS)} and one row per evaluated area")
    if text.lstrip().startswith("<"):
        raise DataError(f"{name}: line 1: this is an HTML or XML page, not a CSV table; save "
                        "the table itself as CSV")
    header_line = text.splitlines()[0]
    sep = _separator(header_line)
    decimal_comma = sep == ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as err:
        raise DataError(f"{name}: line 1: unreadable header ({err})") from err
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        detected = {",": "comma", ";": "semicolon", "\t": "tab"}[sep]
        raise DataError(
            f"{name}: line 1 (header): missing column(s) {missing}; found {header} with the "
            f"{detected} as separator; expected the columns {list(REQUIRED_COLUMNS)}"
        )
    duplicated = sorted({h for h in header if header.count(h) > 1 and h})
    if duplicated:
        raise DataError(f"{name}: line 1 (header): column(s) {duplicated} appear more than once")
    position = {c: header.index(c) for c in header}
    records: list[dict[str, object]] = []
    lines: list[int] = []
    seen: dict[str, tuple[int, int]] = {}
    try:
        for row_values in reader:
            line = reader.line_num
            if not any(v.strip() for v in row_values):
                continue  # blank line (Excel often adds one at the end)
            row = len(records) + 1
            where = f"{name}: row {row} (line {line})"
            if len(row_values) != len(header):
                raise DataError(
                    f"{where}: {len(row_values)} cells but the header has {len(header)}; "
                    f"check the separator ('{sep}') and quotes in that row"
                )
            record: dict[str, object] = {}
            for column in header:
                cell = row_values[position[column]]
                record[column] = _check_cell(cell, column, where, decimal_comma)
            key = str(record["evaluation_id"])
            if key in seen:
                first_row, first_line = seen[key]
                raise DataError(
                    f"{where}, column 'evaluation_id': duplicate id {key!r}, already used in "
                    f"row {first_row} (line {first_line}); each evaluation needs its own id"
                )
            seen[key] = (row, line)
            records.append(record)
            lines.append(line)
    except csv.Error as err:
        raise DataError(f"{name}: line {reader.line_num}: unreadable CSV ({err})") from err
    if not records:
        raise DataError(f"{name}: line 2: only a header, no data rows; add one row per "
                        "evaluated area")
    frame = pd.DataFrame.from_records(records, columns=header)
    for column in NUMERIC_COLUMNS:
        frame[column] = frame[column].astype(float)
    ordered = list(REQUIRED_COLUMNS) + [c for c in header if c not in REQUIRED_COLUMNS and c]
    frame = frame[ordered]
    ends = "CRLF" if crlf else "LF"
    if sep == ";":
        fmt = (f"Dutch Excel (semicolon-separated, decimal comma, {encoding}"
               f"{', BOM' if bom else ''}, {ends})")
    else:
        sep_word = "comma" if sep == "," else "tab"
        fmt = f"{sep_word}-separated, decimal point, {encoding}{', BOM' if bom else ''}, {ends}"
    return Evaluations(frame=frame, source=name, format=fmt)


def _check_cell(cell: str, column: str, where: str, decimal_comma: bool) -> object:
    """Validate one cell of a known column; return its value (text for other columns)."""
    stripped = cell.strip()
    required = column in REQUIRED_COLUMNS
    if required and stripped.lower() in MISSING_TOKENS:
        kind = "a number" if column in NUMERIC_COLUMNS else "a value"
        raise DataError(f"{where}, column '{column}': missing value ({cell!r}) where {kind} "
                        "is required")
    if column not in NUMERIC_COLUMNS:
        return stripped
    value = _parse_number(stripped, decimal_comma)
    if value is None:
        hint = (" (a decimal comma is read only in a semicolon-separated file)"
                if "," in stripped and not decimal_comma else "")
        raise DataError(f"{where}, column '{column}': expected a number, got {cell!r}{hint}")
    if column == "effect":
        if not math.isfinite(value):
            raise DataError(f"{where}, column 'effect': the effect must be a finite number, got "
                            f"{cell!r}")
        if abs(value) > MAX_ABS_EFFECT:
            raise DataError(
                f"{where}, column 'effect': {value:g} LBM 3.0 units is implausible (|effect| > "
                f"{MAX_ABS_EFFECT:g}; postcode scores have an SD of about 0.12); give the effect "
                "in Leefbaarometer 3.0 units, not in classes, percent or SDs"
            )
    else:  # standard_error
        if not math.isfinite(value):
            raise DataError(f"{where}, column 'standard_error': the standard error must be a "
                            f"finite number, got {cell!r}")
        if value <= 0:
            raise DataError(f"{where}, column 'standard_error': the standard error must be > 0, "
                            f"got {value:g}")
    return value
