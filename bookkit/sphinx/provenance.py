"""Sphinx side of :mod:`bookkit.interactive.provenance` (issue 19; being written)."""

from __future__ import annotations

from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict:
    """Register the provenance's assets."""
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
