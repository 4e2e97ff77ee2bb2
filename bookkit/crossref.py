"""Check cross-document glue: every number a summary page pastes must be a chapter's finding.

The conclusions chapter pastes numbers from other chapters with myst-nb roles such as
``{glue:text}`/chapters/contact_evidence.md::pooled_d:.2f```. These helpers find those roles,
find the keys a chapter's source defines through :class:`analysis.results.findings.Findings`,
and format a findings-file value the way the role does, so tests can compare source, findings
and HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from analysis.display.numbers import dutch_number

GLUE_ROLE = re.compile(r"\{(?P<role>glue(?::text)?|nl)\}`(?P<doc>[^`:]+\.(?:md|ipynb))::"
                       r"(?P<key>[A-Za-z0-9_]+)(?::(?P<fmt>[^`]*))?`")
"""A cross-document glue role: ``{glue:text}`<doc>::<key>:<format>``` or the Dutch ``{nl}``."""

FINDING_CALL = re.compile(
    r"findings\.(?P<method>add|add_probability|add_value|add_claim)\(\s*f?[\"'](?P<name>[A-Za-z0-9_{}]+)[\"']"
)
"""A ``findings.add*("name", ...)`` call in a chapter's source (``name`` may be an f-string
with ``{placeholders}``, e.g. ``f"effect_{definition}"`` in a loop)."""

PLACEHOLDER = re.compile(r"\{[^{}]*\}")
"""A ``{...}`` placeholder of an f-string finding name."""

SUMMARY_SUFFIXES = {"": "mean", "_sd": "sd", "_lo": "hdi_low", "_hi": "hdi_high"}
"""Keys :meth:`Findings.add` glues for a posterior finding, and the record field of each."""


@dataclass(frozen=True)
class GlueReference:
    """One cross-document glue role: the chapter stem, the key and the format spec."""

    chapter: str
    key: str
    fmt: str
    dutch: bool = False


def glue_references(text: str) -> list[GlueReference]:
    """Return every cross-document glue role in a MyST source, in order of appearance.

    Parameters
    ----------
    text : str
        The source of a MyST markdown page.

    Returns
    -------
    list of GlueReference
        ``chapter`` is the referenced document's file stem (``contact_evidence``).

    Examples
    --------
    >>> glue_references("{glue:text}`/chapters/a.md::pooled_d:.2f`")
    [GlueReference(chapter='a', key='pooled_d', fmt='.2f', dutch=False)]
    """
    return [
        GlueReference(Path(m["doc"]).stem, m["key"], m["fmt"] or "s", m["role"] == "nl")
        for m in GLUE_ROLE.finditer(text)
    ]


def defined_keys(source: str) -> set[str]:
    """Return the glue keys a chapter's source defines through ``findings.add*`` calls.

    ``add`` and ``add_probability`` glue the name and its ``_sd``, ``_lo`` and ``_hi``
    summaries; ``add_value`` and ``add_claim`` glue the name only.
    """
    keys: set[str] = set()
    for match in FINDING_CALL.finditer(source):
        name = match["name"]
        if PLACEHOLDER.search(name):
            continue  # an f-string name: see defines_key
        if match["method"] in ("add_value", "add_claim"):
            keys.add(name)
        else:
            keys.update(name + suffix for suffix in SUMMARY_SUFFIXES)
    return keys


def defines_key(source: str, key: str) -> bool:
    """Return whether a chapter's source defines glue key ``key``.

    Literal names count as in :func:`defined_keys`; an f-string name such as
    ``f"effect_{definition}"`` defines every key its placeholders can fill with a word
    (``effect_broad``, ``effect_broad_lo``, ...). Whether the key really exists is then checked
    against the findings file (:func:`finding_value`).

    Examples
    --------
    >>> defines_key('findings.add(f"effect_{d}", x, "e")', "effect_broad_lo")
    True
    >>> defines_key('findings.add(f"effect_{d}", x, "e")', "pretrend_broad")
    False
    """
    if key in defined_keys(source):
        return True
    for match in FINDING_CALL.finditer(source):
        parts = PLACEHOLDER.split(match["name"])
        if len(parts) > 1:
            pattern = "[A-Za-z0-9_]+".join(re.escape(part) for part in parts)
            if re.fullmatch(pattern + r"(?:_sd|_lo|_hi)?", key):
                return True
    return False


def finding_value(findings: dict, key: str) -> float | str:
    """Return the number (or, for a claim, the words) a glue key stands for, from a findings file.

    Parameters
    ----------
    findings : dict
        A parsed ``_build/findings/<chapter>.json`` file.
    key : str
        A glue key (``pooled_d``, ``pooled_d_lo``, ``n_studies``, ...).

    Raises
    ------
    KeyError
        If no finding of the file defines ``key`` (the message names the chapter and key).
    """
    records = {r["name"]: r for r in findings["findings"]}
    if key in records:
        record = records[key]
        if record.get("kind") == "claim":
            return str(record["text"])
        return float(record["value"] if "value" in record else record["mean"])
    for suffix, field in SUMMARY_SUFFIXES.items():
        base = key[: -len(suffix)] if suffix and key.endswith(suffix) else None
        if base in records and field in records[base]:
            return float(records[base][field])
    raise KeyError(f"{findings.get('chapter', '?')}: no finding defines glue key {key!r}")


def format_like_glue(value: float | str, fmt: str, dutch: bool = False) -> str:
    """Format a number the way ``{glue:text}`` (or, ``dutch``, the ``{nl}`` role) does."""
    if isinstance(value, str):
        return format(value, fmt)
    if dutch:
        return dutch_number(value, fmt)
    return format(value, fmt)
