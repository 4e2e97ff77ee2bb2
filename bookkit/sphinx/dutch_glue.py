"""Sphinx role ``{nl}``: paste a glued number from another chapter in Dutch number format.

``{glue:text}`` formats with Python's format spec, which always writes a decimal point and a
thousands comma. Dutch text needs ``0,21`` and ``415.195``. ``{nl}`/chapters/x.md::key:.2f```
takes the same target and format spec as a cross-document ``{glue:text}`` role, reads the same
glue cache, formats the value with the same spec and then writes it with
:func:`analysis.display.numbers.dutch_number` (the one Dutch formatter of the book).
"""

from __future__ import annotations

from ast import literal_eval

from docutils import nodes
from myst_nb.ext.glue.crossref import read_glue_cache
from myst_nb.ext.glue.utils import (
    PendingGlueReference,
    PendingGlueReferenceError,
    create_pending_glue_ref,
)
from myst_nb.ext.utils import RoleBase
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from analysis.display.numbers import dutch_number

LOGGER = logging.getLogger(__name__)


class DutchGlueRole(RoleBase):
    """``{nl}`<doc>::<key>:<format>```: a cross-document glue reference, Dutch formatted."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        """Create a pending glue reference marked Dutch (resolved by :class:`ResolveDutch`)."""
        target, _, fmt_spec = self.text.rpartition(":")
        if "::" not in target:
            target, fmt_spec = self.text, ".2f"
        doc, key = target.split("::", 1)
        try:
            ref = create_pending_glue_ref(self.document, self.source, self.line, doc, key,
                                          inline=True, gtype="text", fmt_spec=fmt_spec,
                                          dutch=True)
        except PendingGlueReferenceError as exc:
            message = self.inliner.reporter.warning(str(exc), line=self.line)
            return [], [message]
        return [ref], []


class ResolveDutch(SphinxPostTransform):
    """Replace Dutch pending glue references before myst-nb resolves the others."""

    default_priority = 4  # myst-nb's ReplacePendingGlueReferences runs at 5

    def apply(self, **kwargs: object) -> None:
        """Format each Dutch reference's glued value; warn (the build fails) when it is missing."""
        folder = self.env.mystnb_config.output_folder  # type: ignore[attr-defined]
        for node in list(self.document.findall(PendingGlueReference)):
            if not node.get("dutch"):
                continue
            output = read_glue_cache(folder, node.refdoc).get(node.key)
            text = None
            if output is not None and "text/plain" in output.get("data", {}):
                value = literal_eval(output["data"]["text/plain"])
                if isinstance(value, int | float):
                    text = dutch_number(value, node["fmt_spec"])
                else:
                    text = str(value)
            if text is None:
                LOGGER.warning(f"Dutch glue reference {node.key!r} not found in doc "
                               f"{node.refdoc!r}", location=node)
                node.parent.remove(node)
                continue
            node.replace_self(nodes.inline(text, text, classes=["pasted-text"]))


def setup(app: Sphinx) -> dict:
    """Register the ``{nl}`` role and its resolver."""
    app.add_role("nl", DutchGlueRole())
    app.add_post_transform(ResolveDutch)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
