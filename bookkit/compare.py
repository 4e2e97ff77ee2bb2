"""Findings compared between two runs of the book, and the changelog between two releases.

The functions are pure (records in, rows out) and carry the reproduction rule: two posterior
summaries agree when ``|mean1 - mean2| <= k * sqrt(mcse1**2 + mcse2**2)`` (``k = 4``), exact
numbers (``value`` findings) when they agree to a relative ``1e-9``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

K_MCSE = 4.0
"""Agreement band of posterior summaries, in combined Monte Carlo standard errors."""

RTOL_VALUE = 1e-9
"""Relative tolerance of exact (``value``) findings."""


@dataclass(frozen=True)
class Comparison:
    """One finding compared between a reference and a candidate run."""

    chapter: str
    name: str
    kind: str  # "posterior", "value" (exact), "monte_carlo", "timing" or "claim"
    reference: float | None
    candidate: float | None
    diff: float | None
    tolerance: float | None
    status: str  # "ok", "DIFFERS", "MISSING" (absent in candidate), "new" (absent in reference),
    # "varies" (a Monte Carlo value without MCSE that changed: reported, not gated) or "info"
    # (a timing: never compared)

    @property
    def failed(self) -> bool:
        """True when the candidate disagrees with or lacks a reference finding."""
        return self.status in ("DIFFERS", "MISSING")


def read_findings_file(path: Path) -> tuple[str, dict[str, dict]]:
    """Read one findings file: its chapter name and its records by name.

    Raises
    ------
    ValueError
        If the file is not JSON or holds no ``findings`` list of named records.
    """
    payload = json.loads(Path(path).read_text(encoding="utf-8"))
    try:
        return payload.get("chapter", Path(path).stem), {r["name"]: r for r in payload["findings"]}
    except (AttributeError, KeyError, TypeError) as err:
        raise ValueError(f"{path}: not a findings file (need 'findings': [{{'name': ...}}])") \
            from err


def load_findings(folder: Path) -> dict[str, dict[str, dict]]:
    """Read every ``<chapter>.json`` of ``folder`` into ``{chapter: {name: record}}``."""
    return dict(read_findings_file(path) for path in sorted(Path(folder).glob("*.json")))


def mcse_tolerance(reference: dict, candidate: dict, k: float = K_MCSE) -> float:
    """Return ``k * sqrt(mcse_ref**2 + mcse_cand**2)`` of two posterior-summary records."""
    return k * math.hypot(float(reference["mcse_mean"]), float(candidate["mcse_mean"]))


def compare_record(chapter: str, reference: dict, candidate: dict, k: float = K_MCSE,
                   rtol: float = RTOL_VALUE) -> Comparison:
    """Compare one finding; posterior summaries by MCSE, exact values by relative tolerance.

    A claim (a statement of direction or count,
    :meth:`analysis.results.findings.Findings.add_claim`) reproduces when it holds in both runs
    with the same words; its numbers are the claim's own (1 holds, 0 fails), the values it was
    computed from are Monte Carlo and not compared.
    """
    if reference.get("kind") == "claim":
        ref, cand = _centre(reference), _centre(candidate)
        same = candidate.get("kind") == "claim" and candidate.get("text") == reference.get("text")
        ok = same and ref == cand == 1.0
        return Comparison(chapter, reference["name"], "claim", ref, cand, cand - ref, 0.0,
                          "ok" if ok else "DIFFERS")
    if "value" in reference:
        ref, cand = float(reference["value"]), float(candidate.get("value", math.nan))
        tol = rtol * max(abs(ref), abs(cand), 1e-300)
        kind = reference.get("kind") or candidate.get("kind") or "value"
    else:
        ref, cand = float(reference["mean"]), float(candidate.get("mean", math.nan))
        tol = mcse_tolerance(reference, candidate, k) if "mcse_mean" in candidate else math.nan
        kind = "posterior"
    diff = cand - ref
    ok = abs(diff) <= tol  # False when anything is NaN
    # A changed Monte Carlo value without MCSE is reported, a changed timing only shown.
    otherwise = {"monte_carlo": "varies", "timing": "info"}.get(kind, "DIFFERS")
    return Comparison(chapter, reference["name"], kind, ref, cand, diff, tol,
                      "ok" if ok else otherwise)


def compare_findings(reference: dict[str, dict[str, dict]], candidate: dict[str, dict[str, dict]],
                     k: float = K_MCSE, rtol: float = RTOL_VALUE) -> list[Comparison]:
    """Compare every finding of ``reference`` with ``candidate`` (both from :func:`load_findings`).

    Parameters
    ----------
    reference, candidate : dict
        ``{chapter: {name: record}}``.
    k : float, default 4
        Width of the agreement band of posterior means in combined MCSEs.
    rtol : float, default 1e-9
        Relative tolerance of exact values.

    Returns
    -------
    list of Comparison
        One row per finding in either run; a finding only in ``reference`` is ``MISSING``
        (a failure), one only in ``candidate`` is ``new`` (reported, not a failure).

    Examples
    --------
    >>> ref = {"ch": {"mu": {"name": "mu", "mean": 0.30, "mcse_mean": 0.002}}}
    >>> cand = {"ch": {"mu": {"name": "mu", "mean": 0.31, "mcse_mean": 0.002}}}
    >>> compare_findings(ref, cand)[0].status
    'DIFFERS'
    """
    rows: list[Comparison] = []
    for chapter in sorted(set(reference) | set(candidate)):
        ref_ch, cand_ch = reference.get(chapter, {}), candidate.get(chapter, {})
        for name in sorted(set(ref_ch) | set(cand_ch)):
            if name not in cand_ch:
                rec = ref_ch[name]
                rows.append(Comparison(chapter, name, _kind(rec), _centre(rec), None, None, None,
                                       "MISSING"))
            elif name not in ref_ch:
                rec = cand_ch[name]
                rows.append(Comparison(chapter, name, _kind(rec), None, _centre(rec), None, None,
                                       "new"))
            else:
                rows.append(compare_record(chapter, ref_ch[name], cand_ch[name], k, rtol))
    return rows


def format_comparison(rows: list[Comparison]) -> str:
    """Return the comparison as a fixed-width text table with a closing verdict line."""
    header = (f"{'chapter':<24} {'finding':<22} {'kind':<9} {'reference':>12} {'reproduced':>12} "
              f"{'diff':>10} {'tolerance':>10}  status")
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(f"{r.chapter:<24} {r.name:<22} {r.kind:<9} {_num(r.reference):>12} "
                     f"{_num(r.candidate):>12} {_num(r.diff, '.2e'):>10} "
                     f"{_num(r.tolerance, '.2e'):>10}  {r.status}")
    failed = sum(r.failed for r in rows)
    varied = sum(r.status == "varies" for r in rows)
    lines.append(f"{len(rows)} findings, {failed} disagreeing or missing"
                 + (f", {varied} Monte Carlo values without MCSE changed (not gated)"
                    if varied else "") + ": "
                 + ("REPRODUCED" if not failed else "NOT REPRODUCED"))
    return "\n".join(lines)


def _kind(record: dict) -> str:
    """'claim' for claims, 'value' for exact numbers, else 'posterior'."""
    if record.get("kind") == "claim":
        return "claim"
    return "value" if "value" in record else "posterior"


def _centre(record: dict) -> float:
    """Return the number a finding states: its value or posterior mean (a claim: 1 if it holds)."""
    if record.get("kind") == "claim":
        return 1.0 if record.get("holds") is True else 0.0
    return float(record["value"] if "value" in record else record["mean"])


def _num(x: float | None, fmt: str = ".6g") -> str:
    """Format a number for the table; '-' for None."""
    return "-" if x is None else format(x, fmt)


def z_score(row: Comparison, reference: dict, candidate: dict) -> float | None:
    """Return Δ / √(MCSE₁² + MCSE₂²) of a posterior finding both runs give an MCSE for."""
    if row.diff is None or "mcse_mean" not in reference or "mcse_mean" not in candidate:
        return None
    scale = math.hypot(float(reference["mcse_mean"]), float(candidate["mcse_mean"]))
    return row.diff / scale if scale > 0 else (0.0 if row.diff == 0 else math.inf)


# --------------------------------------------------------------------------- changelog


def findings_changelog(old: dict[str, dict[str, dict]], new: dict[str, dict[str, dict]],
                       old_version: str, new_version: str,
                       old_sources: dict[str, str] | None = None,
                       new_sources: dict[str, str] | None = None,
                       commits: tuple[str, str] | None = None,
                       old_code: dict[str, str] | None = None,
                       new_code: dict[str, str] | None = None) -> str:
    """Return a Markdown changelog of findings, chapters and code between two releases.

    A posterior finding *moved* when its mean changed by more than the MCSE band; the shift is
    given in posterior SDs of the older release. ``*_sources`` map chapter files to sha256 (from
    each release's ``release.json``) and show which chapters' sources changed; ``*_code`` do the
    same for the model code, data files and pins (:func:`bookkit.hashes.code_hashes`), when
    both are given.
    """
    rows = compare_findings(old, new)
    lines = [f"# Changes in findings: v{old_version} → v{new_version}", ""]
    if commits:
        lines += [f"Built from commit `{commits[0]}` and commit `{commits[1]}`.", ""]
    moved = [r for r in rows if r.status in ("DIFFERS", "varies")]
    lines += ["## Findings that moved", ""]
    if moved:
        lines += ["| chapter | finding | v" + old_version + " | v" + new_version
                  + " | change | change in posterior SDs |", "|---|---|---|---|---|---|"]
        for r in moved:
            sd = old[r.chapter][r.name].get("sd")
            in_sd = (f"{r.diff / sd:+.2f}" if r.kind == "posterior" and sd
                     else "Monte Carlo value (no MCSE)" if r.kind == "monte_carlo"
                     else "exact value")
            lines.append(f"| {r.chapter} | {r.name} | {r.reference:.4g} | {r.candidate:.4g} "
                         f"| {r.diff:+.4g} | {in_sd} |")
    else:
        lines.append("No finding moved beyond its Monte Carlo error.")
    same = sum(r.status == "ok" for r in rows)
    lines += ["", f"{same} findings agree within 4 combined MCSEs (or exactly, for counts)."]
    timings = [r.name for r in rows if r.kind == "timing"]
    if timings:
        lines += ["", "Timings are not compared (they measure the machine): "
                  + ", ".join(f"`{t}`" for t in timings) + "."]
    added = [r for r in rows if r.status == "new"]
    removed = [r for r in rows if r.status == "MISSING"]
    lines += ["", "## Findings added or removed", ""]
    lines += [f"- added: {r.chapter} / {r.name} = {r.candidate:.4g}" for r in added]
    lines += [f"- removed: {r.chapter} / {r.name} (was {r.reference:.4g})" for r in removed]
    if not added and not removed:
        lines.append("None.")
    lines += ["", "## Chapters", ""]
    old_sources, new_sources = old_sources or {}, new_sources or {}
    chapter_lines = _file_changes(old_sources, new_sources)
    lines += chapter_lines or ["No chapter source changed."]
    if old_code is not None and new_code is not None:
        lines += ["", "## Code, data and environment", ""]
        lines += _file_changes(old_code, new_code) or [
            "No file of `analysis/`, `bookkit/`, `data/`, `requirements.txt` or "
            "`_config.yml` changed."]
    return "\n".join(lines) + "\n"


def _file_changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """Markdown list items for files added, removed or changed between two hash maps."""
    return ([f"- added: `{f}`" for f in sorted(set(new) - set(old))]
            + [f"- removed: `{f}`" for f in sorted(set(old) - set(new))]
            + [f"- changed: `{f}`" for f in sorted(set(old) & set(new)) if old[f] != new[f]])

