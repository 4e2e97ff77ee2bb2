"""The book's table of contents: the pages of ``_toc.yml`` in reading order, and its notebooks.

This is the one reader of ``_toc.yml``: it parses the file with the parser of
``sphinx-external-toc`` (the parser Jupyter Book itself uses), so the pages found here are the
pages the book builds. A page is a *notebook* when it is a ``.ipynb`` file or a MyST Markdown
file whose YAML front matter declares a ``kernelspec``: the chapters MyST-NB executes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import yaml
from sphinx_external_toc.parsing import parse_toc_yaml

from analysis.config import ROOT

SOURCE_SUFFIXES = (".md", ".ipynb", ".rst")
"""Suffixes of a page's source file, in the order they are looked for."""

_FRONT_MATTER = re.compile(r"---\n(.*?)\n---\n", re.DOTALL)


def toc_files(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """Return every file named in a Jupyter Book ``_toc.yml``, root first, in reading order.

    Parameters
    ----------
    toc_path : Path
        The ``_toc.yml`` file (``jb-book``, ``jb-article`` or sphinx-external-toc's default
        format).

    Returns
    -------
    list of str
        The files as the toc names them (``chapters/concentration``), without suffix; each
        page is followed by its own sections before the next page. Globs and URLs are skipped.

    Raises
    ------
    sphinx_external_toc.parsing.MalformedError
        If the file is not a valid table of contents.
    """
    site_map = parse_toc_yaml(Path(toc_path))

    def walk(docname: str) -> Iterator[str]:
        yield docname
        for child in site_map[docname].child_files():
            yield from walk(child)

    return list(walk(site_map.root.docname))


def source_path(root: Path, name: str) -> Path:
    """Return the source file of the toc entry ``name`` under ``root``.

    The first existing file among ``name`` + :data:`SOURCE_SUFFIXES`; ``name.md`` when none
    exists.
    """
    for suffix in SOURCE_SUFFIXES:
        path = root / (name + suffix)
        if path.is_file():
            return path
    return root / (name + SOURCE_SUFFIXES[0])


def toc_pages(root: Path = ROOT) -> list[Path]:
    """Return the source file of every page in ``root / "_toc.yml"``, in reading order.

    Parameters
    ----------
    root : Path
        The book's root folder (holds ``_toc.yml``).

    Returns
    -------
    list of Path
        One source path per toc entry (see :func:`source_path`), the root page first.
    """
    root = Path(root)
    return [source_path(root, name) for name in toc_files(root / "_toc.yml")]


def is_notebook(path: Path) -> bool:
    """Tell whether a source file is a notebook MyST-NB executes.

    Parameters
    ----------
    path : Path
        A page's source file.

    Returns
    -------
    bool
        True for a ``.ipynb`` file and for a Markdown file whose YAML front matter has a
        ``kernelspec`` key; False otherwise, also for a missing file.
    """
    path = Path(path)
    if path.suffix == ".ipynb":
        return path.is_file()
    if path.suffix != ".md" or not path.is_file():
        return False
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if not match:
        return False
    front_matter = yaml.safe_load(match.group(1))
    return isinstance(front_matter, dict) and "kernelspec" in front_matter


def notebook_sources(root: Path = ROOT) -> list[Path]:
    """Return the executable chapters of the book: the toc pages that are notebooks.

    Parameters
    ----------
    root : Path
        The book's root folder (holds ``_toc.yml``).

    Returns
    -------
    list of Path
        Source files of :func:`toc_pages` for which :func:`is_notebook` holds, in reading order.
    """
    return [path for path in toc_pages(root) if is_notebook(path)]
