"""The package's file helpers, one of each: an atomic write and the sha256 of a file.

Every writer of the book (data files, fits, findings, releases, decision reports) goes through
:func:`write_atomic`, so a reader sees the old file or the complete new one, never half of one.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def sha256_of(path: Path) -> str:
    """Return the hex sha256 digest of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def write_atomic(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` through a temporary file in the same folder and a rename.

    Readers see either the old file or the complete new one; on any error the temporary file
    is removed and ``path`` is left as it was.
    """
    path = Path(path)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
        tmp = Path(handle.name)
    try:
        tmp.write_bytes(payload)
        tmp.chmod(0o644)  # NamedTemporaryFile creates 0600; data files are world-readable
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
