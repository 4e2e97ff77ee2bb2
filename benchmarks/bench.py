"""Benchmark the book: build times, chapter execution, peak memory, and NUTS backends.

Run with ``nox -s bench`` (which provides the book's pinned environment). Writes
``benchmarks/results.md`` and ``benchmarks/results.json``. Steps:

1. Build timings on a copy of the committed tree (``git archive HEAD``) with the session's
   environment: a cold build (empty execution cache), a no-op rebuild, and a rebuild after
   editing one code cell of one chapter; each chapter's execution time; peak resident memory of
   the whole build process tree (sampled every 0.2 s with psutil).
2. Sampler comparison: every model in ``benchmarks/models.py`` with every backend, each run in
   its own process (same draws, tune, chains and seed), via ``benchmarks/sampler_run.py``.
3. The exact quadrature posterior of the contact meta-analysis, as the speed ceiling.

Options: ``--skip-build``, ``--skip-samplers``, ``--backends pymc,nutpie,numpyro,blackjax``,
``--cases a,b``, ``--edit-chapter chapters/x.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path

import psutil

from analysis.inference.sampling import BACKENDS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``cmd``; return wall seconds, peak RSS of its process tree (GiB) and its output."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    peak = 0.0
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(proc.stdout), daemon=True)
    reader.start()
    parent = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            procs = [parent, *parent.children(recursive=True)]
            rss = sum(p.memory_info().rss for p in procs if p.is_running())
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.2)
    reader.join()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        tail = "".join(output[-40:])
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{tail}")
    return wall, peak / 2**30, "".join(output)


def chapter_times(book: Path) -> dict[str, float]:
    """Execution seconds of each chapter, from the jupyter-cache records."""
    from jupyter_cache import get_cache

    latest = {}
    for record in sorted(get_cache(str(book / "_build" / ".jupyter_cache")).list_cache_records(),
                         key=lambda r: r.created):
        latest[Path(record.uri).relative_to(book).as_posix()] = round(
            (record.data or {}).get("execution_seconds", float("nan")), 1)
    return dict(sorted(latest.items()))


def build_benchmark(edit_chapter: str) -> dict:
    """Cold, no-op and one-chapter-edit builds on a copy of the committed tree."""
    jb = shutil.which("jb")
    env = {**os.environ}
    env.pop("MPLBACKEND", None)
    with tempfile.TemporaryDirectory(prefix="bench-book-") as tmp:
        book = Path(tmp) / "book"
        book.mkdir()
        # The chapters import the installed `analysis` (this checkout), whose shared fits and
        # findings live in this checkout's _build: point both into the copy, so a "cold" build
        # samples every shared fit again instead of loading the last build's.
        env["BOOK_FIT_DIR"] = str(book / "_build" / "fits")
        env["BOOK_FINDINGS_DIR"] = str(book / "_build" / "findings")
        archive = Path(tmp) / "head.tar"
        subprocess.run(["git", "archive", "-o", str(archive), "HEAD"], cwd=ROOT, check=True)
        with tarfile.open(archive) as tar:
            # Our own archive of HEAD; the "data" filter exists from Python 3.11.4 on only
            # (Debian 12's python3 is 3.11.2).
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(book, **safe)
        cmd = [jb, "build", ".", "-W", "-n", "--keep-going"]
        print("cold build (empty execution cache) ...", flush=True)
        cold, cold_mem, _ = run_measured(cmd, book, env)
        times = chapter_times(book)
        print(f"  {cold:.1f} s, peak {cold_mem:.2f} GiB", flush=True)
        print("no-op rebuild ...", flush=True)
        noop, noop_mem, _ = run_measured(cmd, book, env)
        print(f"  {noop:.1f} s", flush=True)
        target = book / edit_chapter
        text = target.read_text(encoding="utf-8")
        marker = "```{code-cell} ipython3\n"
        target.write_text(text.replace(marker, marker + "# benchmark edit\n", 1), encoding="utf-8")
        print(f"rebuild after editing a code cell of {edit_chapter} ...", flush=True)
        edit, edit_mem, _ = run_measured(cmd, book, env)
        print(f"  {edit:.1f} s", flush=True)
    return {
        "cold_build_s": round(cold, 1), "cold_peak_rss_gib": round(cold_mem, 2),
        "noop_build_s": round(noop, 1), "edit_one_chapter_s": round(edit, 1),
        "edited_chapter": edit_chapter, "edit_peak_rss_gib": round(max(noop_mem, edit_mem), 2),
        "chapter_execution_s": times,
    }


def sampler_benchmark(cases: list[str], backends: list[str],
                      timeout: float = 600.0) -> list[dict]:
    """Run every case x backend in its own process and collect the JSON lines.

    A run that takes longer than ``timeout`` seconds is stopped and recorded as
    ``"timed out"``: its ESS per second is then below ``min ESS of the others / timeout``.
    """
    results = []
    for case in cases:
        for backend in backends:
            print(f"{case} / {backend} ...", flush=True)
            try:
                proc = subprocess.run(
                    [sys.executable, str(HERE / "sampler_run.py"), case, backend],
                    capture_output=True, text=True, cwd=ROOT, timeout=timeout,
                )
            except subprocess.TimeoutExpired:
                result = {"case": case, "backend": backend,
                          "failed": f"timed out: no result within {timeout:.0f} s"}
                print("  ", json.dumps(result), flush=True)
                results.append(result)
                continue
            lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
            if proc.returncode != 0 or not lines:
                result = {"case": case, "backend": backend,
                          "failed": (proc.stderr or proc.stdout)[-300:]}
            else:
                result = json.loads(lines[-1])
            print("  ", json.dumps(result), flush=True)
            results.append(result)
    return results


def quadrature_reference() -> dict:
    """Time the exact 1-D quadrature posterior of the contact meta-analysis."""
    from analysis.data import load_contact_studies
    from analysis.models import exact_posterior

    studies = load_contact_studies()
    start = time.perf_counter()
    exact = exact_posterior(studies["d"], studies["se_d"])
    return {"seconds": round(time.perf_counter() - start, 3),
            **{k: round(v, 4) for k, v in exact.items()}}


def write_results(results: dict) -> None:
    """Write results.json and a human-readable results.md."""
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = ["# Benchmark results", "",
             f"Run {results['date']} on {results['machine']}.", "",
             "Versions: " + ", ".join(f"{k} {v}" for k, v in results["versions"].items()), ""]
    build = results.get("build")
    if build:
        lines += ["## Book build", "", "| measure | value | target |", "| --- | --- | --- |",
                  f"| cold full build (empty execution cache, venv ready) | "
                  f"{build['cold_build_s']} s | <= 720 s |",
                  f"| warm no-op rebuild | {build['noop_build_s']} s | <= 10 s |",
                  f"| rebuild after editing a code cell of `{build['edited_chapter']}` | "
                  f"{build['edit_one_chapter_s']} s | <= 120 s |",
                  f"| peak memory of the build (process tree RSS) | "
                  f"{build['cold_peak_rss_gib']} GiB | <= 4 GiB |", "",
                  "| chapter | execution (s) | target |", "| --- | --- | --- |"]
        lines += [f"| `{k}` | {v} | <= {90 if k == 'chapters/concentration.md' else 150} s |"
                  for k, v in build["chapter_execution_s"].items()]
        lines.append("")
    samplers = results.get("samplers")
    if samplers:
        measured = results.get("samplers_date", results["date"])
        lines += ["## NUTS backends (4 chains x 1000 tune + 1000 draws, same seed, one process "
                  "each)", "", f"Measured {measured}.", "",
                  "Fit wall is the whole `pm.sample` call; sampling is the backend's own clock "
                  "around its sampling loop, and compile + set-up the rest (for NumPyro and "
                  "BlackJAX, JIT compilation happens inside the loop and counts as sampling). "
                  "ESS/s divides the minimum bulk ESS by the fit wall time.", "",
                  "| model | backend | fit wall (s) | sampling (s) | compile + set-up (s) | "
                  "min bulk ESS | min tail ESS | max R-hat | divergences | min bulk ESS/s |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for r in samplers:
            if "skipped" in r or "failed" in r:
                why = r.get("skipped") or r.get("failed")
                status = "skipped" if "skipped" in r else "failed"
                reason = why.splitlines()[-1] if why else ""
                lines.append(f"| {r['case']} | {r['backend']} | {status}: {reason} "
                             "| | | | | | | |")
            else:
                lines.append(f"| {r['case']} | {r['backend']} | {r['fit_wall_s']} | "
                             f"{r.get('sampling_s', '')} | {r.get('compile_and_setup_s', '')} | "
                             f"{r['min_ess_bulk']} | {r['min_ess_tail']} | {r['max_rhat']} | "
                             f"{r['divergences']} | {r['min_ess_bulk_per_s']} |")
        lines.append("")
        lines += default_ratio_lines(samplers, results.get("default_backend", "pymc"),
                                     results.get("chapter_backends", {}))
    quad = results.get("quadrature")
    if quad:
        lines += ["## Exact reference (contact meta-analysis)", "",
                  f"1-D quadrature over tau: {quad['seconds']} s; posterior mean mu "
                  f"{quad['mu_mean']}, tau {quad['tau_mean']} (the physical limit for this model).",
                  ""]
    (HERE / "results.md").write_text("\n".join(lines))


def default_ratio_lines(samplers: list[dict], default: str,
                        chapter_backends: dict[str, str] | None = None) -> list[str]:
    """Markdown lines: per model, the used backend's min-ESS/s over the best alternative's.

    The used backend is the book's ``default`` unless the model's chapter chooses another
    (``chapter_backends``). A ratio of at least 1.0 means it is the fastest reliable backend for
    that model; a backend counts as reliable when it converged (R-hat < 1.01, no divergences).
    """
    chapter_backends = chapter_backends or {}
    lines = [f"### Backend the book uses (default `{default}`) against the best alternative", "",
             "| model | used backend | its ESS/s | best alternative | its ESS/s | ratio |",
             "| --- | --- | --- | --- | --- | --- |"]
    cases = dict.fromkeys(r["case"] for r in samplers)
    for case in cases:
        used = chapter_backends.get(case, default)
        ok = {r["backend"]: r for r in samplers if r["case"] == case
              and "min_ess_bulk_per_s" in r and r["max_rhat"] < 1.01 and r["divergences"] == 0}
        mine = ok.get(used)
        others = [r for b, r in ok.items() if b != used]
        if mine is None or not others:
            value = "not reliable" if mine is None else mine["min_ess_bulk_per_s"]
            lines.append(f"| {case} | {used} | {value} | | | |")
            continue
        best = max(others, key=lambda r: r["min_ess_bulk_per_s"])
        ratio = mine["min_ess_bulk_per_s"] / best["min_ess_bulk_per_s"]
        lines.append(f"| {case} | {used} | {mine['min_ess_bulk_per_s']} | {best['backend']} | "
                     f"{best['min_ess_bulk_per_s']} | {ratio:.2f} |")
    return [*lines, ""]


def _previous_results() -> dict:
    """The last results.json, so that a partial run (some cases, --skip-build) keeps the rest."""
    path = HERE / "results.json"
    return json.loads(path.read_text()) if path.exists() else {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--skip-samplers", action="store_true")
    # every backend fit() takes, and nutpie with the low-rank mass matrix of LOW_RANK_NUTPIE
    parser.add_argument("--backends", default=",".join([*BACKENDS, "nutpie_low_rank"]))
    parser.add_argument("--cases", default="")
    parser.add_argument("--edit-chapter", default="chapters/contact_evidence.md")
    parser.add_argument("--case-timeout", type=float, default=600.0,
                        help="seconds one sampler run may take before it is stopped")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from models import CASES, CHAPTER_BACKENDS

    results: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GiB, "
                   f"{platform.machine()}, Python {platform.python_version()}",
        "versions": {p: version(p) for p in ("pymc", "pytensor", "arviz", "nutpie", "numpyro",
                                              "blackjax", "jax", "jupyter-book", "myst-nb")},
    }
    from analysis.inference.settings import SAMPLER_BACKEND

    results["default_backend"] = SAMPLER_BACKEND
    results["chapter_backends"] = CHAPTER_BACKENDS
    previous = _previous_results()
    if not args.skip_build:
        results["build"] = build_benchmark(args.edit_chapter)
    elif "build" in previous:
        results["build"] = previous["build"]  # keep the last measured build section
    if not args.skip_samplers:
        cases = args.cases.split(",") if args.cases else list(CASES)
        fresh = sampler_benchmark(cases, args.backends.split(","), args.case_timeout)
        rerun = {(r["case"], r["backend"]) for r in fresh}
        kept = [r for r in previous.get("samplers", []) if (r["case"], r["backend"]) not in rerun]
        results["samplers"] = sorted(kept + fresh, key=lambda r: (list(CASES).index(r["case"])
                                                               if r["case"] in CASES else 99,
                                                               r["backend"]))
        results["samplers_date"] = results["date"]
    elif "samplers" in previous:
        results["samplers"] = previous["samplers"]  # --skip-samplers keeps the last ones
        results["samplers_date"] = previous.get("samplers_date", previous.get("date", "?"))
    results["quadrature"] = quadrature_reference()
    write_results(results)
    print(f"wrote {HERE / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
