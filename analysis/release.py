"""Releases of the book: version stamp, citation, findings comparison, reproduction, site folder.

The comparison functions are pure (records in, rows out) and carry the reproduction rule: two
posterior summaries agree when ``|mean1 - mean2| <= k * sqrt(mcse1**2 + mcse2**2)`` (``k = 4``),
exact numbers (``value`` findings) when they agree to a relative ``1e-9``. The rest of the module
executes the chapters of ``_toc.yml`` into a separate folder and assembles ``site/vX.Y.Z/``.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import platform
import re
import shutil
import subprocess
import tempfile
import tomllib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from analysis.config import ROOT

K_MCSE = 4.0
"""Agreement band of posterior summaries, in combined Monte Carlo standard errors."""

RTOL_VALUE = 1e-9
"""Relative tolerance of exact (``value``) findings."""

PDF_NAME = "spreiding-en-integratie.pdf"
"""File name of the book's PDF, in ``_build/latex`` and in every release folder."""

VERSION_PATTERN = re.compile(r"^\d+\.\d+\.\d+$")


# --------------------------------------------------------------------------- version stamp


@dataclass(frozen=True)
class Stamp:
    """What identifies one build of the book: version, commit and build date."""

    version: str
    commit: str
    date: str

    def text(self) -> str:
        """Return the one-line stamp shown in the HTML footer and on the PDF title page."""
        return f"Version {self.version} · commit {self.commit} · built {self.date}"


def read_version(root: Path = ROOT) -> str:
    """Return ``project.version`` of ``pyproject.toml`` under ``root``."""
    with open(root / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["version"]


def git_commit(root: Path = ROOT) -> str:
    """Return the short commit hash of ``root`` (``+dirty`` when tracked files changed).

    Returns ``"unknown"`` outside a git work tree or without git.
    """
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "diff", "--quiet", "HEAD", "--"], capture_output=True
        ).returncode != 0
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def version_stamp(root: Path = ROOT) -> Stamp:
    """Return the build's :class:`Stamp`.

    The version is ``BOOK_VERSION`` when set (``nox -s release -- X.Y.Z`` sets it), else
    ``pyproject.toml``'s; the date is ``SOURCE_DATE_EPOCH`` when set, else today (UTC).
    """
    version = os.environ.get("BOOK_VERSION") or read_version(root)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return Stamp(version=version, commit=git_commit(root), date=when.date().isoformat())


# --------------------------------------------------------------------------- citation

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


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Comparison:
    """One finding compared between a reference and a candidate run."""

    chapter: str
    name: str
    kind: str  # "posterior", "value" (exact), "monte_carlo", "timing" or "claim"
    reference: float | None
    candidate: float | None
    diff: float | None
    tolerance: float | None
    status: str  # "ok", "DIFFERS", "MISSING" (absent in candidate), "new" (absent in reference),
    # "varies" (a Monte Carlo value without MCSE that changed: reported, not gated) or "info"
    # (a timing: never compared)

    @property
    def failed(self) -> bool:
        """True when the candidate disagrees with or lacks a reference finding."""
        return self.status in ("DIFFERS", "MISSING")


def load_findings(folder: Path) -> dict[str, dict[str, dict]]:
    """Read every ``<chapter>.json`` of ``folder`` into ``{chapter: {name: record}}``."""
    out: dict[str, dict[str, dict]] = {}
    for path in sorted(Path(folder).glob("*.json")):
        payload = json.loads(path.read_text(encoding="utf-8"))
        try:
            out[payload.get("chapter", path.stem)] = {r["name"]: r for r in payload["findings"]}
        except (KeyError, TypeError) as err:
            raise ValueError(f"{path}: not a findings file (need 'findings': [{{'name': ...}}])") \
                from err
    return out


def mcse_tolerance(reference: dict, candidate: dict, k: float = K_MCSE) -> float:
    """Return ``k * sqrt(mcse_ref**2 + mcse_cand**2)`` of two posterior-summary records."""
    return k * math.hypot(float(reference["mcse_mean"]), float(candidate["mcse_mean"]))


def compare_record(chapter: str, reference: dict, candidate: dict, k: float = K_MCSE,
                   rtol: float = RTOL_VALUE) -> Comparison:
    """Compare one finding; posterior summaries by MCSE, exact values by relative tolerance.

    A claim (a statement of direction or count, :meth:`analysis.report.Findings.add_claim`)
    reproduces when it holds in both runs with the same words; its numbers are the claim's own
    (1 holds, 0 fails), the values it was computed from are Monte Carlo and not compared.
    """
    if reference.get("kind") == "claim":
        ref, cand = _centre(reference), _centre(candidate)
        same = candidate.get("kind") == "claim" and candidate.get("text") == reference.get("text")
        ok = same and ref == cand == 1.0
        return Comparison(chapter, reference["name"], "claim", ref, cand, cand - ref, 0.0,
                          "ok" if ok else "DIFFERS")
    if "value" in reference:
        ref, cand = float(reference["value"]), float(candidate.get("value", math.nan))
        tol = rtol * max(abs(ref), abs(cand), 1e-300)
        kind = reference.get("kind") or candidate.get("kind") or "value"
    else:
        ref, cand = float(reference["mean"]), float(candidate.get("mean", math.nan))
        tol = mcse_tolerance(reference, candidate, k) if "mcse_mean" in candidate else math.nan
        kind = "posterior"
    diff = cand - ref
    ok = abs(diff) <= tol  # False when anything is NaN
    # A changed Monte Carlo value without MCSE is reported, a changed timing only shown.
    otherwise = {"monte_carlo": "varies", "timing": "info"}.get(kind, "DIFFERS")
    return Comparison(chapter, reference["name"], kind, ref, cand, diff, tol,
                      "ok" if ok else otherwise)


def compare_findings(reference: dict[str, dict[str, dict]], candidate: dict[str, dict[str, dict]],
                     k: float = K_MCSE, rtol: float = RTOL_VALUE) -> list[Comparison]:
    """Compare every finding of ``reference`` with ``candidate`` (both from :func:`load_findings`).

    Parameters
    ----------
    reference, candidate : dict
        ``{chapter: {name: record}}``.
    k : float, default 4
        Width of the agreement band of posterior means in combined MCSEs.
    rtol : float, default 1e-9
        Relative tolerance of exact values.

    Returns
    -------
    list of Comparison
        One row per finding in either run; a finding only in ``reference`` is ``MISSING``
        (a failure), one only in ``candidate`` is ``new`` (reported, not a failure).

    Examples
    --------
    >>> ref = {"ch": {"mu": {"name": "mu", "mean": 0.30, "mcse_mean": 0.002}}}
    >>> cand = {"ch": {"mu": {"name": "mu", "mean": 0.31, "mcse_mean": 0.002}}}
    >>> compare_findings(ref, cand)[0].status
    'DIFFERS'
    """
    rows: list[Comparison] = []
    for chapter in sorted(set(reference) | set(candidate)):
        ref_ch, cand_ch = reference.get(chapter, {}), candidate.get(chapter, {})
        for name in sorted(set(ref_ch) | set(cand_ch)):
            if name not in cand_ch:
                rec = ref_ch[name]
                rows.append(Comparison(chapter, name, _kind(rec), _centre(rec), None, None, None,
                                       "MISSING"))
            elif name not in ref_ch:
                rec = cand_ch[name]
                rows.append(Comparison(chapter, name, _kind(rec), None, _centre(rec), None, None,
                                       "new"))
            else:
                rows.append(compare_record(chapter, ref_ch[name], cand_ch[name], k, rtol))
    return rows


def format_comparison(rows: list[Comparison]) -> str:
    """Return the comparison as a fixed-width text table with a closing verdict line."""
    header = (f"{'chapter':<24} {'finding':<22} {'kind':<9} {'reference':>12} {'reproduced':>12} "
              f"{'diff':>10} {'tolerance':>10}  status")
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(f"{r.chapter:<24} {r.name:<22} {r.kind:<9} {_num(r.reference):>12} "
                     f"{_num(r.candidate):>12} {_num(r.diff, '.2e'):>10} "
                     f"{_num(r.tolerance, '.2e'):>10}  {r.status}")
    failed = sum(r.failed for r in rows)
    varied = sum(r.status == "varies" for r in rows)
    lines.append(f"{len(rows)} findings, {failed} disagreeing or missing"
                 + (f", {varied} Monte Carlo values without MCSE changed (not gated)"
                    if varied else "") + ": "
                 + ("REPRODUCED" if not failed else "NOT REPRODUCED"))
    return "\n".join(lines)


def _kind(record: dict) -> str:
    """'claim' for claims, 'value' for exact numbers, else 'posterior'."""
    if record.get("kind") == "claim":
        return "claim"
    return "value" if "value" in record else "posterior"


def _centre(record: dict) -> float:
    """Return the number a finding states: its value or posterior mean (a claim: 1 if it holds)."""
    if record.get("kind") == "claim":
        return 1.0 if record.get("holds") is True else 0.0
    return float(record["value"] if "value" in record else record["mean"])


def _num(x: float | None, fmt: str = ".6g") -> str:
    """Format a number for the table; '-' for None."""
    return "-" if x is None else format(x, fmt)


# --------------------------------------------------------------------------- changelog


def findings_changelog(old: dict[str, dict[str, dict]], new: dict[str, dict[str, dict]],
                       old_version: str, new_version: str,
                       old_sources: dict[str, str] | None = None,
                       new_sources: dict[str, str] | None = None,
                       commits: tuple[str, str] | None = None,
                       old_code: dict[str, str] | None = None,
                       new_code: dict[str, str] | None = None) -> str:
    """Return a Markdown changelog of findings, chapters and code between two releases.

    A posterior finding *moved* when its mean changed by more than the MCSE band; the shift is
    given in posterior SDs of the older release. ``*_sources`` map chapter files to sha256 (from
    each release's ``release.json``) and show which chapters' sources changed; ``*_code`` do the
    same for the model code, data files and pins (:func:`code_hashes`), when both are given.
    """
    rows = compare_findings(old, new)
    lines = [f"# Changes in findings: v{old_version} → v{new_version}", ""]
    if commits:
        lines += [f"Built from commit `{commits[0]}` and commit `{commits[1]}`.", ""]
    moved = [r for r in rows if r.status in ("DIFFERS", "varies")]
    lines += ["## Findings that moved", ""]
    if moved:
        lines += ["| chapter | finding | v" + old_version + " | v" + new_version
                  + " | change | change in posterior SDs |", "|---|---|---|---|---|---|"]
        for r in moved:
            sd = old[r.chapter][r.name].get("sd")
            in_sd = (f"{r.diff / sd:+.2f}" if r.kind == "posterior" and sd
                     else "Monte Carlo value (no MCSE)" if r.kind == "monte_carlo"
                     else "exact value")
            lines.append(f"| {r.chapter} | {r.name} | {r.reference:.4g} | {r.candidate:.4g} "
                         f"| {r.diff:+.4g} | {in_sd} |")
    else:
        lines.append("No finding moved beyond its Monte Carlo error.")
    same = sum(r.status == "ok" for r in rows)
    lines += ["", f"{same} findings agree within 4 combined MCSEs (or exactly, for counts)."]
    timings = [r.name for r in rows if r.kind == "timing"]
    if timings:
        lines += ["", "Timings are not compared (they measure the machine): "
                  + ", ".join(f"`{t}`" for t in timings) + "."]
    added = [r for r in rows if r.status == "new"]
    removed = [r for r in rows if r.status == "MISSING"]
    lines += ["", "## Findings added or removed", ""]
    lines += [f"- added: {r.chapter} / {r.name} = {r.candidate:.4g}" for r in added]
    lines += [f"- removed: {r.chapter} / {r.name} (was {r.reference:.4g})" for r in removed]
    if not added and not removed:
        lines.append("None.")
    lines += ["", "## Chapters", ""]
    old_sources, new_sources = old_sources or {}, new_sources or {}
    chapter_lines = _file_changes(old_sources, new_sources)
    lines += chapter_lines or ["No chapter source changed."]
    if old_code is not None and new_code is not None:
        lines += ["", "## Code, data and environment", ""]
        lines += _file_changes(old_code, new_code) or [
            "No file of `analysis/`, `data/`, `book/_ext/`, `requirements.txt` or "
            "`_config.yml` changed."]
    return "\n".join(lines) + "\n"


def _file_changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """Markdown list items for files added, removed or changed between two hash maps."""
    return ([f"- added: `{f}`" for f in sorted(set(new) - set(old))]
            + [f"- removed: `{f}`" for f in sorted(set(old) - set(new))]
            + [f"- changed: `{f}`" for f in sorted(set(old) & set(new)) if old[f] != new[f]])


def markdown_page(markdown: str, title: str) -> str:
    """Wrap the changelog's simple Markdown (headings, bullets, pipe tables) in an HTML page."""
    body: list[str] = []
    in_table = False
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("|"):
            if set(line) <= set("|-"):
                continue
            tag = "td" if in_table else "th"
            if not in_table:
                body.append("<table>")
                in_table = True
            body.append("<tr>" + "".join(f"<{tag}>{_inline(c)}</{tag}>" for c in cells) + "</tr>")
            continue
        if in_table:
            body.append("</table>")
            in_table = False
        if line.startswith("## "):
            body.append(f"<h2>{_inline(line[3:])}</h2>")
        elif line.startswith("# "):
            body.append(f"<h1>{_inline(line[2:])}</h1>")
        elif line.startswith("- "):
            body.append(f"<li>{_inline(line[2:])}</li>")
        elif line:
            body.append(f"<p>{_inline(line)}</p>")
    if in_table:
        body.append("</table>")
    style = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em}")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>"
            f"{html.escape(title)}</title><style>{style}</style></head><body>"
            + "\n".join(body) + "<p><a href='index.html'>Back to the book</a></p></body></html>\n")


def _inline(text: str) -> str:
    """Escape text and render `code` spans."""
    return re.sub(r"`([^`]*)`", r"<code>\1</code>", html.escape(text))


# --------------------------------------------------------------------------- the book's files


def toc_files(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """Return every file named in a Jupyter Book ``_toc.yml`` (root first), without suffix."""
    toc = yaml.safe_load(Path(toc_path).read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key, []))

    walk(toc.get("parts", []) + toc.get("chapters", []))
    return files


def notebook_sources(root: Path = ROOT) -> list[Path]:
    """Return the executable chapters of the book: toc files that are Jupyter notebooks.

    A ``.ipynb`` file, or a MyST text file whose front matter declares a ``kernelspec``.
    """
    out = []
    for stem in toc_files(root / "_toc.yml"):
        for suffix in (".ipynb", ".md"):
            path = root / (stem + suffix)
            if path.is_file() and (suffix == ".ipynb" or _is_myst_notebook(path)):
                out.append(path)
                break
    return out


def _is_myst_notebook(path: Path) -> bool:
    """Tell whether a Markdown file's YAML front matter has a kernelspec."""
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n", text, re.DOTALL)
    return bool(match) and "kernelspec" in (yaml.safe_load(match.group(1)) or {})


def source_hashes(root: Path = ROOT) -> dict[str, str]:
    """Return sha256 of every toc file's source (``chapters/x.md`` → hash)."""
    out = {}
    for stem in toc_files(root / "_toc.yml"):
        for suffix in (".md", ".ipynb", ".rst"):
            path = root / (stem + suffix)
            if path.is_file():
                out[stem + suffix] = hashlib.sha256(path.read_bytes()).hexdigest()
                break
    return out


CODE_PATTERNS = ("analysis/**/*.py", "data/**/*", "book/_ext/*.py", "requirements.txt",
                 "_config.yml")
"""Files besides the chapters whose change can move a finding (models, data, pins, settings)."""


def code_hashes(root: Path = ROOT) -> dict[str, str]:
    """Return sha256 of every file matching :data:`CODE_PATTERNS` (``analysis/x.py`` → hash)."""
    out = {}
    for pattern in CODE_PATTERNS:
        for path in sorted(root.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                out[path.relative_to(root).as_posix()] = hashlib.sha256(
                    path.read_bytes()).hexdigest()
    return dict(sorted(out.items()))


def execute_chapters(root: Path, out_dir: Path, timeout: int = 900) -> dict[str, float]:
    """Execute every notebook chapter of ``root`` afresh (no cache), findings into ``out_dir``.

    Each chapter runs in a new kernel whose working directory is the chapter's folder (as
    MyST-NB runs it); ``BOOK_FINDINGS_DIR`` points :class:`analysis.report.Findings` at
    ``out_dir / "findings"`` and ``BOOK_FIT_DIR`` points the shared-fit cache at the empty
    ``out_dir / "fits"``, so no fit of an earlier build is reused. Executed notebooks are saved
    to ``out_dir / "notebooks"``.

    Returns
    -------
    dict
        Execution seconds per chapter file.
    """
    import time

    import jupytext
    import nbformat
    from nbclient import NotebookClient

    findings_dir = out_dir / "findings"
    findings_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "notebooks").mkdir(exist_ok=True)
    previous = os.environ.get("BOOK_FINDINGS_DIR")
    previous_fits = os.environ.get("BOOK_FIT_DIR")
    os.environ["BOOK_FINDINGS_DIR"] = str(findings_dir)
    fit_dir = out_dir / "fits"  # an empty folder of its own: every shared fit is sampled again
    shutil.rmtree(fit_dir, ignore_errors=True)
    os.environ["BOOK_FIT_DIR"] = str(fit_dir)
    seconds = {}
    try:
        for path in notebook_sources(root):
            start = time.perf_counter()
            nb = jupytext.read(path)
            client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                    resources={"metadata": {"path": str(path.parent)}})
            client.execute()
            rel = path.relative_to(root).with_suffix(".ipynb")
            nbformat.write(nb, out_dir / "notebooks" / rel.as_posix().replace("/", "__"))
            key = path.relative_to(root).as_posix()
            seconds[key] = time.perf_counter() - start
            written = findings_dir / f"{path.stem}.json"
            fits = (json.loads(written.read_text(encoding="utf-8")).get("fits") or []
                    if written.is_file() else [])
            used = "; ".join(f"fit {f['name']} {f['source']}" for f in fits)
            print(f"executed {key} in {seconds[key]:.1f} s" + (f" ({used})" if used else ""),
                  flush=True)
    finally:
        for name, value in (("BOOK_FINDINGS_DIR", previous), ("BOOK_FIT_DIR", previous_fits)):
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return seconds


def reproduce(root: Path = ROOT, release: str | None = None, site: Path | None = None,
              work: Path | None = None) -> int:
    """Re-execute every chapter and compare its findings with a release's (or the last build's).

    Returns 0 when every finding is reproduced, 1 otherwise; prints the comparison table.
    """
    site = site or root / "site"
    if release:
        reference_dir = site / f"v{release}" / "findings"
        if not reference_dir.is_dir():
            available = ", ".join(sorted(p.name for p in site.glob("v*"))) or "none"
            print(f"no release {release}: {reference_dir} does not exist (releases: {available})")
            return 2
    else:
        reference_dir = root / "_build" / "findings"
        if not any(reference_dir.glob("*.json")):
            print(f"no findings in {reference_dir}: build the book first (nox -s book)")
            return 2
    work = work or root / "_build" / "reproduce"
    shutil.rmtree(work, ignore_errors=True)
    seconds = execute_chapters(root, work)
    rows = compare_findings(load_findings(reference_dir), load_findings(work / "findings"))
    print(f"reference: {reference_dir}\nreproduced: {work / 'findings'}")
    print(format_comparison(rows))
    receipt = reproduction_receipt(rows, root, reference_dir, work / "findings", release, seconds)
    target = work / "receipt.json"
    _write_atomic(target, json.dumps(receipt, indent=2) + "\n")
    print(f"receipt: {target}")
    if release:  # a release keeps every receipt it has been checked against
        kept = site / f"v{release}" / "receipts"
        kept.mkdir(exist_ok=True)
        name = f"{receipt['date'][:19].replace(':', '')}-{receipt['platform']['node_hash']}.json"
        shutil.copy2(target, kept / name)
        update_site_index(site)
    return 1 if any(r.failed for r in rows) or not rows else 0


def _cpu_model() -> str:
    """Return the CPU model name (Linux ``/proc/cpuinfo``), else :func:`platform.processor`."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def z_score(row: Comparison, reference: dict, candidate: dict) -> float | None:
    """Return Δ / √(MCSE₁² + MCSE₂²) of a posterior finding both runs give an MCSE for."""
    if row.diff is None or "mcse_mean" not in reference or "mcse_mean" not in candidate:
        return None
    scale = math.hypot(float(reference["mcse_mean"]), float(candidate["mcse_mean"]))
    return row.diff / scale if scale > 0 else (0.0 if row.diff == 0 else math.inf)


def reproduction_receipt(rows: list[Comparison], root: Path, reference_dir: Path,
                         candidate_dir: Path, release: str | None,
                         seconds: dict[str, float] | None = None) -> dict:
    """Return the machine-readable receipt of a reproduction run.

    It records the platform (CPU, OS, Python), the sha256 of the pinned environment
    (``requirements.txt``), of every data file and of the code, the date, the fits each chapter
    sampled or loaded, and per finding Δ with, where both runs give an MCSE,
    z = Δ/√(MCSE₁²+MCSE₂²); exact values get their relative difference; Monte Carlo values
    without MCSE are listed, not scored. Telling Monte Carlo noise from a real change needs
    these numbers; hashing the inputs alone cannot.
    """
    reference, candidate = load_findings(reference_dir), load_findings(candidate_dir)
    requirements = root / "requirements.txt"
    datapackage = root / "data" / "datapackage.json"
    data = ({r["name"]: r.get("sha256") for r in json.loads(datapackage.read_text())["resources"]}
            if datapackage.is_file() else {})
    fits = {}
    for path in sorted(Path(candidate_dir).glob("*.json")):
        used = json.loads(path.read_text(encoding="utf-8")).get("fits") or []
        if used:
            fits[path.stem] = used
    findings, zs = [], []
    for row in rows:
        entry = {"chapter": row.chapter, "name": row.name, "kind": row.kind,
                 "reference": row.reference, "reproduced": row.candidate, "delta": row.diff,
                 "status": row.status}
        ref = reference.get(row.chapter, {}).get(row.name, {})
        cand = candidate.get(row.chapter, {}).get(row.name, {})
        if row.kind == "posterior":
            entry["z"] = z_score(row, ref, cand)
            if entry["z"] is not None and math.isfinite(entry["z"]):
                zs.append(abs(entry["z"]))
        elif row.kind == "value" and row.diff is not None and row.reference is not None:
            entry["relative_difference"] = abs(row.diff) / max(abs(row.reference), 1e-300)
        findings.append(entry)
    node = platform.node().encode()
    return {
        "receipt": "reproduction",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "release": release,
        "reference": str(reference_dir),
        "platform": {"os": platform.platform(), "machine": platform.machine(),
                     "cpu": _cpu_model(), "cores": os.cpu_count(),
                     "python": platform.python_version(),
                     "node_hash": hashlib.sha256(node).hexdigest()[:8]},
        "environment_sha256": (hashlib.sha256(requirements.read_bytes()).hexdigest()
                               if requirements.is_file() else None),
        "data_sha256": data,
        "code_sha256": code_hashes(root),
        "execution_seconds": seconds or {},
        "fits": fits,
        "summary": {"findings": len(rows), "failed": sum(r.failed for r in rows),
                    "max_abs_z": max(zs) if zs else None,
                    "verdict": "REPRODUCED" if rows and not any(r.failed for r in rows)
                    else "NOT REPRODUCED"},
        "findings": findings,
    }


# --------------------------------------------------------------------------- the site folder


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
                markdown_page(text, f"Changes v{previous} to v{version}"), encoding="utf-8")
            manifest["changelog_since"] = previous
        (staging / "release.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        os.chmod(staging, 0o755)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    update_site_index(site)
    return target


def update_site_index(site: Path) -> None:
    """Rewrite ``latest/``, ``switcher.json``, ``switcher.js`` and ``index.html`` of ``site``.

    ``switcher.json`` follows pydata-sphinx-theme's format; ``switcher.js`` carries the same list
    plus each release's pages, PDF and changelog, and is what the book's version menu loads (a
    script works from ``file://``, a fetched JSON file does not).
    """
    versions = releases(site)
    if not versions:
        return
    newest = versions[-1]
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
                     "pages": pages})
    _write_atomic(site / "switcher.json", json.dumps(entries, indent=2) + "\n")
    _write_atomic(site / "switcher.js",
                  "window.BOOK_RELEASES = " + json.dumps({"latest": newest, "releases": menu})
                  + ";\n")
    _write_atomic(site / "index.html",
                  "<!DOCTYPE html><meta charset='utf-8'><meta http-equiv='refresh' "
                  "content='0; url=latest/index.html'><a href='latest/index.html'>latest</a>\n")
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


def _write_atomic(path: Path, text: str) -> None:
    """Write text through a temporary file and os.replace."""
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False,
                                     encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, path)


# --------------------------------------------------------------------------- command line


def add_commands(commands: object) -> None:
    """Add ``reproduce``, ``compare-findings`` and ``publish-release`` to an argparse subparser."""
    sub = commands.add_parser("reproduce", help="re-execute every chapter and check findings")
    sub.add_argument("--release", help="compare with site/vX.Y.Z/findings (default: _build)")
    sub.set_defaults(run=lambda a: reproduce(ROOT, a.release))
    sub = commands.add_parser("compare-findings", help="compare two folders of findings files")
    sub.add_argument("reference", type=Path)
    sub.add_argument("candidate", type=Path)
    sub.set_defaults(run=_compare_command)
    sub = commands.add_parser("publish-release", help="copy the built book into site/vX.Y.Z")
    sub.add_argument("version")
    sub.set_defaults(run=_publish_command)


def _compare_command(args: object) -> int:
    """CLI: print the comparison of two findings folders; 1 on disagreement."""
    rows = compare_findings(load_findings(args.reference), load_findings(args.candidate))
    print(format_comparison(rows))
    return 1 if any(r.failed for r in rows) or not rows else 0


def _publish_command(args: object) -> int:
    """CLI: publish the built book as release ``args.version``."""
    try:
        target = publish_release(args.version)
    except (FileExistsError, FileNotFoundError, ValueError) as err:
        print(f"error: {err}")
        return 1
    print(f"published {target}")
    return 0
