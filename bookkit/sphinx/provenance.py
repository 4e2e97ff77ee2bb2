"""Sphinx extension: every glued number in the HTML knows the finding it comes from (issue 19).

A number pasted with ``{glue:text}`` (same chapter or ``/chapters/x.md::key``) or with the
book's ``{nl}`` role becomes, in the HTML only, a focusable
``<span class="glued-number" tabindex="0" data-...>`` whose ``data-*`` attributes carry its
provenance: the glue key, the finding it belongs to (name, description, posterior mean, HDI,
MCSE, or the value and its kind for :meth:`~analysis.results.findings.Findings.add_value`
records), the chapter that computed it and the release of the book. ``provenance.js`` shows
them in a tooltip on hover or keyboard focus; in a release site it also links a number that
moved to the findings changelog. Other builders (LaTeX, text) see the book unchanged.

How the key survives: myst-nb resolves a same-chapter ``{glue:text}`` while parsing and drops the
key, so the role is wrapped to keep it on the node (``glue_key``, ``glue_doc``: plain attributes
that no writer prints). Cross-chapter references are resolved later, by post-transforms at
priority 4 (``{nl}``) and 5 (myst-nb); :class:`WrapGluedNumbers` runs at 3 and wraps each
pending reference first, so the number that replaces it lands inside the wrapper.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from docutils import nodes
from myst_nb.ext.glue.roles import PasteTextRole
from myst_nb.ext.glue.utils import PendingGlueReference
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.writers.html5 import HTML5Translator

from bookkit.compare import read_findings_file
from bookkit.sphinx import use_static

SUFFIXES = {
    "_sd": "the posterior SD",
    "_lo": "the lower end of the interval",
    "_hi": "the upper end of the interval",
    "_text": "the posterior probability, in words",
    "_nl": "the posterior probability, in Dutch words",
}
"""Suffixes :class:`~analysis.results.findings.Findings` appends to a finding's name for its
other glue keys, and what the number pasted under such a key is."""

NOT_A_FINDING = "not a posterior summary: glued directly from the chapter's code"
"""What a glued value that no findings record holds says about itself."""

_VALUE_KINDS = {
    "exact": "a value from the data (exact, not a posterior summary)",
    "monte_carlo": "computed from draws, without a Monte Carlo error of its own",
    "timing": "a timing: depends on the speed of the machine that built the book",
}


class glued_number(nodes.inline):  # noqa: N801 - docutils names node classes in lower case
    """A pasted glue value with its provenance in ``data`` attributes (HTML only)."""


def chapter_of(docname: str) -> str:
    """Return the chapter name a document writes its findings under (its file stem).

    Examples
    --------
    >>> chapter_of("chapters/decision")
    'decision'
    """
    return docname.rsplit("/", 1)[-1]


def finding_for_key(key: str, records: Mapping[str, dict]) -> tuple[dict | None, str]:
    """Find the findings record a glue key belongs to.

    Parameters
    ----------
    key : str
        The glue key (``pooled_d``, ``pooled_d_lo``, ``p_positive_text``, ...).
    records : mapping of str to dict
        One chapter's findings, by name (``findings`` of its findings file).

    Returns
    -------
    record : dict or None
        The record: the key itself when it is a finding's name, else the record whose name plus
        one of :data:`SUFFIXES` is the key (only for posterior records, which glue those
        suffixes); None when the key is glued directly and is no finding.
    part : str
        Which number of the record the key pastes: ``""`` for its mean or value, else the
        suffix (``"_lo"``, ...).

    Examples
    --------
    >>> records = {"d": {"name": "d", "mean": 0.2}}
    >>> finding_for_key("d_hi", records)
    ({'name': 'd', 'mean': 0.2}, '_hi')
    >>> finding_for_key("n_rows", records)
    (None, '')
    """
    if key in records:
        return records[key], ""
    for suffix in SUFFIXES:
        name = key.removesuffix(suffix)
        if name != key and "mean" in records.get(name, {}):
            return records[name], suffix
    return None, ""


_CACHE: dict[Path, tuple[float, dict[str, dict[str, dict]]]] = {}


def load_chapter_findings(folder: Path) -> dict[str, dict[str, dict]]:
    """Read every findings file of ``folder`` as ``{chapter: {name: record}}`` (cached by mtime).

    A chapter is known both by the ``chapter`` field of its file and by the file's stem.
    """
    folder = Path(folder)
    stamp = max((p.stat().st_mtime for p in folder.glob("*.json")), default=0.0)
    cached = _CACHE.get(folder)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    out: dict[str, dict[str, dict]] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            chapter, records = read_findings_file(path)
        except (OSError, ValueError):
            continue  # not a findings file (or one being written): its numbers show no finding
        out[path.stem] = records
        out.setdefault(str(chapter), records)
    _CACHE[folder] = (stamp, out)
    return out


def _number(x: float) -> str:
    """Write a number for the tooltip: integers in full, others to four significant digits."""
    if float(x).is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    if abs(x) >= 1000:
        return f"{x:,.1f}"
    return f"{x:.4g}"


def provenance_attributes(key: str, docname: str, title: str, release: str,
                          records: Mapping[str, dict], *, dutch: bool = False) -> dict[str, str]:
    """Return the ``data-*`` attributes of one glued number.

    Parameters
    ----------
    key : str
        Its glue key.
    docname : str
        The document whose code glued it (``chapters/decision``).
    title : str
        That document's title.
    release : str
        The book's version (Sphinx's ``release``).
    records : mapping of str to dict
        That chapter's findings by name (empty when it wrote none).
    dutch : bool, default False
        Pasted by ``{nl}`` (Dutch number format).

    Returns
    -------
    dict of str to str
        ``data-key``, ``data-chapter``, ``data-chapter-title``, ``data-release``,
        ``data-kind`` (``posterior``, ``exact``, ``monte_carlo``, ``timing``, ``claim`` or
        ``glued``) and, for a finding, ``data-finding``, ``data-description`` and its numbers
        (``data-mean``, ``data-hdi-low``, ``data-hdi-high``, ``data-ci-prob``, ``data-mcse``,
        ``data-part``; or ``data-value`` and ``data-note``). All values are plain text; the HTML
        writer escapes them.

    Examples
    --------
    >>> attrs = provenance_attributes("n", "chapters/data", "Data", "0.4.0",
    ...                               {"n": {"name": "n", "description": "rows", "value": 28.0}})
    >>> attrs["data-finding"], attrs["data-value"], attrs["data-kind"]
    ('n', '28', 'exact')
    """
    attrs = {"data-key": key, "data-chapter": chapter_of(docname), "data-chapter-title": title,
             "data-release": release}
    if dutch:
        attrs["data-format"] = "Dutch number format"
    record, part = finding_for_key(key, records)
    if record is None:
        attrs.update({"data-kind": "glued", "data-note": NOT_A_FINDING})
        return attrs
    attrs["data-finding"] = str(record.get("name", key))
    attrs["data-description"] = str(record.get("description", ""))
    if "mean" in record:
        attrs["data-kind"] = "posterior"
        attrs["data-mean"] = _number(record["mean"])
        for field, attr in (("hdi_low", "data-hdi-low"), ("hdi_high", "data-hdi-high")):
            if field in record:
                attrs[attr] = _number(record[field])
        if "ci_prob" in record:
            attrs["data-ci-prob"] = f"{100 * float(record['ci_prob']):g}%"
        if "mcse_mean" in record:
            attrs["data-mcse"] = f"{float(record['mcse_mean']):.2g}"
        attrs["data-part"] = SUFFIXES.get(part, "the posterior mean")
        if record.get("simulated"):
            attrs["data-note"] = "computed from SIMULATED data"
    elif record.get("kind") == "claim":
        attrs["data-kind"] = "claim"
        attrs["data-note"] = ("a claim checked when the chapter ran: "
                              f"{record.get('expression', '')}")
    else:
        kind = str(record.get("kind", "exact"))
        attrs["data-kind"] = kind
        if "value" in record:
            attrs["data-value"] = _number(float(record["value"]))
        attrs["data-note"] = _VALUE_KINDS.get(kind, "a value from the data")
    return attrs


class ProvenancePasteTextRole(PasteTextRole):
    """myst-nb's ``{glue:text}`` role, keeping the glue key on a same-chapter pasted value."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        """Paste as myst-nb does; mark ``pasted-text`` nodes with ``glue_key``/``glue_doc``."""
        pasted, messages = super().run()
        key = self.text.rsplit(":", 1)[0] if ":" in self.text else self.text
        for node in pasted:
            if isinstance(node, nodes.inline) and "pasted-text" in node["classes"]:
                node["glue_key"] = key
                node["glue_doc"] = self.document.settings.env.docname
        return pasted, messages


class WrapGluedNumbers(SphinxPostTransform):
    """Wrap every glued text value in a :class:`glued_number` with its provenance (HTML only).

    Runs before the ``{nl}`` (4) and myst-nb (5) resolvers, so a pending cross-chapter
    reference is wrapped and the number that replaces it stays inside the wrapper.
    """

    default_priority = 3

    def apply(self, **kwargs: object) -> None:
        """Wrap the same-chapter pasted values and the pending text references."""
        if self.app.builder.format != "html":
            return
        from analysis.config import FINDINGS_DIR  # the one place the findings folder is set

        findings = load_chapter_findings(FINDINGS_DIR)
        release = str(self.config.release or "")
        targets: list[tuple[nodes.Element, str, str, bool]] = []
        for node in self.document.findall(nodes.inline):
            if "pasted-text" in node["classes"] and node.get("glue_key"):
                targets.append((node, node["glue_key"], node["glue_doc"], False))
        for node in self.document.findall(PendingGlueReference):
            if node.gtype == "text" or node.get("dutch"):
                targets.append((node, node.key, node.refdoc, bool(node.get("dutch"))))
        for node, key, docname, dutch in targets:
            title_node = self.env.titles.get(docname)
            title = title_node.astext() if title_node is not None else docname
            attrs = provenance_attributes(key, docname, title, release,
                                          findings.get(chapter_of(docname), {}), dutch=dutch)
            wrapper = glued_number("", classes=["glued-number"], provenance=attrs)
            parent = node.parent  # not replace_self: it would copy the node's classes
            parent[parent.index(node)] = wrapper
            wrapper += node


class DropEmptyGluedNumbers(SphinxPostTransform):
    """Remove wrappers whose reference was not found (the resolver warned and removed it)."""

    default_priority = 10

    def apply(self, **kwargs: object) -> None:
        """Drop empty :class:`glued_number` nodes."""
        for node in list(self.document.findall(glued_number)):
            if not node.children:
                node.parent.remove(node)


def visit_glued_number_html(self: HTML5Translator, node: glued_number) -> None:
    """Open ``<span class="glued-number" tabindex="0" data-...>`` (values escaped)."""
    self.body.append(self.starttag(node, "span", "", tabindex="0", **node["provenance"]))


def depart_glued_number_html(self: HTML5Translator, node: glued_number) -> None:
    """Close the span."""
    self.body.append("</span>")


def _pass(self: object, node: nodes.Node) -> None:
    """Render the children unchanged (non-HTML builders)."""


def _config(app: Sphinx, config: Config) -> None:
    """Copy the book's static folder (shared with the other extensions)."""
    use_static(config)


def _add_assets(app: Sphinx) -> None:
    """Add the tooltip's script and style to HTML pages."""
    if app.builder.format != "html":
        return
    app.add_js_file("provenance.js", loading_method="defer")
    app.add_css_file("provenance.css")


def setup(app: Sphinx) -> dict:
    """Register the node, the role that keeps glue keys, the transforms and the assets."""
    app.setup_extension("myst_nb")
    app.add_role_to_domain("glue", "text", ProvenancePasteTextRole(), override=True)
    passthrough = (_pass, _pass)
    app.add_node(glued_number, override=True,
                 html=(visit_glued_number_html, depart_glued_number_html),
                 latex=passthrough, text=passthrough, man=passthrough, texinfo=passthrough)
    app.add_post_transform(WrapGluedNumbers)
    app.add_post_transform(DropEmptyGluedNumbers)
    app.connect("config-inited", _config)
    app.connect("builder-inited", _add_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 1}
