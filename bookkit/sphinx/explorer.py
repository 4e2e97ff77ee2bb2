"""Sphinx side of the posterior explorer (:mod:`analysis.display.explorer`).

On every HTML page that holds an explorer (a ``<div class="posterior-explorer">`` written by
:class:`analysis.display.explorer.Explorer`), this extension adds ``explorer.js`` and
``explorer.css`` and writes the explorer's draws as ``<chapter>-explorer.json`` beside the
page, the file the page's download link points to. The page itself reads the copy embedded in
it, so the explorer works from ``file://`` too. The PDF shows the output's static figure.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

from analysis.io import write_atomic
from bookkit.sphinx import use_static

SPEC = re.compile(r'<div class="posterior-explorer" data-chapter="([^"]+)">'
                  r'<script type="application/json" class="explorer-spec">(.*?)</script>', re.S)
"""An explorer in a page's body: its chapter name and its embedded spec."""


def explorer_specs(body: str) -> dict[str, dict]:
    """Return the explorer specs embedded in an HTML page body, by chapter name."""
    return {html.unescape(chapter): json.loads(text.replace("<\\/", "</"))
            for chapter, text in SPEC.findall(body)}


def _page(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object) -> None:
    """Add the script to pages with an explorer and write its draws beside the page."""
    specs = explorer_specs(context.get("body", ""))
    if not specs:
        return
    app.add_js_file("explorer.js", loading_method="defer")
    app.add_css_file("explorer.css")
    folder = Path(app.builder.outdir) / Path(pagename).parent
    folder.mkdir(parents=True, exist_ok=True)
    for chapter, spec in specs.items():
        text = json.dumps(spec, separators=(",", ":")) + "\n"
        write_atomic(folder / f"{chapter}-explorer.json", text.encode("utf-8"))


def _config(app: Sphinx, config: Config) -> None:
    use_static(config)


def setup(app: Sphinx) -> dict:
    """Register the explorer's assets and its draws file."""
    app.connect("config-inited", _config)
    app.connect("html-page-context", _page)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
