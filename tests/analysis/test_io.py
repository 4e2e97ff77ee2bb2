"""analysis.io: the one atomic write and the one sha256 of a file."""

from __future__ import annotations

import hashlib
import stat

import pytest

from analysis import io
from analysis.io import sha256_of, write_atomic


def test_sha256_of_equals_hashlib_on_the_whole_file(tmp_path):
    path = tmp_path / "big.bin"
    payload = bytes(range(256)) * 1000  # several read blocks
    path.write_bytes(payload)
    assert sha256_of(path) == hashlib.sha256(payload).hexdigest()


def test_write_atomic_replaces_the_file_readable_by_all(tmp_path):
    target = tmp_path / "file.csv"
    target.write_bytes(b"old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert list(tmp_path.iterdir()) == [target]


def test_write_atomic_leaves_target_untouched_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "file.csv"
    target.write_bytes(b"old")

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(io.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new content")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]
