"""Sphinx extension of the book: version stamp, "how to cite" directive and version menu.

- Stamps version, commit and build date (:func:`bookkit.version.version_stamp`) into the HTML
  footer, Sphinx's ``version``/``release`` and the PDF title page.
- ``{book-citation}`` renders BibTeX and APA strings of this build from ``CITATION.cff``.
- Ends every chapter's HTML page with "Cite this chapter" (APA and BibTeX of the chapter within
  this version of the book); the PDF is cited as a whole.
- Adds ``version-switcher.js``: in a release site (``site/vX.Y.Z/``) it shows a version menu,
  the PDF of the version and its findings changelog, from ``site/switcher.js``.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util.docutils import SphinxDirective

from bookkit.citation import (
    chapter_citation_strings,
    citation_strings,
    load_cff,
    repository_url,
)
from bookkit.sphinx import use_static
from bookkit.version import version_stamp


def _stamp_config(app: Sphinx, config: Config) -> None:
    """Put the stamp into Sphinx's version/release, the HTML footer and the PDF title page."""
    root = Path(app.srcdir)  # the book's folder: pyproject.toml, CITATION.cff, its git tree
    stamp = version_stamp(root)
    app.book_stamp = stamp  # type: ignore[attr-defined]
    config.version = config.release = stamp.version
    theme_options = dict(config.html_theme_options or {})
    footer = theme_options.get("extra_footer") or ""
    theme_options["extra_footer"] = (
        f'{footer}<p class="book-stamp">{html.escape(stamp.text())}</p>'
    )
    url = repository_url(load_cff(root / "CITATION.cff"))
    # Jupyter Book fills in its own project's address when `repository:` is unset; never show it.
    theme_options["repository_url"] = url
    theme_options["use_repository_button"] = bool(url)
    theme_options["repository_branch"] = "main"
    config.html_theme_options = theme_options
    use_static(config)
    latex = dict(config.latex_elements or {})
    title = _tex(config.html_title or config.project)
    latex["maketitle"] = rf"""
\begin{{titlepage}}
  \centering
  \vspace*{{0.18\textheight}}
  {{\Huge\bfseries {title}\par}}
  \vspace{{1.2em}}
  {{\Large A reproducible research book on dispersal, income mixing and integration
   in Dutch municipalities\par}}
  \vspace{{2.5em}}
  {{\large {_tex(config.author)}\par}}
  \vfill
  {{\large Version {_tex(stamp.version)}\par}}
  \vspace{{0.4em}}
  {{Commit \texttt{{{_tex(stamp.commit)}}} \quad Built {_tex(stamp.date)}\par}}
  \vspace{{0.8em}}
  {{\small How to cite this version: see the chapter ``How to cite this version''.\par}}
\end{{titlepage}}
"""
    latex["preamble"] = latex.get("preamble", "") + _mathjax_macros_as_latex(config)
    config.latex_elements = latex


def _mathjax_macros_as_latex(config: Config) -> str:
    r"""Define the MathJax macros of ``mathjax3_config`` (``\N``, ...) for LaTeX too."""
    macros = ((config.mathjax3_config or {}).get("tex") or {}).get("macros") or {}
    lines = []
    for name, body in macros.items():
        body, nargs = (body[0], int(body[1])) if isinstance(body, list | tuple) else (body, 0)
        args = f"[{nargs}]" if nargs else ""
        lines.append(rf"\providecommand{{\{name}}}{{}}\renewcommand{{\{name}}}{args}{{{body}}}")
    return "\n" + "\n".join(lines) + "\n"


def _add_js(app: Sphinx) -> None:
    """Tell the version menu which version this build is."""
    if app.builder.format != "html":
        return
    stamp = app.book_stamp  # type: ignore[attr-defined]
    app.add_js_file(None, body=f"window.BOOK_VERSION = {json.dumps(stamp.version)};")
    if not os.environ.get("BOOK_VERSION"):
        return  # not a release build (`nox -s release` sets BOOK_VERSION): no site menu to load
    app.add_js_file("version-switcher.js")
    app.add_css_file("version-switcher.css")


class BookCitation(SphinxDirective):
    """``{book-citation}``: BibTeX and APA citation of this build, from CITATION.cff."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        """Render the stamp, an APA paragraph and a BibTeX block."""
        cff_path = Path(self.env.srcdir) / "CITATION.cff"
        self.env.note_dependency(str(cff_path))
        stamp = self.env.app.book_stamp  # type: ignore[attr-defined]
        strings = citation_strings(load_cff(cff_path), stamp)
        out: list[nodes.Node] = []
        intro = nodes.paragraph(text=f"This is version {stamp.version} of the book, built "
                                     f"{stamp.date} from commit {stamp.commit}.")
        out.append(intro)
        out.append(nodes.rubric(text="APA"))
        para = nodes.paragraph()
        for i, piece in enumerate(re.split(r"\*([^*]+)\*", strings["apa"])):
            para += nodes.emphasis(text=piece) if i % 2 else nodes.Text(piece)
        out.append(para)
        out.append(nodes.rubric(text="BibTeX"))
        block = nodes.literal_block(strings["bibtex"], strings["bibtex"])
        block["language"] = "bibtex"
        out.append(block)
        return out


def add_chapter_citation(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """End a chapter's HTML page with its APA and BibTeX citation within this version."""
    if not docname.startswith("chapters/") or app.builder.format != "html":
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    title = next(iter(section.findall(nodes.title)), None) if section is not None else None
    if title is None:
        return
    stamp = app.book_stamp  # type: ignore[attr-defined]
    strings = chapter_citation_strings(load_cff(Path(app.srcdir) / "CITATION.cff"), stamp,
                                       title.astext(), docname)
    box = nodes.admonition("", classes=["cite-chapter", "dropdown"])
    box += nodes.title("", "Cite this chapter")
    para = nodes.paragraph()
    for i, piece in enumerate(re.split(r"\*([^*]+)\*", strings["apa"])):
        para += nodes.emphasis(text=piece) if i % 2 else nodes.Text(piece)
    box += para
    block = nodes.literal_block(strings["bibtex"], strings["bibtex"])
    block["language"] = "bibtex"
    box += block
    section += box


def _tex(text: str) -> str:
    """Escape LaTeX special characters."""
    return re.sub(r"([&%$#_{}])", r"\\\1", str(text))


def setup(app: Sphinx) -> dict:
    """Register the stamp, the citation directive and the version menu."""
    app.connect("config-inited", _stamp_config)
    app.connect("builder-inited", _add_js)
    app.add_directive("book-citation", BookCitation)
    app.connect("doctree-resolved", add_chapter_citation)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 1}
