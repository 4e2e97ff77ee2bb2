"""The version stamp of a build: version from BOOK_VERSION or pyproject.toml, date, commit."""

from __future__ import annotations

from bookkit.version import Stamp, version_stamp


def test_stamp_takes_version_from_environment_or_pyproject(monkeypatch, tmp_path):
    monkeypatch.delenv("BOOK_VERSION", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    (tmp_path / "pyproject.toml").write_text('[project]\nversion = "9.8.7"\n')
    stamp = version_stamp(tmp_path)
    assert stamp == Stamp("9.8.7", "unknown", "2023-11-14")  # tmp_path is no git work tree
    monkeypatch.setenv("BOOK_VERSION", "1.2.3")
    assert version_stamp(tmp_path).version == "1.2.3"



def test_stamp_text_names_version_commit_and_date():
    assert Stamp("0.2.0", "abc1234", "2026-11-23").text() == (
        "Version 0.2.0 · commit abc1234 · built 2026-11-23")
