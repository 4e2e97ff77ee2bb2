"""The conclusions table pastes only numbers its chapters compute, and the page shows them."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from analysis.config import FINDINGS_DIR, ROOT
from bookkit.crossref import (
    defined_keys,
    defines_key,
    finding_value,
    format_like_glue,
    glue_references,
)

CONCLUSIONS = ROOT / "chapters" / "conclusions.md"
HTML_PAGE = ROOT / "_build" / "html" / "chapters" / "conclusions.html"


def _references():
    return glue_references(CONCLUSIONS.read_text(encoding="utf-8"))


def test_glue_references_parse_doc_key_and_format():
    text = ("a {glue:text}`/chapters/contact_evidence.md::pooled_d_lo:.2f` b "
            "{glue:text}`dispersal_integration.md::n_mto_subgroups:.0f` {glue:text}`local:.1f`")
    refs = glue_references(text)
    assert [(r.chapter, r.key, r.fmt) for r in refs] == [
        ("contact_evidence", "pooled_d_lo", ".2f"),
        ("dispersal_integration", "n_mto_subgroups", ".0f"),
    ]


CROSS_DOC_TEXT_ROLE = re.compile(r"\{glue:text\}`[^`]*::[^`]*`")


def _missing_format_spec(text: str) -> list[str]:
    """Cross-document ``{glue:text}`` roles without a format spec.

    myst-nb splits such a role at its last colon before it looks for ``::``, so
    ``/chapters/a.md::key`` is read as key ``/chapters/a.md:`` with format ``key`` and the build
    warns "No key ... found". Strings need ``:s``.
    """
    return [m[0] for m in CROSS_DOC_TEXT_ROLE.finditer(text)
            if not re.search(r"::[A-Za-z0-9_]+:[^`:]+`$", m[0])]


def test_a_cross_document_text_role_without_format_spec_is_caught():
    assert _missing_format_spec("{glue:text}`/chapters/a.md::claim`") == [
        "{glue:text}`/chapters/a.md::claim`"]
    assert _missing_format_spec("{glue:text}`/chapters/a.md::claim:s` "
                                "{glue:text}`../chapters/a.md::d:.2f`") == []


def test_every_cross_document_text_role_has_a_format_spec():
    pages = sorted((ROOT / "chapters").glob("*.md")) + sorted((ROOT / "book").glob("*.md"))
    missing = {page.name: found for page in pages
               if (found := _missing_format_spec(page.read_text(encoding="utf-8")))}
    assert not missing, f"add ':s' (text) or a number format to these roles: {missing}"


def test_defined_keys_expand_posterior_summaries_but_not_exact_values():
    source = ('findings.add("pooled_d", idata.posterior["mu"], "d")\n'
              "findings.add_probability('p_pos', x > 0, 'P')\n"
              'findings.add_value(\n    "n_studies", 27, "count")\n')
    assert defined_keys(source) == {
        "pooled_d", "pooled_d_sd", "pooled_d_lo", "pooled_d_hi",
        "p_pos", "p_pos_sd", "p_pos_lo", "p_pos_hi", "n_studies",
    }
    assert "n_studies_lo" not in defined_keys(source)


def test_f_string_finding_names_define_the_keys_their_loop_fills():
    source = ('for d in ("strict", "broad"):\n'
              '    findings.add(f"effect_{d}", draws, "effect")\n'
              '    findings.add_value(f"n_exposed_{d}", 3, "count")\n')
    assert defined_keys(source) == set()
    assert defines_key(source, "effect_broad")
    assert defines_key(source, "effect_strict_hi")
    assert defines_key(source, "n_exposed_strict")
    assert not defines_key(source, "pretrend_broad")


def test_finding_value_reads_means_bounds_and_exact_values():
    findings = {"chapter": "x", "findings": [
        {"name": "d", "mean": 0.4, "sd": 0.1, "hdi_low": 0.2, "hdi_high": 0.6},
        {"name": "n", "value": 27.0},
    ]}
    assert finding_value(findings, "d") == 0.4
    assert finding_value(findings, "d_lo") == 0.2
    assert finding_value(findings, "d_hi") == 0.6
    assert finding_value(findings, "n") == 27.0
    with pytest.raises(KeyError, match="x: no finding defines glue key 'n_lo'"):
        finding_value(findings, "n_lo")


def test_conclusions_cite_numbers_from_several_chapters():
    chapters = {r.chapter for r in _references()}
    assert len(_references()) >= 20
    assert {"contact_evidence", "dispersal_integration"} <= chapters


@pytest.mark.parametrize("ref", _references(), ids=lambda r: f"{r.chapter}::{r.key}")
def test_every_conclusions_number_is_a_finding_of_its_chapter(ref):
    source = ROOT / "chapters" / f"{ref.chapter}.md"
    assert source.is_file(), f"conclusions.md pastes from {source.name}, which does not exist"
    assert defines_key(source.read_text(encoding="utf-8"), ref.key), (
        f"conclusions.md pastes '{ref.key}' from {source.name}, but that chapter defines no "
        f"findings.add*('{ref.key.removesuffix('_lo').removesuffix('_hi')}', ...)"
    )


def _row(question: int) -> str:
    """The source of one row of the conclusions table (question 1-7)."""
    text = CONCLUSIONS.read_text(encoding="utf-8")
    start = text.index(f"* - {question}. ")
    end = text.find(f"* - {question + 1}. ", start)
    return text[start:end if end > 0 else text.index("```", start)]


@pytest.mark.parametrize(("question", "chapters"), [
    (2, {"wijkenaanpak_postcodes", "wijkenaanpak_wijken"}),
    (5, {"municipal_grants", "school_funding", "decision"}),
])
def test_questions_2_and_5_are_answered_with_the_real_intervention_chapters(question, chapters):
    cited = {r.chapter for r in glue_references(_row(question))}
    assert chapters <= cited
    assert "steering_instruments" not in cited  # its SIMULATED registry fit is gone


@pytest.mark.built_book
def test_no_conclusions_number_comes_from_a_simulated_finding():
    checked = 0
    for ref in _references():
        path = FINDINGS_DIR / f"{ref.chapter}.json"
        if not path.is_file():
            pytest.skip(f"{path.relative_to(ROOT)} missing; the book build writes it")
        records = {r["name"]: r for r in json.loads(path.read_text(encoding="utf-8"))["findings"]}
        base = next((k for k in (ref.key, ref.key.rsplit("_", 1)[0]) if k in records), None)
        assert base is not None, f"{ref.chapter}::{ref.key} not in {path.name}"
        assert records[base].get("data", "REAL") != "SIMULATED", f"{ref.chapter}::{ref.key}"
        assert not records[base].get("simulated", False), f"{ref.chapter}::{ref.key}"
        checked += 1
    assert checked == len(_references())


@pytest.mark.built_book
def test_rendered_conclusions_show_the_findings_files_numbers():
    if not HTML_PAGE.is_file():
        pytest.skip(f"{HTML_PAGE.relative_to(ROOT)} not built; run `nox -s book` first")
    text = html.unescape(re.sub(r"<[^>]+>", "", HTML_PAGE.read_text(encoding="utf-8")))
    checked = 0
    for ref in _references():
        path = FINDINGS_DIR / f"{ref.chapter}.json"
        if not path.is_file():
            pytest.skip(f"{path.relative_to(ROOT)} missing; the book build writes it")
        findings = json.loads(path.read_text(encoding="utf-8"))
        expected = format_like_glue(finding_value(findings, ref.key), ref.fmt, ref.dutch)
        assert expected in text, (
            f"conclusions.html does not show {ref.chapter}::{ref.key} = {expected} "
            f"(from {path.name}); rebuild the book"
        )
        checked += 1
    assert checked == len(_references())


@pytest.mark.built_book
def test_html_check_would_catch_a_wrong_number():
    """The HTML comparison can fail: a number no finding produces is absent from the page."""
    if not HTML_PAGE.is_file():
        pytest.skip(f"{HTML_PAGE.relative_to(ROOT)} not built; run `nox -s book` first")
    text = html.unescape(re.sub(r"<[^>]+>", "", HTML_PAGE.read_text(encoding="utf-8")))
    assert "123456.789" not in text


def test_rendered_value_check_uses_glue_formatting():
    assert format_like_glue(0.39312, ".2f") == "0.39"
    assert format_like_glue(27.0, ".0f") == "27"
    assert format_like_glue(415195.0, ",.0f", dutch=True) == "415.195"
    assert format_like_glue(-0.0104, ".3f", dutch=True) == "−0,010"
    assert Path(CONCLUSIONS).is_file()


def test_a_claim_key_stands_for_its_words():
    findings = {"chapter": "c", "findings": [
        {"name": "lower", "kind": "claim", "text": "both corrections are lower", "holds": True}]}
    assert format_like_glue(finding_value(findings, "lower"), "s") == "both corrections are lower"
