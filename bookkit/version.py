"""The version stamp of a build: version, commit and date, shown in the footer and on the PDF.

The version is ``project.version`` of ``pyproject.toml`` unless ``BOOK_VERSION`` is set (a
release build sets it); the date is ``SOURCE_DATE_EPOCH`` when set, else today (UTC).
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from analysis.config import ROOT

VERSION_PATTERN = re.compile(r"^\d+\.\d+\.\d+$")
"""A release version: ``X.Y.Z``."""


@dataclass(frozen=True)
class Stamp:
    """What identifies one build of the book: version, commit and build date."""

    version: str
    commit: str
    date: str

    def text(self) -> str:
        """Return the one-line stamp shown in the HTML footer and on the PDF title page."""
        return f"Version {self.version} · commit {self.commit} · built {self.date}"


def read_version(root: Path = ROOT) -> str:
    """Return ``project.version`` of ``pyproject.toml`` under ``root``."""
    with open(root / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["version"]


def git_commit(root: Path = ROOT) -> str:
    """Return the short commit hash of ``root`` (``+dirty`` when tracked files changed).

    Returns ``"unknown"`` outside a git work tree or without git.
    """
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "diff", "--quiet", "HEAD", "--"], capture_output=True
        ).returncode != 0
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def version_stamp(root: Path = ROOT) -> Stamp:
    """Return the build's :class:`Stamp`.

    The version is ``BOOK_VERSION`` when set (``nox -s release -- X.Y.Z`` sets it), else
    ``pyproject.toml``'s; the date is ``SOURCE_DATE_EPOCH`` when set, else today (UTC).
    """
    version = os.environ.get("BOOK_VERSION") or read_version(root)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return Stamp(version=version, commit=git_commit(root), date=when.date().isoformat())
