"""The build report: how long each chapter took to execute in the last build, and which failed.

``python -m bookkit build-report`` (run by ``nox -s book`` after every build) prints one line per
notebook chapter of ``_toc.yml`` and fails when a chapter has no successful execution in the
execution cache.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
from jupyter_cache import get_cache

from analysis.config import BUILD_DIR, ROOT
from bookkit.toc import notebook_sources


def build_report(cache_dir: Path = BUILD_DIR / ".jupyter_cache", root: Path = ROOT) -> int:
    """Print each chapter's execution time; return 1 if a chapter has no successful execution.

    Sphinx does not re-read an unchanged page, so a chapter whose execution failed in an
    earlier build would otherwise pass a later incremental build silently. Every notebook in
    ``_toc.yml`` must match a record of the execution cache (same code as now).

    Parameters
    ----------
    cache_dir : Path
        The jupyter-cache folder of the build (``execute: cache:`` of ``_config.yml``).
    root : Path
        The book's root folder (holds ``_toc.yml``).

    Returns
    -------
    int
        0 when every notebook chapter has a cached execution, 1 otherwise or when there is no
        cache.
    """
    if not cache_dir.is_dir():
        print(f"no execution cache at {cache_dir}; build the book first (nox -s book)")
        return 1
    cache = get_cache(str(cache_dir))
    status = 0
    print(f"{'chapter':<48} {'executed (s)':>12}")
    for page in notebook_sources(root):  # plain Markdown pages have nothing to execute
        name = page.relative_to(root).as_posix()
        try:
            record = cache.match_cache_notebook(jupytext.read(page))
        except KeyError:
            status = 1
            print(f"{name:<48} {'NOT EXECUTED':>12}  <- its last execution failed (see "
                  "_build/html/reports/); fix it, then `nox -s book -- --all`", file=sys.stderr)
            continue
        seconds = (record.data or {}).get("execution_seconds", float("nan"))
        print(f"{name:<48} {seconds:>12.1f}")
    print(f"HTML book: {BUILD_DIR / 'html' / 'index.html'}")
    return status
