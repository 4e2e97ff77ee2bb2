"""Releases of the book: the site folder ``site/vX.Y.Z/``, ``latest/`` and the version menu.

:func:`publish_release` copies a built book (HTML, PDF, findings) into ``site/v<version>/``
with a manifest and, from the second release on, a findings changelog against the previous
release (:func:`bookkit.compare.findings_changelog`); :func:`update_site_index` refreshes
``latest/``, ``switcher.json``, ``switcher.js`` and ``index.html``. A release is never
overwritten.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

from markdown_it import MarkdownIt

from analysis.config import ROOT
from analysis.io import write_atomic
from bookkit.compare import compare_findings, findings_changelog, load_findings
from bookkit.hashes import code_hashes, source_hashes
from bookkit.toc import toc_files
from bookkit.version import VERSION_PATTERN, version_stamp

PDF_NAME = "spreiding-en-integratie.pdf"
"""File name of the book's PDF, in ``_build/latex`` and in every release folder."""


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of an ``X.Y.Z`` version."""
    return tuple(int(p) for p in version.split("."))


def releases(site: Path) -> list[str]:
    """Return the versions released in ``site`` (folders ``vX.Y.Z``), oldest first."""
    found = [p.name[1:] for p in site.glob("v*")
             if p.is_dir() and VERSION_PATTERN.match(p.name[1:])]
    return sorted(found, key=version_key)


def publish_release(version: str, root: Path = ROOT, site: Path | None = None,
                    html_dir: Path | None = None, pdf: Path | None = None) -> Path:
    """Copy a built book into ``site/v<version>/`` and refresh ``latest/`` and the switcher.

    The release folder gets the HTML, the PDF (``spreiding-en-integratie.pdf``), the findings
    of the chapters in ``_toc.yml`` (``findings/*.json``), ``release.json`` (stamp and chapter
    source hashes) and, when an earlier release exists, ``changelog.html``/``changelog.md``
    against the newest earlier one. An existing release is never overwritten.

    Raises
    ------
    FileExistsError
        When ``site/v<version>`` exists.
    FileNotFoundError
        When the HTML, the PDF or the findings are missing.
    """
    if not VERSION_PATTERN.match(version):
        raise ValueError(f"version must look like X.Y.Z, got {version!r}")
    site = site or root / "site"
    html_dir = html_dir or root / "_build" / "html"
    pdf = pdf or root / "_build" / "latex" / PDF_NAME
    target = site / f"v{version}"
    if target.exists():
        raise FileExistsError(f"release {version} exists at {target}; releases are never "
                              "overwritten: choose a new version number")
    for needed in (html_dir / "index.html", pdf):
        if not needed.is_file():
            raise FileNotFoundError(f"{needed} is missing: build HTML and PDF first")
    chapters = {Path(f).name for f in toc_files(root / "_toc.yml")}
    findings = [p for p in sorted((root / "_build" / "findings").glob("*.json"))
                if p.stem in chapters]
    site.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".v{version}-", dir=site))
    try:
        shutil.copytree(html_dir, staging, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".buildinfo", "reports"))
        shutil.copy2(pdf, staging / PDF_NAME)
        (staging / "findings").mkdir()
        for path in findings:
            shutil.copy2(path, staging / "findings" / path.name)
        stamp = version_stamp(root)
        manifest = {**asdict(stamp), "version": version, "sources": source_hashes(root),
                    "code": code_hashes(root),
                    "pdf": PDF_NAME, "findings": [p.name for p in findings]}
        earlier = [v for v in releases(site) if version_key(v) < version_key(version)]
        if earlier:
            previous = earlier[-1]
            old_manifest = json.loads((site / f"v{previous}" / "release.json").read_text())
            text = findings_changelog(
                load_findings(site / f"v{previous}" / "findings"),
                load_findings(staging / "findings"), previous, version,
                old_manifest.get("sources"), manifest["sources"],
                (old_manifest.get("commit", "unknown"), stamp.commit),
                old_manifest.get("code"), manifest["code"])
            (staging / "changelog.md").write_text(text, encoding="utf-8")
            (staging / "changelog.html").write_text(
                anchor_moved_findings(markdown_page(text, f"Changes v{previous} to v{version}")),
                encoding="utf-8")
            manifest["changelog_since"] = previous
        (staging / "release.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        os.chmod(staging, 0o755)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    update_site_index(site)
    return target


def moved_findings(site: Path, versions: list[str]) -> dict[str, dict[str, list[str]]]:
    """Return the findings that moved in each release, by chapter, against the one before.

    A finding moved when the changelog lists it (``DIFFERS`` or ``varies`` in
    :func:`bookkit.compare.compare_findings`); the first release moved nothing. A page of an
    older release links to the changelogs of the later releases that moved its chapter, and a
    glued number of a moved finding links to its release's changelog (``provenance.js``).
    """
    out: dict[str, dict[str, list[str]]] = {}
    previous = None
    for v in versions:
        current = load_findings(site / f"v{v}" / "findings")
        rows = compare_findings(previous, current) if previous is not None else []
        moved: dict[str, set[str]] = {}
        for row in rows:
            if row.status in ("DIFFERS", "varies"):
                moved.setdefault(row.chapter, set()).add(row.name)
        out[v] = {chapter: sorted(names) for chapter, names in sorted(moved.items())}
        previous = current
    return out


def update_site_index(site: Path) -> None:
    """Rewrite ``latest/``, ``switcher.json``, ``switcher.js`` and ``index.html`` of ``site``.

    ``switcher.json`` follows pydata-sphinx-theme's format; ``switcher.js`` carries the same list
    plus each release's pages, PDF, changelog, the findings that moved in it by chapter
    (:func:`moved_findings`) and those chapters, and is what the book's version menu, the banner
    of an older release and the glued numbers' provenance load (a script works from
    ``file://``, a fetched JSON file does not).
    """
    versions = releases(site)
    if not versions:
        return
    newest = versions[-1]
    moved = moved_findings(site, versions)
    entries, menu = [], []
    for v in reversed(versions):
        manifest = json.loads((site / f"v{v}" / "release.json").read_text(encoding="utf-8"))
        entry = {"name": f"v{v}" + (" (latest)" if v == newest else ""), "version": v,
                 "url": f"../v{v}/"}
        if v == newest:
            entry["preferred"] = True
        entries.append(entry)
        pages = sorted(p.relative_to(site / f"v{v}").as_posix()
                       for p in (site / f"v{v}").rglob("*.html") if not p.name.startswith("_")
                       and "_static" not in p.parts)
        receipts = []
        for path in sorted((site / f"v{v}" / "receipts").glob("*.json")):
            receipt = json.loads(path.read_text(encoding="utf-8"))
            receipts.append({"file": f"receipts/{path.name}", "date": receipt["date"],
                             "cpu": receipt["platform"]["cpu"],
                             "verdict": receipt["summary"]["verdict"],
                             "max_abs_z": receipt["summary"]["max_abs_z"]})
        menu.append({"version": v, "pdf": manifest.get("pdf"), "date": manifest.get("date"),
                     "commit": manifest.get("commit"), "receipts": receipts,
                     "changelog": "changelog.html" if manifest.get("changelog_since") else None,
                     "moved_chapters": sorted(moved[v]), "moved_findings": moved[v],
                     "pages": pages})
    write_atomic(site / "switcher.json", (json.dumps(entries, indent=2) + "\n").encode("utf-8"))
    write_atomic(site / "switcher.js",
                 ("window.BOOK_RELEASES = " + json.dumps({"latest": newest, "releases": menu})
                  + ";\n").encode("utf-8"))
    write_atomic(site / "index.html",
                 b"<!DOCTYPE html><meta charset='utf-8'><meta http-equiv='refresh' "
                 b"content='0; url=latest/index.html'><a href='latest/index.html'>latest</a>\n")
    staging = Path(tempfile.mkdtemp(prefix=".latest-", dir=site))
    shutil.copytree(site / f"v{newest}", staging, dirs_exist_ok=True)
    os.chmod(staging, 0o755)
    old = site / "latest"
    if old.exists():
        trash = Path(tempfile.mkdtemp(prefix=".old-latest-", dir=site))
        os.replace(old, trash / "latest")
        os.replace(staging, old)
        shutil.rmtree(trash)
    else:
        os.replace(staging, old)



PAGE_STYLE = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
              "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em}")
"""CSS of :func:`markdown_page`."""


MOVED_ROW = re.compile(r"<tr>\n<td>([^<]+)</td>\n<td>([^<]+)</td>")
"""A row of the changelog's tables: its first cells are the chapter and the finding."""


def anchor_moved_findings(page: str) -> str:
    """Give every changelog row of a finding the id ``moved-<chapter>-<finding>``.

    A glued number of a finding that moved links there (``provenance.js``); the first row of a
    finding wins when it appears in more than one table.
    """
    seen: set[str] = set()

    def add_id(match: re.Match) -> str:
        anchor = f"moved-{match[1]}-{match[2]}"
        if anchor in seen or match[1] == "chapter":
            return match[0]
        seen.add(anchor)
        return f'<tr id="{html.escape(anchor, quote=True)}">' + match[0].removeprefix("<tr>")

    return MOVED_ROW.sub(add_id, page)


def markdown_page(markdown: str, title: str) -> str:
    """Render Markdown (the changelog: headings, bullets, pipe tables) as a standalone HTML page.

    CommonMark with GitHub's pipe tables (markdown-it-py); raw HTML in the text is escaped, not
    passed through. The page links back to the book's ``index.html``.
    """
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>"
            f"{html.escape(title)}</title><style>{PAGE_STYLE}</style></head><body>"
            + body + "<p><a href='index.html'>Back to the book</a></p></body></html>\n")
