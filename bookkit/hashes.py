"""sha256 of the book's sources and code: what a release records and a reproduction compares."""

from __future__ import annotations

from pathlib import Path

from analysis.config import ROOT
from analysis.io import sha256_of
from bookkit.toc import toc_pages

CODE_PATTERNS = ("analysis/**/*.py", "bookkit/**/*.py", "data/**/*", "requirements.txt",
                 "_config.yml")
"""Files besides the chapters whose change can move a finding (models, data, pins, settings)."""


def source_hashes(root: Path = ROOT) -> dict[str, str]:
    """Return sha256 of every toc file's source (``chapters/x.md`` → hash)."""
    return {path.relative_to(root).as_posix(): sha256_of(path)
            for path in toc_pages(root) if path.is_file()}


def code_hashes(root: Path = ROOT) -> dict[str, str]:
    """Return sha256 of every file matching :data:`CODE_PATTERNS` (``analysis/x.py`` → hash)."""
    out = {}
    for pattern in CODE_PATTERNS:
        for path in sorted(root.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                out[path.relative_to(root).as_posix()] = sha256_of(path)
    return dict(sorted(out.items()))
