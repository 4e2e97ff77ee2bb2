"""Command line of the book.

``python -m analysis check-data`` verifies every data file; ``python -m analysis build-report``
prints how long each chapter took to execute in the last build; ``reproduce``,
``compare-findings`` and ``publish-release`` are the release commands of :mod:`analysis.release`;
``python -m analysis decide [OWN_EVALUATIONS.csv] --dose-eur-per-resident X [--municipality M]
--out DIR`` writes a decision report for a municipality (see :mod:`analysis.decision`) and warns
in one line when the dose or the municipality lies outside the data the posterior learns from.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.config import BUILD_DIR, ROOT, SEED
from analysis.data import DataError, load_datapackage, load_resource


def check_data() -> int:
    """Load every resource of ``data/datapackage.json``; print one line each; 1 on any error."""
    status = 0
    for resource in load_datapackage()["resources"]:
        try:
            frame = load_resource(resource["name"])
        except DataError as err:
            print(f"FAIL {resource['name']}: {err}", file=sys.stderr)
            status = 1
        else:
            print(f"ok   {resource['name']}: {len(frame)} rows, sha256 {resource['sha256'][:12]}")
    return status


def build_report(cache_dir: Path = BUILD_DIR / ".jupyter_cache") -> int:
    """Print each chapter's execution time; return 1 if a chapter has no successful execution.

    Sphinx does not re-read an unchanged page, so a chapter whose execution failed in an
    earlier build would otherwise pass a later incremental build silently. Every notebook in
    ``_toc.yml`` must match a record of the execution cache (same code as now).
    """
    import jupytext
    from jupyter_cache import get_cache

    if not cache_dir.is_dir():
        print(f"no execution cache at {cache_dir}; build the book first (nox -s book)")
        return 1
    cache = get_cache(str(cache_dir))
    status = 0
    print(f"{'chapter':<48} {'executed (s)':>12}")
    for page in toc_pages():
        notebook = jupytext.read(page)
        if "kernelspec" not in notebook.metadata:
            continue  # plain Markdown page, nothing to execute
        try:
            record = cache.match_cache_notebook(notebook)
        except KeyError:
            status = 1
            print(f"{page.relative_to(ROOT).as_posix():<48} {'NOT EXECUTED':>12}  <- its last "
                  "execution failed (see _build/html/reports/); fix it, then "
                  "`nox -s book -- --all`", file=sys.stderr)
            continue
        seconds = (record.data or {}).get("execution_seconds", float("nan"))
        print(f"{page.relative_to(ROOT).as_posix():<48} {seconds:>12.1f}")
    print(f"HTML book: {BUILD_DIR / 'html' / 'index.html'}")
    return status


def toc_pages(toc: Path = ROOT / "_toc.yml") -> list[Path]:
    """Return the source files of every page in ``_toc.yml``, in reading order."""
    import yaml

    def walk(node: object) -> list[str]:
        if isinstance(node, dict):
            found = [node["file"]] if "file" in node else []
            for value in node.values():
                if isinstance(value, (list, dict)):
                    found += walk(value)
            return found
        if isinstance(node, list):
            return [name for item in node for name in walk(item)]
        return []

    spec = yaml.safe_load(toc.read_text(encoding="utf-8"))
    names = [spec["root"], *walk(spec.get("parts", spec.get("chapters", [])))]
    return [ROOT / f"{name}.md" for name in names]


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m analysis``."""
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check-data", help="verify checksums and schemas of every data file")
    commands.add_parser("build-report", help="chapter execution times of the last build")
    from analysis.release import add_commands

    add_commands(commands)  # reproduce, compare-findings, publish-release
    decide = commands.add_parser(
        "decide", help="expected liveability effect of an area programme at a dose (report)",
        description="Fit the wijkenaanpak postcode event study (REAL Leefbaarometer 3.0 data, "
        "through the book's checking pipeline) and predict the effect of an area programme "
        "in a new municipality at the given dose, optionally updated with the municipality's "
        "own evaluations; write summary.csv, checks.csv, report.md and a PNG to --out. "
        "Inputs are validated before anything is fitted.",
    )
    decide.add_argument("evaluations", nargs="?", default=None,
                        help="optional CSV of the municipality's own evaluations (columns: "
                        "evaluation_id, area, effect, standard_error; LBM 3.0 units); comma "
                        "CSV or Dutch Excel export (semicolon, decimal comma)")
    decide.add_argument("--dose-eur-per-resident", type=str, required=True,
                        help="extra investment per resident in EUR (per resident of the "
                        "programme area, post-treatment population as in the fit)")
    decide.add_argument("--threshold", type=str, action="append", default=None,
                        help="report P(effect > T) for T in LBM 3.0 units (repeatable; "
                        "default 0)")
    decide.add_argument("--municipality", default=None,
                        help="CBS code (GM0363) or name of the municipality (2016): its "
                        "population, address density and non-western share are compared "
                        "with the 18 Vogelaar municipalities, with a one-line warning when "
                        "outside their range")
    decide.add_argument("--out", required=True, help="folder for the report")
    decide.add_argument("--draws", type=int, default=None,
                        help="posterior draws per chain; default: the model "
                        "family's settings")
    decide.add_argument("--chains", type=int, default=None,
                        help="MCMC chains; default: the model family's settings")
    decide.add_argument("--seed", type=int, default=SEED, help="random seed")
    args = parser.parse_args(argv)
    if hasattr(args, "run"):
        return args.run(args)
    if args.command == "check-data":
        return check_data()
    if args.command == "build-report":
        return build_report()
    if args.command == "decide":
        from analysis.decision import run_command

        return run_command(args)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
