"""Command line of the book.

``python -m analysis check-data`` verifies every data file; ``python -m analysis build-report``
prints how long each chapter took to execute in the last build; ``reproduce``,
``compare-findings`` and ``publish-release`` are the release commands of :mod:`analysis.release`;
``python -m analysis decide REGISTRY.csv --municipality-size N --share-outside-europe P --out
DIR`` writes a decision report for a municipality (see :mod:`analysis.decision`).
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
    """Print each cached chapter's execution time and where the HTML book is."""
    from jupyter_cache import get_cache

    if not cache_dir.is_dir():
        print(f"no execution cache at {cache_dir}; build the book first (nox -s book)")
        return 1
    latest: dict[str, object] = {}
    for record in sorted(get_cache(str(cache_dir)).list_cache_records(), key=lambda r: r.created):
        latest[record.uri] = record  # keep the newest execution of each chapter
    print(f"{'chapter':<48} {'executed (s)':>12}")
    for record in sorted(latest.values(), key=lambda r: r.uri):
        seconds = (record.data or {}).get("execution_seconds", float("nan"))
        uri = Path(record.uri)
        shown = uri.relative_to(ROOT).as_posix() if uri.is_relative_to(ROOT) else str(uri)
        print(f"{shown:<48} {seconds:>12.1f}")
    print(f"HTML book: {BUILD_DIR / 'html' / 'index.html'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m analysis``."""
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check-data", help="verify checksums and schemas of every data file")
    commands.add_parser("build-report", help="chapter execution times of the last build")
    from analysis.release import add_commands

    add_commands(commands)  # reproduce, compare-findings, publish-release
    decide = commands.add_parser(
        "decide", help="predicted effect of each instrument for a municipality (report)",
        description="Fit the registry model to REGISTRY.csv and predict each intervention "
        "type's effect in a new municipality; write summary.csv, report.md and a PNG to --out.",
    )
    decide.add_argument("registry", help="registry CSV (columns: municipality_code, "
                        "municipality, intervention_type, effect_size, standard_error)")
    decide.add_argument("--municipality-size", type=float, required=True,
                        help="population of the municipality to advise")
    decide.add_argument("--share-outside-europe", type=float, required=True,
                        help="%% of its inhabitants with an origin outside Europe (0-100)")
    decide.add_argument("--out", required=True, help="folder for the report")
    decide.add_argument("--draws", type=int, default=1000, help="draws (and tuning steps)")
    decide.add_argument("--chains", type=int, default=4, help="MCMC chains")
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
