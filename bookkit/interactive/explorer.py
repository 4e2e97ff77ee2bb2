"""Placeholder while the explorer is being written (issue 19)."""

from __future__ import annotations


def browser_check(page: object) -> list[tuple[str, str]]:
    """Drive the explorer on a loaded page; return ``(rule, message)`` problems."""
    return []
