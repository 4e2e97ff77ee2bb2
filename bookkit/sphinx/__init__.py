"""Sphinx extensions of the book (loaded through ``_config.yml``'s ``extra_extensions``)."""

from __future__ import annotations

from pathlib import Path

from sphinx.config import Config

STATIC = Path(__file__).parent / "static"
"""Scripts and style sheets of the extensions (copied to ``_static``)."""


def use_static(config: Config) -> None:
    """Add :data:`STATIC` to ``html_static_path`` once, whichever extension asks first."""
    if str(STATIC) not in map(str, config.html_static_path):
        config.html_static_path = [*config.html_static_path, str(STATIC)]
