"""Tests for analysis.display.tables: the markdown repr that typesets notebook tables in the PDF."""

from __future__ import annotations

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from analysis.display.tables import dataframe_markdown, register_table_formats, styler_markdown


def _cells(markdown: str) -> list[list[str]]:
    """Parse a pipe table the way MyST (markdown-it with tables) does; return its cell texts."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    rows, row = [], None
    for tok in tokens:
        if tok.type == "tr_open":
            row = []
        elif tok.type == "inline" and row is not None:
            row.append("".join(child.content for child in tok.children or []))
        elif tok.type == "tr_close":
            rows.append(row)
            row = None
    return rows


@pytest.fixture
def findings_like() -> pd.DataFrame:
    return pd.DataFrame(
        {"description": ["mean effect | of contact", "P(mean > 0) with $x$ and *stars*"],
         "mean": [0.3871, 1.0], "n": [3, 40]},
        index=pd.Index(["pooled_d", "p_positive"], name="name"),
    )


def test_dataframe_markdown_is_a_table_with_the_data(findings_like):
    rows = _cells(dataframe_markdown(findings_like))
    assert rows[0] == ["name", "description", "mean", "n"]
    assert rows[1] == ["pooled_d", "mean effect | of contact", "0.3871", "3"]
    # markup characters in the data are text, not emphasis, math or extra columns
    assert rows[2] == ["p_positive", "P(mean > 0) with $x$ and *stars*", "1.0000", "40"]


def test_dataframe_markdown_numbers_right_aligned_text_left(findings_like):
    align = dataframe_markdown(findings_like).splitlines()[1]
    assert align == "| :--- | :--- | ---: | ---: |"


def test_dataframe_markdown_without_index_and_flattened_multiindex():
    frame = pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")]))
    rows = _cells(dataframe_markdown(frame, index=False))
    assert rows == [["a / x", "a / y"], ["1", "2"]]


def test_long_text_is_kept_whole_and_digests_can_wrap():
    digest = "0a7495f6d4d03a2cdd0b5090b99ea66e426e85862aab837b19290b55baa17c00"
    frame = pd.DataFrame({"meaning": ["log of the days between the contact and the prejudice "
                                      "measurement, per study"], "sha256": [digest]})
    rows = _cells(dataframe_markdown(frame, index=False))
    assert rows[1][0].endswith("per study")  # no console cut-off ("...") in a typeset table
    assert rows[1][1].split() == [digest[i:i + 16] for i in range(0, 64, 16)]


def test_long_tables_fall_back_to_plain_text():
    assert dataframe_markdown(pd.DataFrame({"x": range(61)})) is None
    assert dataframe_markdown(pd.DataFrame({"x": range(60)})) is not None


def test_styler_keeps_formats_caption_and_hidden_index(findings_like):
    styler = (findings_like.style.hide(axis="index").format({"mean": "{:.2f}"})
              .set_caption("Findings"))
    markdown = styler_markdown(styler)
    assert markdown.startswith("Findings\n\n")
    rows = _cells(markdown)
    assert rows[0] == ["description", "mean", "n"]
    assert rows[1][1:] == ["0.39", "3"]


def test_styler_index_name_moves_into_the_header(findings_like):
    rows = _cells(styler_markdown(findings_like.style.format({"mean": "{:.1f}"})))
    assert rows[0] == ["name", "description", "mean", "n"]
    assert rows[1][0] == "pooled_d"


def test_register_outside_ipython_is_a_no_op(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    # Another test in the same process (a kernel-less notebook run, say) may have left a shell
    # instance behind; "outside IPython" means no instance at all.
    monkeypatch.setattr(InteractiveShell, "_instance", None)
    assert register_table_formats() is False


def test_register_inside_ipython_adds_the_markdown_repr(findings_like):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        assert register_table_formats() is True
        data, _ = shell.display_formatter.format(findings_like)
        assert "text/html" in data  # the web book keeps pandas' HTML table
        assert data["text/markdown"] == dataframe_markdown(findings_like)
    finally:
        InteractiveShell.clear_instance()
