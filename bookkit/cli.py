"""Command line of the book's machinery: ``python -m bookkit COMMAND``.

``build-report`` prints how long each chapter took to execute in the last build (1 when one has
no successful execution); ``reproduce [--release X.Y.Z]`` re-executes every chapter and compares
its findings with a release's or the last build's; ``compare-findings A/ B/`` compares two
folders of findings files; ``publish-release X.Y.Z`` copies the built book into
``site/vX.Y.Z/``. The science's own commands are ``python -m analysis`` (:mod:`analysis.cli`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.config import ROOT
from bookkit.build_report import build_report
from bookkit.compare import compare_findings, format_comparison, load_findings
from bookkit.release import publish_release
from bookkit.reproduce import reproduce


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of ``python -m bookkit``; each command sets ``run(args) -> int``."""
    parser = argparse.ArgumentParser(prog="python -m bookkit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    sub = commands.add_parser("build-report", help="chapter execution times of the last build")
    sub.set_defaults(run=_build_report_command)
    sub = commands.add_parser("reproduce", help="re-execute every chapter and check findings")
    sub.add_argument("--release", help="compare with site/vX.Y.Z/findings (default: _build)")
    sub.set_defaults(run=_reproduce_command)
    sub = commands.add_parser("compare-findings", help="compare two folders of findings files")
    sub.add_argument("reference", type=Path)
    sub.add_argument("candidate", type=Path)
    sub.set_defaults(run=_compare_command)
    sub = commands.add_parser("publish-release", help="copy the built book into site/vX.Y.Z")
    sub.add_argument("version")
    sub.set_defaults(run=_publish_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m bookkit``; return the command's exit status."""
    args = build_parser().parse_args(argv)
    return args.run(args)


def _build_report_command(args: argparse.Namespace) -> int:
    """CLI: print the chapter execution times of the last build; 1 on a failed chapter."""
    return build_report()


def _reproduce_command(args: argparse.Namespace) -> int:
    """CLI: re-execute every chapter and compare with ``args.release`` (or the last build)."""
    return reproduce(ROOT, args.release)


def _compare_command(args: argparse.Namespace) -> int:
    """CLI: print the comparison of two findings folders; 1 on disagreement."""
    rows = compare_findings(load_findings(args.reference), load_findings(args.candidate))
    print(format_comparison(rows))
    return 1 if any(r.failed for r in rows) or not rows else 0


def _publish_command(args: argparse.Namespace) -> int:
    """CLI: publish the built book as release ``args.version``."""
    try:
        target = publish_release(args.version)
    except (FileExistsError, FileNotFoundError, ValueError) as err:
        print(f"error: {err}")
        return 1
    print(f"published {target}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
