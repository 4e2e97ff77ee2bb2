"""Reproduction of the book: every notebook chapter executed afresh, its findings compared.

:func:`reproduce` executes the chapters of ``_toc.yml`` into a folder of its own (no execution
cache, no shared fit of an earlier build), compares their findings with a release's or with the
last build's (:mod:`bookkit.compare`) and writes a receipt: platform, hashes of the inputs
(:func:`source_hashes`, :func:`code_hashes`) and, per finding, the difference in Monte Carlo
standard errors.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

from analysis.config import ROOT
from analysis.io import sha256_of, write_atomic
from bookkit.compare import (
    Comparison,
    compare_findings,
    format_comparison,
    load_findings,
    z_score,
)
from bookkit.hashes import code_hashes
from bookkit.release import update_site_index
from bookkit.toc import notebook_sources


def execute_chapters(root: Path, out_dir: Path, timeout: int = 900) -> dict[str, float]:
    """Execute every notebook chapter of ``root`` afresh (no cache), findings into ``out_dir``.

    Each chapter runs in a new kernel whose working directory is the chapter's folder (as
    MyST-NB runs it); ``BOOK_FINDINGS_DIR`` points :class:`analysis.results.findings.Findings` at
    ``out_dir / "findings"`` and ``BOOK_FIT_DIR`` points the shared-fit cache at the empty
    ``out_dir / "fits"``, so no fit of an earlier build is reused. Executed notebooks are saved
    to ``out_dir / "notebooks"``.

    Returns
    -------
    dict
        Execution seconds per chapter file.
    """
    findings_dir = out_dir / "findings"
    findings_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "notebooks").mkdir(exist_ok=True)
    previous = os.environ.get("BOOK_FINDINGS_DIR")
    previous_fits = os.environ.get("BOOK_FIT_DIR")
    os.environ["BOOK_FINDINGS_DIR"] = str(findings_dir)
    fit_dir = out_dir / "fits"  # an empty folder of its own: every shared fit is sampled again
    shutil.rmtree(fit_dir, ignore_errors=True)
    os.environ["BOOK_FIT_DIR"] = str(fit_dir)
    seconds = {}
    try:
        for path in notebook_sources(root):
            start = time.perf_counter()
            nb = jupytext.read(path)
            client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                    resources={"metadata": {"path": str(path.parent)}})
            client.execute()
            rel = path.relative_to(root).with_suffix(".ipynb")
            nbformat.write(nb, out_dir / "notebooks" / rel.as_posix().replace("/", "__"))
            key = path.relative_to(root).as_posix()
            seconds[key] = time.perf_counter() - start
            written = findings_dir / f"{path.stem}.json"
            fits = (json.loads(written.read_text(encoding="utf-8")).get("fits") or []
                    if written.is_file() else [])
            used = "; ".join(f"fit {f['name']} {f['source']}" for f in fits)
            print(f"executed {key} in {seconds[key]:.1f} s" + (f" ({used})" if used else ""),
                  flush=True)
    finally:
        for name, value in (("BOOK_FINDINGS_DIR", previous), ("BOOK_FIT_DIR", previous_fits)):
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return seconds


def reproduce(root: Path = ROOT, release: str | None = None, site: Path | None = None,
              work: Path | None = None) -> int:
    """Re-execute every chapter and compare its findings with a release's (or the last build's).

    Returns 0 when every finding is reproduced, 1 otherwise; prints the comparison table.
    """
    site = site or root / "site"
    if release:
        reference_dir = site / f"v{release}" / "findings"
        if not reference_dir.is_dir():
            available = ", ".join(sorted(p.name for p in site.glob("v*"))) or "none"
            print(f"no release {release}: {reference_dir} does not exist (releases: {available})")
            return 2
    else:
        reference_dir = root / "_build" / "findings"
        if not any(reference_dir.glob("*.json")):
            print(f"no findings in {reference_dir}: build the book first (nox -s book)")
            return 2
    work = work or root / "_build" / "reproduce"
    shutil.rmtree(work, ignore_errors=True)
    seconds = execute_chapters(root, work)
    rows = compare_findings(load_findings(reference_dir), load_findings(work / "findings"))
    print(f"reference: {reference_dir}\nreproduced: {work / 'findings'}")
    print(format_comparison(rows))
    receipt = reproduction_receipt(rows, root, reference_dir, work / "findings", release, seconds)
    target = work / "receipt.json"
    write_atomic(target, (json.dumps(receipt, indent=2) + "\n").encode("utf-8"))
    print(f"receipt: {target}")
    if release:  # a release keeps every receipt it has been checked against
        kept = site / f"v{release}" / "receipts"
        kept.mkdir(exist_ok=True)
        name = f"{receipt['date'][:19].replace(':', '')}-{receipt['platform']['node_hash']}.json"
        shutil.copy2(target, kept / name)
        update_site_index(site)
    return 1 if any(r.failed for r in rows) or not rows else 0


def _cpu_model() -> str:
    """Return the CPU model name (Linux ``/proc/cpuinfo``), else :func:`platform.processor`."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def reproduction_receipt(rows: list[Comparison], root: Path, reference_dir: Path,
                         candidate_dir: Path, release: str | None,
                         seconds: dict[str, float] | None = None) -> dict:
    """Return the machine-readable receipt of a reproduction run.

    It records the platform (CPU, OS, Python), the sha256 of the pinned environment
    (``requirements.txt``), of every data file and of the code, the date, the fits each chapter
    sampled or loaded, and per finding Δ with, where both runs give an MCSE,
    z = Δ/√(MCSE₁²+MCSE₂²); exact values get their relative difference; Monte Carlo values
    without MCSE are listed, not scored. Telling Monte Carlo noise from a real change needs
    these numbers; hashing the inputs alone cannot.
    """
    reference, candidate = load_findings(reference_dir), load_findings(candidate_dir)
    requirements = root / "requirements.txt"
    datapackage = root / "data" / "datapackage.json"
    data = ({r["name"]: r.get("sha256") for r in json.loads(datapackage.read_text())["resources"]}
            if datapackage.is_file() else {})
    fits = {}
    for path in sorted(Path(candidate_dir).glob("*.json")):
        used = json.loads(path.read_text(encoding="utf-8")).get("fits") or []
        if used:
            fits[path.stem] = used
    findings, zs = [], []
    for row in rows:
        entry = {"chapter": row.chapter, "name": row.name, "kind": row.kind,
                 "reference": row.reference, "reproduced": row.candidate, "delta": row.diff,
                 "status": row.status}
        ref = reference.get(row.chapter, {}).get(row.name, {})
        cand = candidate.get(row.chapter, {}).get(row.name, {})
        if row.kind == "posterior":
            entry["z"] = z_score(row, ref, cand)
            if entry["z"] is not None and math.isfinite(entry["z"]):
                zs.append(abs(entry["z"]))
        elif row.kind == "value" and row.diff is not None and row.reference is not None:
            entry["relative_difference"] = abs(row.diff) / max(abs(row.reference), 1e-300)
        findings.append(entry)
    node = platform.node().encode()
    return {
        "receipt": "reproduction",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "release": release,
        "reference": str(reference_dir),
        "platform": {"os": platform.platform(), "machine": platform.machine(),
                     "cpu": _cpu_model(), "cores": os.cpu_count(),
                     "python": platform.python_version(),
                     "node_hash": hashlib.sha256(node).hexdigest()[:8]},
        "environment_sha256": sha256_of(requirements) if requirements.is_file() else None,
        "data_sha256": data,
        "code_sha256": code_hashes(root),
        "execution_seconds": seconds or {},
        "fits": fits,
        "summary": {"findings": len(rows), "failed": sum(r.failed for r in rows),
                    "max_abs_z": max(zs) if zs else None,
                    "verdict": "REPRODUCED" if rows and not any(r.failed for r in rows)
                    else "NOT REPRODUCED"},
        "findings": findings,
    }
