"""Find numbers typed into the prose of the book instead of glued from a computation.

Every number a reader sees in a chapter's text must come from a cell (``{glue:text}`` roles), so
that a change in the data or the model changes the page. :func:`typed_numbers` strips what is not
prose (front matter, code cells, math, roles, inline code, links, labels, directive options) and
reports every remaining digit that is not allowed: years, numbered references ("question 3",
"section 2", "equation 1"), version names and the short list :data:`ALLOWED` whose entries each
say why they are allowed.

Run ``python -m bookkit.prose [FILE ...]`` to list the typed numbers of the book's pages (all of
``chapters/*.md`` and ``book/*.md`` by default); it exits 1 when there is one.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("chapters/*.md", "book/*.md")
"""The pages whose prose is checked."""

ALLOWED: dict[str, str] = {
    # pattern (regular expression over prose) -> why the number may be typed
    r"\b(?:1[89]|20)\d\d(?:[–-](?:1[89]|20)?\d\d)?s?\b": "a year or a range of years",
    r"\b(?:19|20)\d\d[ab]\b": "a citation year with a letter (2019a)",
    r"\b\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December|januari|februari|maart|april|mei|juni|juli|augustus|september|"
    r"oktober|november|december)\b": "a calendar date (1 January 2024)",
    r"\b(?:[Qq]uestions?|[Vv]ra(?:ag|gen)|[Ss]ections?|[Cc]hapters?|[Hh]oofdstuk|[Ee]quations?|"
    r"[Ss]teps?|[Ss]cenarios?|[Pp]arts?|[Tt]ables?|[Ff]igures?|[Aa]ppendix|[Tt]iers?|"
    r"[Cc]lass(?:es)?|[Kk]lassen?|[Oo]ptions?|[Aa]nnex|[Bb]ijlage|[Vv]ersions?|[Rr]ules?|Q)"
    r"\s*\d+(?:\.\d+)?(?:\s*(?:,|–|-|and|to|en|or|of|tot)\s*\d+(?:\.\d+)?)*":
        "a numbered reference or label (question 3, section 2, classes 1–2, scenario 2)",
    r"^\s*\(\d\)|\s\(\d\)\s": "an enumeration marker: (1), (2)",
    r"\bLeefbaarometer\s+[23]\.0\b|\bLBM\s*[23]\b": "the name of a Leefbaarometer version",
    r"\b\d{4}(?:/\d{4})+\b|\bpostcodes?\s+\d{4}\b": "four-digit postcodes (identifiers)",
    r"\b40\s+(?:\S+\s+){0,2}?(?:\*?krachtwijk|\*?[Vv]ogelaar|wijk|target|priority|deprived|"
    r"districts|neighbourhoods)|\bthe official 40\b|\b18\s+(?:\S+\s+)?(?:municipalit|"
    r"gemeenten|programme)|(?:of|the) 18\b":
        "the fixed list of the wijkenaanpak: 40 wijken in 18 municipalities (tests/test_treatment)",
    r"\b0 (?:or|and|to|en|of|tot) 1\b|\b1 (?:or|of) 0\b|\[0, 1\]|\b0/1\b|\b[01]\s*=|=\s*1\b|"
    r"\bnear 0\.5\b|\brond 0,5\b":
        "the ends or middle of a probability or index scale (0 = even, 1 = complete)",
    r"\b94\s*%": "the book's credible-interval level (analysis.config.CI_PROB; test_prose ties it)",
    r"\b(?:R-hat\s*(?:<|below|under)\s*1\.01|(?:ESS|size)\s*(?:≥|of at least|at least)\s*400|"
    r"(?:at )?least 400\b|E-BFMI\s*(?:≥|of at least)?\s*0\.3|at least 0\.3|below 1\.01|"
    r"gate's 1\.01)": "a convergence gate (analysis.inference.diagnostics; test_prose ties it)",
    r"(?:Pareto\s*\$?k\$?|k)\s*(?:>|above|exceeds|of at most|at most|is at most)\s*0\.7|"
    r"above 0\.7|at most 0\.7": "the Pareto-k rule (analysis.inference.workflow.PARETO_K_MAX)",
    r"(?:above|threshold of|the) 0\.05\b(?= (?:a quantity|threshold|\())|above 0\.05\)":
        "the prior-sensitivity threshold (analysis.inference.workflow.SENSITIVITY_THRESHOLD)",
    r"0\.025\s*(?:–|-|to)\s*0\.975":
        "the posterior predictive p-value band (analysis.inference.workflow)",
    r"\b[Pp]ython\s*3(?:\.\d+)?\b|\bJupyter Book\s*[12]\b|\bPyMC\s*\d\b|Windows-1252|UTF-8":
        "a software version or an encoding name",
    r"\bCC\s+BY(?:-[A-Z]+)*\s+\d\.\d\b|\bCC0\b": "a licence name",
    r"\b[A-Za-z]+\d[A-Za-z\d]*\b": "an identifier with digits (a citation key, PC4, G4, log10)",
    r"\b0\.2\b.{0,40}\b0\.5\b.{0,20}\b0\.8\b": "Cohen's conventions for small, medium, large d",
}
"""Why a typed number may stay: a year, a reference number, a version or a name."""

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*(?P<info>[^\n]*)$")
_DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<!\\)\$[^$\n]+?\$")
_ROLE_KEEP_CITE = re.compile(r"\{(?!cite)[A-Za-z:_-]+\}`[^`]*`")
_CITE = re.compile(r"\{cite(?::[a-z]+)?\}`[^`]*`")
_SENTENCE = re.compile(r"[^.!?;]*(?:[.!?;](?=\s|$)|$)")
_INLINE_CODE = re.compile(r"`+[^`]*`+")
_LINK_TARGET = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|https?://\S+")
_LABEL = re.compile(r"^\s*\([A-Za-z0-9_:.-]+\)=\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_OPTION = re.compile(r"^\s*:(?!alt:|caption:)[A-Za-z_-]+:.*$")
_DIGIT = re.compile(r"\d+(?:[.,]\d+)*")
_HTML_ENTITY = re.compile(r"&#?\w+;")
_LIST_MARKER = re.compile(r"^(\s*(?:\*\s+)?(?:-\s+)?)\d+\.(?=\s)")
"""A numbered-list marker, also inside a list-table row (``* - 1. Why ...``)."""
_FOOTNOTE = re.compile(r"\[\^[^\]]+\]")
_PROSE_DIRECTIVES = {"note", "warning", "admonition", "important", "tip", "caution", "attention",
                     "seealso", "figure", "glue:figure", "epigraph", "margin", "sidebar",
                     "dropdown", "hint", "topic", "table", "list-table", "glossary"}
"""Directives whose body readers see as text (code cells, math and raw blocks are skipped)."""


@dataclass(frozen=True)
class TypedNumber:
    """A digit in prose that is not glued: where it is and the text around it."""

    path: str
    line: int
    number: str
    text: str

    def __str__(self) -> str:
        """One line: file, line, the number and its line of prose."""
        return f"{self.path}:{self.line}: typed number {self.number!r} in: {self.text.strip()}"


def prose_lines(source: str) -> list[tuple[int, str]]:
    """Return ``(line number, text)`` of the lines readers see as prose, as written.

    Front matter, code cells and other non-prose fences, display math, directive options other
    than ``:alt:`` and ``:caption:``, labels and comments become empty; the directive name of a
    figure or admonition is cut from its title line.
    """
    source = _FRONT_MATTER.sub(lambda m: "\n" * m.group(0).count("\n"), source)
    source = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), source)
    source = _DISPLAY_MATH.sub(lambda m: "\n" * m.group(0).count("\n"), source)
    out: list[tuple[int, str]] = []
    fences: list[tuple[str, bool]] = []  # (fence, is prose) for each open fence
    for number, line in enumerate(source.split("\n"), start=1):
        match = _FENCE.match(line.strip())
        if match:
            fence, info = match["fence"], match["info"].strip()
            if fences and fence[0] == fences[-1][0][0] and not info and \
                    len(fence) >= len(fences[-1][0]):
                fences.pop()
                out.append((number, ""))
                continue
            directive = re.match(r"\{([A-Za-z:_-]+)\}", info)
            prose = bool(directive) and directive.group(1) in _PROSE_DIRECTIVES
            if not fences or fences[-1][1]:
                fences.append((fence, prose))
                title = ""
                if prose and directive and directive.group(1) in ("admonition", "dropdown",
                                                                  "figure", "topic"):
                    title = info[directive.end():]  # a title or a caption
                out.append((number, title))
                continue
        if (fences and not fences[-1][1]) or _LABEL.match(line) or _OPTION.match(line):
            out.append((number, ""))
            continue
        line = re.sub(r"^\s*:(?:alt|caption):", "", line)
        out.append((number, _LIST_MARKER.sub(r"\1  ", line)))
    return out


def _paragraphs(lines: list[tuple[int, str]]) -> list[tuple[str, list[tuple[int, int]]]]:
    """Join consecutive non-empty prose lines; return each text with (offset, line) starts."""
    paragraphs, text, starts = [], "", []
    for number, line in lines + [(0, "")]:
        if line.strip():
            starts.append((len(text), number))
            text += line.strip() + " "
        elif text:
            paragraphs.append((text, starts))
            text, starts = "", []
    return paragraphs


def _blank(pattern: re.Pattern[str], text: str) -> str:
    """Replace every match by spaces of the same length (offsets stay valid)."""
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def _allowed_spans(text: str, raw: str) -> list[tuple[int, int]]:
    spans = []
    for pattern in ALLOWED:
        spans.extend(m.span() for m in re.finditer(pattern, text))
    for sentence in _SENTENCE.finditer(raw):
        if _CITE.search(sentence.group(0)):
            spans.append(sentence.span())  # a number the cited source reports
    return spans


def typed_numbers(source: str, path: str = "<text>") -> list[TypedNumber]:
    """Return every digit in the prose of a MyST page that is neither glued nor allowed.

    A sentence that cites a source (a ``{cite:...}`` role) may quote that source's numbers.

    Examples
    --------
    >>> [t.number for t in typed_numbers("We use the 27 trials collected by them.")]
    ['27']
    >>> typed_numbers("The {glue:text}`n_studies:.0f` trials of 2019 (question 3).")
    []
    """
    found = []
    for raw, starts in _paragraphs(prose_lines(source)):
        text = raw
        for pattern in (_ROLE_KEEP_CITE, _INLINE_CODE, _INLINE_MATH, _LINK_TARGET, _HTML_ENTITY,
                        _FOOTNOTE):
            text = _blank(pattern, text)
        spans = _allowed_spans(text, raw)
        for match in _DIGIT.finditer(text):
            start, end = match.span()
            if any(low <= start and end <= high for low, high in spans):
                continue
            line = max((n for offset, n in starts if offset <= start), default=starts[0][1])
            line_text = next(raw[o:] for o, n in starts if n == line)
            following = [o for o, _ in starts if o > start]
            if following:
                line_text = raw[next(o for o, n in starts if n == line):following[0]]
            found.append(TypedNumber(path, line, match.group(0), line_text))
    return found


def book_pages(root: Path = ROOT) -> list[Path]:
    """Return the pages whose prose is checked, sorted."""
    return sorted(p for pattern in PAGES for p in root.glob(pattern))


def main(argv: list[str] | None = None) -> int:
    """List typed numbers of the given pages (default: every book page); 1 if there is one."""
    args = sys.argv[1:] if argv is None else argv
    paths = [Path(a) for a in args] or book_pages()
    found = []
    for path in paths:
        found.extend(typed_numbers(path.read_text(encoding="utf-8"), str(path)))
    for item in found:
        print(item)
    if found:
        print(f"{len(found)} typed number(s) in prose; glue them or add a commented pattern "
              "to bookkit.prose.ALLOWED", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
