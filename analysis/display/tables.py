"""Tables that read well in the PDF as well as in the HTML book.

A notebook shows a pandas table as HTML in the web book, but Sphinx's LaTeX builder cannot use
HTML: myst-nb falls back to the ``text/plain`` repr, which wraps wide tables into unreadable
column blocks. :func:`register_table_formats` gives DataFrames (and Stylers) a ``text/markdown``
repr as well. The HTML builder still prefers ``text/html``; the LaTeX builder prefers markdown
over plain text and turns the pipe table into a real typeset table.
"""

from __future__ import annotations

import re

import pandas as pd
from IPython import get_ipython
from pandas.io.formats.style import Styler

_ESCAPE = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|$#"})


_LONG_HEX = re.compile(r"\b[0-9a-f]{33,}\b")


def _group_hex(match: re.Match[str]) -> str:
    """Split a long hex digest (sha256) into space-separated groups of 16 so it can wrap."""
    digest = match.group(0)
    return " ".join(digest[i:i + 16] for i in range(0, len(digest), 16))


def _cell(value: object) -> str:
    """Return one cell as markdown-escaped, single-line text.

    Long hexadecimal digests are written in groups of 16 digits: a 64-digit sha256 has no
    break point and would run off the page in a typeset table.
    """
    text = "" if value is None else str(value)
    return _LONG_HEX.sub(_group_hex, " ".join(text.split())).translate(_ESCAPE)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _label(value: object) -> str:
    """Return a row or column label as text; tuples (MultiIndex) are joined with " / "."""
    if isinstance(value, tuple):
        return " / ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _formatted_column(column: pd.Series) -> list[str]:
    """Format column values the way pandas prints them (common decimals for floats).

    Text is kept whole: pandas' ``display.max_colwidth`` cut-off is for the console, while a
    typeset table wraps long text inside its column.
    """
    if not pd.api.types.is_numeric_dtype(column.dtype):
        return ["NaN" if v is None or (isinstance(v, float) and v != v) else str(v)
                for v in column]
    if not len(column):
        return []
    # pandas' own column formatting (common decimals), through its public API
    text = pd.Series(column.to_numpy()).to_string(index=False, na_rep="NaN")
    return [s.strip() for s in text.split("\n")]


def dataframe_markdown(frame: pd.DataFrame, *, index: bool = True,
                       max_rows: int = 60) -> str | None:
    """Render ``frame`` as a MyST pipe table, or ``None`` when it is too large to typeset.

    Parameters
    ----------
    frame
        The table. A MultiIndex on rows or columns is flattened into " / "-joined labels.
    index
        Include the row index as the first column.
    max_rows
        Tables longer than this return ``None`` and fall back to plain text in the PDF.

    Returns
    -------
    str or None
        The pipe table, cells escaped so that no markup in the data is interpreted.
    """
    if len(frame) > max_rows or frame.shape[1] == 0:
        return None
    columns = [_formatted_column(frame.iloc[:, j]) for j in range(frame.shape[1])]
    header = [_cell(_label(c)) for c in frame.columns]
    align = ["---:" if pd.api.types.is_numeric_dtype(frame.dtypes.iloc[j]) else ":---"
             for j in range(frame.shape[1])]
    rows = [[_cell(col[i]) for col in columns] for i in range(len(frame))]
    if index:
        name = _label(frame.index.name if frame.index.nlevels == 1 else frame.index.names)
        header = [_cell(name) or " "] + header
        align = [":---"] + align
        rows = [[_cell(_label(label))] + row for label, row in zip(frame.index, rows, strict=True)]
    lines = [_row(header), _row(align)] + [_row(r) for r in rows]
    return "\n".join(lines) + "\n"


def styler_markdown(styler: Styler) -> str | None:
    """Render a pandas ``Styler`` as a pipe table, keeping its number formats and hidden index."""
    delimiter = "\x1f"
    text = styler.to_string(delimiter=delimiter)
    lines = [line.split(delimiter) for line in text.rstrip("\n").split("\n")]
    if len(lines) < 2 or len({len(line) for line in lines}) != 1:
        return None  # multi-row headers or ragged output: leave it to plain text
    if len(lines) - 1 > 60:
        return None
    header, body = lines[0], lines[1:]
    if body and not header[0].strip() and not any(c.strip() for c in body[0][1:]):
        header[0], body = body[0][0], body[1:]  # the index name sits on its own header row
    align = [":---"] * len(header)
    table = [_row([_cell(h) or " " for h in header]), _row(align)]
    table += [_row([_cell(c) for c in row]) for row in body]
    caption = f"{_cell(styler.caption)}\n\n" if isinstance(styler.caption, str) else ""
    return caption + "\n".join(table) + "\n"


def register_table_formats() -> bool:
    """Give DataFrames and Stylers a ``text/markdown`` repr in the running IPython kernel.

    Returns ``True`` when registered, ``False`` outside IPython (plain Python, tests).
    """
    shell = get_ipython()
    if shell is None:
        return False
    formatter = shell.display_formatter.formatters["text/markdown"]
    formatter.for_type(pd.DataFrame, dataframe_markdown)
    formatter.for_type(Styler, styler_markdown)
    return True
