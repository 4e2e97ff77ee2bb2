"""The one schema type of the book's data files and its validator.

:class:`Column` describes a column; :func:`read_csv_checked` reads a CSV file against a tuple of
them and fails with one :class:`DataError` that names the file, the row and the column.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from analysis.io import sha256_of

MISSING_TOKENS = frozenset({"", "na", "nan", "none", "null"})


class DataError(ValueError):
    """A data file is missing, altered or malformed; the message says where and what."""


@dataclass(frozen=True)
class Column:
    """One column of a data file's schema.

    Parameters
    ----------
    name : str
        Column name in the CSV header.
    kind : {"str", "int", "float"}
        Type the values must parse as.
    description : str
        What the column means (copied into ``data/datapackage.json``).
    unit : str, optional
        Unit of the values, if any.
    nullable : bool, default False
        Whether empty cells are allowed.
    minimum : float, optional
        Smallest allowed value (inclusive unless ``exclusive_minimum``).
    exclusive_minimum : bool, default False
        Treat ``minimum`` as a strict bound.
    pattern : str, optional
        Regular expression every (non-missing) string value must match in full.
    """

    name: str
    kind: Literal["str", "int", "float"]
    description: str
    unit: str = ""
    nullable: bool = False
    minimum: float | None = None
    exclusive_minimum: bool = False
    pattern: str | None = None


def read_csv_checked(
    path: Path,
    schema: tuple[Column, ...],
    *,
    expected_sha256: str | None = None,
) -> pd.DataFrame:
    """Read a CSV file and validate it against a schema.

    Parameters
    ----------
    path : Path
        The CSV file (UTF-8, comma-separated, header row).
    schema : tuple of Column
        The columns the file must have. Extra columns are kept as strings.
    expected_sha256 : str, optional
        If given, the file's sha256 must equal it.

    Returns
    -------
    pandas.DataFrame
        The data with schema columns converted to their kinds (``int`` columns with missing
        values become pandas' nullable ``Int64``).

    Raises
    ------
    DataError
        On a missing file, a checksum mismatch, a missing column, or the first bad cell, with
        ``"<file>: row R (line L), column 'C': ..."`` in the message. Rows count data rows from
        1; line L is the line in the file (the header is line 1).

    Examples
    --------
    >>> from analysis.data.schemas import CONTACT_STUDIES
    >>> df = read_csv_checked(DATA_DIR / "paluck2019_contact_studies.csv", CONTACT_STUDIES)
    >>> len(df)
    27
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    if expected_sha256 is not None:
        actual = sha256_of(path)
        if actual != expected_sha256:
            raise DataError(
                f"{path.name}: checksum mismatch: expected sha256 {expected_sha256}, got {actual}. "
                "The file differs from the one recorded in data/datapackage.json; restore it with "
                "`git checkout -- data/` or regenerate it with `python scripts/make_data.py`."
            )
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DataError(f"{path.name}: not a readable UTF-8 CSV file: {err}") from err

    missing = [col.name for col in schema if col.name not in raw.columns]
    if missing:
        raise DataError(
            f"{path.name}: missing column(s) {missing}; expected columns "
            f"{[col.name for col in schema]}"
        )
    out = raw.copy()
    for col in schema:
        out[col.name] = _convert_column(raw[col.name], col, path.name)
    return out


def check_codes(
    codes: pd.Series, known: set[str], *, source: str, column: str, what: str
) -> None:
    """Raise :class:`DataError` on the first code not in ``known``.

    Parameters
    ----------
    codes : pandas.Series
        Codes as read from the file (index = 0-based data row).
    known : set of str
        Allowed codes, e.g. the CBS municipality codes of 2024.
    source, column : str
        File name and column, for the message.
    what : str
        What the codes are, e.g. ``"municipality code"``.
    """
    unknown = ~codes.isin(known)
    if unknown.any():
        pos = int(np.flatnonzero(unknown.to_numpy())[0])
        raise DataError(
            f"{source}: {_where(pos, column)}: unknown {what} {codes.iloc[pos]!r}; "
            f"expected one of the {len(known)} known codes (e.g. {sorted(known)[:3]})"
        )


def _where(pos: int, column: str) -> str:
    """Format a 0-based data-row position as 'row R (line L), column 'C''."""
    return f"row {pos + 1} (line {pos + 2}), column '{column}'"


def _convert_column(values: pd.Series, col: Column, source: str) -> pd.Series:
    """Check and convert one column; raise on the first bad cell."""
    stripped = values.str.strip()
    is_missing = stripped.str.lower().isin(MISSING_TOKENS)
    if not col.nullable and is_missing.any():
        pos = int(np.flatnonzero(is_missing.to_numpy())[0])
        raise DataError(
            f"{source}: {_where(pos, col.name)}: missing value ({values.iloc[pos]!r}) where a "
            f"{col.kind} is required"
        )
    if col.kind == "str":
        if col.pattern is not None:
            bad = ~is_missing & ~stripped.str.fullmatch(col.pattern)
            if bad.any():
                pos = int(np.flatnonzero(bad.to_numpy())[0])
                raise DataError(
                    f"{source}: {_where(pos, col.name)}: {stripped.iloc[pos]!r} does not match "
                    f"the pattern {col.pattern!r}"
                )
        return stripped.where(~is_missing, None)

    numbers = pd.to_numeric(stripped.where(~is_missing), errors="coerce")
    bad = ~is_missing & numbers.isna()
    if col.kind == "int":
        bad |= ~is_missing & numbers.notna() & (numbers != np.round(numbers))
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{source}: {_where(pos, col.name)}: expected {_KIND_WORD[col.kind]}, "
            f"got {values.iloc[pos]!r}"
        )
    if col.minimum is not None:
        too_small = numbers <= col.minimum if col.exclusive_minimum else numbers < col.minimum
        too_small &= ~is_missing
        if too_small.any():
            pos = int(np.flatnonzero(too_small.to_numpy())[0])
            relation = ">" if col.exclusive_minimum else ">="
            raise DataError(
                f"{source}: {_where(pos, col.name)}: {col.description.split(';')[0]} must be "
                f"{relation} {col.minimum:g}, got {numbers.iloc[pos]:g}"
            )
    if col.kind == "int":
        return numbers.astype("Int64")
    return numbers.astype(float)


_KIND_WORD = {"int": "an integer", "float": "a number"}
