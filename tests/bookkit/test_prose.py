"""Tests for bookkit.prose: no typed number in the book's prose."""

from __future__ import annotations

import re

from analysis import config
from analysis.inference import diagnostics, workflow
from bookkit.prose import ALLOWED, book_pages, main, typed_numbers


def test_book_prose_has_no_typed_number():
    found = [str(t) for p in book_pages() for t in typed_numbers(p.read_text("utf-8"), str(p))]
    assert not found, "typed numbers in prose (glue them):\n" + "\n".join(found)


def test_a_planted_typed_number_fails(tmp_path, capsys):
    page = tmp_path / "planted.md"
    page.write_text("---\nx: 1\n---\n# Title\n\nThe {glue:text}`n:.0f` studies of 2019 show\n"
                    "a pooled effect of 0.39 standard deviations.\n", encoding="utf-8")
    assert main([str(page)]) == 1
    assert "planted.md:7: typed number '0.39'" in capsys.readouterr().out


def test_glued_code_math_and_references_pass():
    source = (
        "```{code-cell} ipython3\nx = 27\n```\n\n(ch-a)=\n# A\n\n"
        "The $\\theta_1$ of {glue:text}`n:.0f` studies in `data/x_2.csv` (question 3, "
        "equation 2) from 2002–2022; see {numref}`fig-3` and [here](https://x.org/7).\n"
        "\n```{figure} a.png\n:width: 90%\n:name: fig-3\nCaption with 12 typed.\n```\n"
    )
    found = typed_numbers(source)
    assert [t.number for t in found] == ["12"]
    assert found[0].line == 13


def test_a_sentence_with_a_citation_may_quote_its_source():
    text = "About 400 measures were reviewed {cite:p}`gijsberts2007interventies`. We fit 400."
    assert [t.number for t in typed_numbers(text)] == ["400"]


def test_number_split_across_lines_is_seen_whole():
    found = typed_numbers("The effect of 0.\n\nThe pooled effect is\n0.39 in 27 trials.\n")
    assert [t.number for t in found] == ["0", "0.39", "27"]


def test_rule_constants_the_allow_list_names_are_the_codes():
    """The allow-list lets the prose state rules; these must be the values the code applies."""
    assert config.CI_PROB == 0.94
    assert (diagnostics.RHAT_MAX, diagnostics.ESS_MIN) == (1.01, 400)
    assert workflow.PARETO_K_MAX == 0.7
    assert workflow.SENSITIVITY_THRESHOLD == 0.05


def test_every_allowed_pattern_compiles_and_says_why():
    for pattern, reason in ALLOWED.items():
        re.compile(pattern)
        assert len(reason) > 10
