"""How to cite the book: ``CITATION.cff`` read and validated, BibTeX and APA strings of a build.

``CITATION.cff`` is the one source of the book's title, authors and repository address; the
version, commit and year of a citation come from the build's :class:`bookkit.version.Stamp`.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from analysis.config import ROOT
from bookkit.version import VERSION_PATTERN, Stamp

CFF_REQUIRED = ("cff-version", "message", "title", "authors")


def validate_cff(cff: dict) -> list[str]:
    """Return the problems of a CITATION.cff mapping against CFF 1.2.0's core rules (empty: valid).

    Checks the required keys, ``cff-version: 1.2.0``, that every author has ``family-names`` +
    ``given-names`` or ``name``, the ``type``, a ``date-released`` of the form YYYY-MM-DD and a
    semantic ``version``.
    """
    problems = [f"missing required key {key!r}" for key in CFF_REQUIRED if key not in cff]
    if cff.get("cff-version") != "1.2.0":
        problems.append(f"cff-version must be '1.2.0', got {cff.get('cff-version')!r}")
    authors = cff.get("authors") or []
    if not isinstance(authors, list) or not authors:
        problems.append("authors must be a non-empty list")
    else:
        for i, author in enumerate(authors):
            if not isinstance(author, dict) or not (
                "name" in author or {"family-names", "given-names"} <= set(author)
            ):
                problems.append(f"authors[{i}] needs 'name' or 'family-names' and 'given-names'")
    if cff.get("type", "software") not in ("software", "dataset"):
        problems.append(f"type must be 'software' or 'dataset', got {cff.get('type')!r}")
    released = str(cff.get("date-released", "2000-01-01"))
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", released):
        problems.append(f"date-released must be YYYY-MM-DD, got {released!r}")
    if "version" in cff and not VERSION_PATTERN.match(str(cff["version"])):
        problems.append(f"version must be X.Y.Z, got {cff['version']!r}")
    return problems


def load_cff(path: Path = ROOT / "CITATION.cff") -> dict:
    """Read and validate ``CITATION.cff``; raise ``ValueError`` naming the file and problems."""
    cff = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = validate_cff(cff if isinstance(cff, dict) else {})
    if problems:
        raise ValueError(f"{path.name}: " + "; ".join(problems))
    return cff


def _author_names(cff: dict) -> list[tuple[str, str]]:
    """(family, given) of each author; organisations as (name, "")."""
    return [
        (a["name"], "") if "name" in a else (a["family-names"], a["given-names"])
        for a in cff["authors"]
    ]


def repository_url(cff: dict) -> str:
    """Return the book's public repository address: ``repository-code`` of CITATION.cff, or "".

    This is the one setting for the address; it is unset (empty) until the repository is
    published, and then no page, citation or metadata file may print an address.

    Raises
    ------
    ValueError
        If the setting is present but not an ``https://`` address.
    """
    url = str(cff.get("repository-code") or "").strip()
    if url and not re.match(r"https://[^\s/]+/\S+$", url):
        raise ValueError(f"CITATION.cff: repository-code must be an https:// address, got {url!r}")
    return url


def citation_strings(cff: dict, stamp: Stamp) -> dict[str, str]:
    """Return BibTeX and APA citations of this build, from ``CITATION.cff`` and the stamp.

    The version, commit and year come from ``stamp`` (the build), everything else from ``cff``.

    Returns
    -------
    dict
        ``{"bibtex": ..., "apa": ...}``.
    """
    year = stamp.date[:4]
    names = _author_names(cff)
    bib_authors = " and ".join(f"{{{f}}}" if not g else f"{f}, {g}" for f, g in names)
    key = re.sub(r"\W", "", names[0][0].split()[-1].lower() + year + "v" + stamp.version)
    url = cff.get("url") or repository_url(cff)
    fields = [
        ("title", f"{{{cff['title']}}}"),
        ("author", f"{{{bib_authors}}}"),
        ("year", f"{{{year}}}"),
        ("version", f"{{{stamp.version}}}"),
        ("note", f"{{Commit {stamp.commit}, built {stamp.date}}}"),
    ]
    if url:
        fields.append(("url", f"{{{url}}}"))
    if cff.get("doi"):
        fields.append(("doi", f"{{{cff['doi']}}}"))
    bibtex = f"@book{{{key},\n" + ",\n".join(f"  {k} = {v}" for k, v in fields) + "\n}"

    def apa_name(family: str, given: str) -> str:
        initials = " ".join(part[0] + "." for part in given.split())
        return f"{family}, {initials}" if given else family

    apa_list = [apa_name(f, g) for f, g in names]
    authors = (apa_list[0] if len(apa_list) == 1
               else ", ".join(apa_list[:-1]) + ", & " + apa_list[-1])
    apa = f"{authors} ({year}). *{cff['title']}* (Version {stamp.version}) [Computer software]."
    apa += f" https://doi.org/{cff['doi']}" if cff.get("doi") else (f" {url}" if url else "")
    return {"bibtex": bibtex, "apa": apa}


def chapter_citation_strings(cff: dict, stamp: Stamp, chapter_title: str, page: str
                             ) -> dict[str, str]:
    """Return BibTeX (``@incollection``) and APA citations of one chapter of this build.

    Parameters
    ----------
    cff : dict
        ``CITATION.cff``, read by :func:`load_cff`.
    stamp : Stamp
        The build's version, commit and date.
    chapter_title : str
        The chapter's title as the page shows it.
    page : str
        The chapter's page in the book (``chapters/concentration``), the key's suffix.

    Returns
    -------
    dict
        ``{"bibtex": ..., "apa": ...}``; the book's entry (:func:`citation_strings`) with the
        chapter as the cited part.
    """
    book = citation_strings(cff, stamp)
    key = re.sub(r"\W", "", book["bibtex"].split("{", 1)[1].split(",", 1)[0] + "_"
                 + page.rsplit("/", 1)[-1])
    fields = [line.strip() for line in book["bibtex"].splitlines()[1:-1]]
    fields = [f.rstrip(",") for f in fields if not f.startswith("title")]
    chapter = chapter_title.replace("{", "").replace("}", "")
    bibtex = (f"@incollection{{{key},\n  title = {{{chapter}}},\n"
              f"  booktitle = {{{cff['title']}}},\n  "
              + ",\n  ".join(fields) + "\n}")
    authors, rest = book["apa"].split(" (", 1)
    year, after = rest.split(")", 1)
    stop = "" if chapter.rstrip()[-1:] in ".?!" else "."
    book_part = after.removeprefix(".").strip().replace(" [Computer software]", "")
    apa = f"{authors} ({year}). {chapter}{stop} In {book_part}"
    return {"bibtex": bibtex, "apa": apa}
