"""Citation: CITATION.cff is valid, no invented address, BibTeX and APA carry the build stamp."""

from __future__ import annotations

import json

import pytest

from analysis.config import ROOT
from bookkit.citation import (
    chapter_citation_strings,
    citation_strings,
    load_cff,
    repository_url,
    validate_cff,
)
from bookkit.version import Stamp, read_version


def test_citation_cff_is_valid_and_matches_package_version():
    cff = load_cff(ROOT / "CITATION.cff")
    assert str(cff["version"]) == read_version(ROOT)
    zenodo = json.loads((ROOT / ".zenodo.json").read_text())
    assert zenodo["version"] == read_version(ROOT)
    assert zenodo["title"] == cff["title"]


def test_no_invented_repository_address_while_the_setting_is_unset():
    """The address is one setting (CITATION.cff repository-code); unset, nothing prints one."""
    cff = load_cff(ROOT / "CITATION.cff")
    url = repository_url(cff)
    zenodo = (ROOT / ".zenodo.json").read_text()
    config = (ROOT / "_config.yml").read_text()
    assert "github.com" not in config and "repository:" not in config
    if not url:
        assert "http" not in zenodo
        strings = citation_strings(cff, Stamp("0.1.0", "abc1234", "2026-12-02"))
        assert "http" not in strings["apa"] + strings["bibtex"]
    else:
        assert url in zenodo


def test_repository_setting_must_be_an_address():
    assert repository_url({}) == ""
    with pytest.raises(ValueError, match="repository-code must be an https:// address"):
        repository_url({"repository-code": "github.com/x"})


def test_cff_validation_names_each_problem():
    problems = validate_cff({"cff-version": "1.1.0", "title": "x", "message": "m",
                             "authors": [{"given-names": "Ann"}], "date-released": "23-11-2026"})
    assert "cff-version must be '1.2.0', got '1.1.0'" in problems
    assert "authors[0] needs 'name' or 'family-names' and 'given-names'" in problems
    assert "date-released must be YYYY-MM-DD, got '23-11-2026'" in problems
    assert "missing required key 'authors'" in validate_cff({"cff-version": "1.2.0",
                                                              "title": "x", "message": "m"})


def test_citation_strings_carry_the_build_stamp():
    cff = {"title": "A Book", "repository-code": "https://example.org/repo",
           "authors": [{"family-names": "Jansen", "given-names": "Anna Maria"},
                       {"name": "Team X"}]}
    strings = citation_strings(cff, Stamp("0.2.0", "abc1234", "2026-11-23"))
    assert strings["apa"] == ("Jansen, A. M., & Team X (2026). *A Book* (Version 0.2.0) "
                              "[Computer software]. https://example.org/repo")
    assert strings["bibtex"].startswith("@book{jansen2026v020,")
    assert "author = {Jansen, Anna Maria and {Team X}}" in strings["bibtex"]
    assert "note = {Commit abc1234, built 2026-11-23}" in strings["bibtex"]


def test_chapter_citation_cites_the_chapter_within_the_versioned_book():
    cff = {"title": "A Book", "repository-code": "https://example.org/repo",
           "authors": [{"family-names": "Jansen", "given-names": "Anna Maria"}]}
    strings = chapter_citation_strings(cff, Stamp("0.2.0", "abc1234", "2026-11-23"),
                                       "Is it {concentrated}?", "chapters/concentration")
    assert strings["apa"] == ("Jansen, A. M. (2026). Is it concentrated? In *A Book* "
                              "(Version 0.2.0). https://example.org/repo")
    assert strings["bibtex"].startswith("@incollection{jansen2026v020_concentration,")
    for field in ("title = {Is it concentrated?}", "booktitle = {A Book}", "version = {0.2.0}",
                  "note = {Commit abc1234, built 2026-11-23}", "url = {https://example.org/repo}"):
        assert field in strings["bibtex"]
    assert strings["bibtex"].count("title = ") == 2  # the chapter's and the book's (booktitle)

