"""Write the example input of ``python -m analysis decide`` in data/examples/ (deterministic).

``own_evaluations_example.csv``: an ILLUSTRATIVE own-evaluations file (four made-up evaluated
areas with made-up estimates and standard errors, in Leefbaarometer 3.0 units). It shows the
format a municipality would use; it is **not data about any real municipality or area**.
``own_evaluations_example_excel_nl.csv``: the same table as a Dutch Excel export would save it
(semicolon separator, decimal comma, byte-order mark, CRLF, Windows-1252), which the command
reads to the same numbers.

Run: ``python scripts/make_examples.py``.
"""

from __future__ import annotations

from analysis.config import DATA_DIR
from analysis.io import write_atomic

COLUMNS = ["evaluation_id", "area", "effect", "standard_error", "note"]
ROWS = [
    ("ILL-01", "Illustratiewijk Noord", "0.021", "0.011", "made-up example row"),
    ("ILL-02", "Illustratiewijk Zuid", "0.008", "0.014", "made-up example row"),
    ("ILL-03", "Illustratiebuurt Oost", "0.015", "0.012", "made-up example row"),
    ("ILL-04", "Voorbeeldpark", "-0.004", "0.016", "made-up example row (café)"),
]


def comma_csv() -> str:
    """Return the example as a plain CSV: comma separator, decimal point, LF (UTF-8 on write)."""
    lines = [",".join(COLUMNS)] + [",".join(row) for row in ROWS]
    return "\n".join(lines) + "\n"


def dutch_excel_csv() -> bytes:
    """Return the same table as a Dutch Excel export: ``;``, decimal comma, BOM, CRLF, Windows-1252.

    Excel writes a BOM only for "CSV UTF-8"; a BOM before Windows-1252 bytes is what some
    tools produce after conversion, and the reader must cope with either.
    """
    lines = [";".join(COLUMNS)] + [
        ";".join(cell.replace(".", ",") if i in (2, 3) else cell for i, cell in enumerate(row))
        for row in ROWS
    ]
    return b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("cp1252")


def main() -> None:
    """Write both example files atomically."""
    out = DATA_DIR / "examples"
    out.mkdir(exist_ok=True)
    write_atomic(out / "own_evaluations_example.csv", comma_csv().encode("utf-8"))
    write_atomic(out / "own_evaluations_example_excel_nl.csv", dutch_excel_csv())


if __name__ == "__main__":
    main()
