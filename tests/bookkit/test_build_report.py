"""The build report: one line per notebook chapter; a missing cache or execution fails."""

from __future__ import annotations

import yaml

from bookkit.build_report import build_report


def test_no_execution_cache_fails_with_a_message(tmp_path, capsys):
    assert build_report(tmp_path / "_build" / ".jupyter_cache", root=tmp_path) == 1
    out = capsys.readouterr().out
    assert "no execution cache at" in out and "build the book first (nox -s book)" in out


def test_a_chapter_never_executed_is_reported(tmp_path, capsys):
    (tmp_path / "_toc.yml").write_text(yaml.safe_dump(
        {"format": "jb-book", "root": "intro", "chapters": [{"file": "chapter"}]}))
    (tmp_path / "intro.md").write_text("# Intro\n")
    (tmp_path / "chapter.md").write_text(
        "---\njupytext:\n  text_representation: {extension: .md, format_name: myst}\n"
        "kernelspec: {display_name: Python 3, language: python, name: python3}\n---\n"
        "# Chapter\n\n```{code-cell} ipython3\nprint(1)\n```\n")
    cache = tmp_path / "_build" / ".jupyter_cache"
    cache.mkdir(parents=True)
    assert build_report(cache, root=tmp_path) == 1
    captured = capsys.readouterr()
    assert "chapter.md" in captured.err and "NOT EXECUTED" in captured.err
    assert "intro.md" not in captured.out + captured.err  # plain pages are not listed
