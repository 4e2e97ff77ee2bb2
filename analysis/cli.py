"""Command line of the science: ``python -m analysis check-data`` and ``decide``.

``python -m analysis check-data`` verifies every data file;
``python -m analysis decide [OWN_EVALUATIONS.csv] --dose-eur-per-resident X [--municipality M]
--out DIR`` writes a decision report for a municipality (see
:mod:`analysis.results.decision`) and warns in one line when the dose or the municipality lies
outside the data the posterior learns from.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from pathlib import Path

from analysis.config import SEED
from analysis.data import DataError, load_datapackage, load_municipalities_2016, load_resource
from analysis.data.evaluations import read_evaluations
from analysis.results.decision_inputs import (
    check_dose,
    check_thresholds,
    extrapolation_for,
    find_municipality,
)


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


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m analysis``."""
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check-data", help="verify checksums and schemas of every data file")
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
    if args.command == "check-data":
        return check_data()
    if args.command == "decide":
        return decide_command(args)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def decide_command(args: argparse.Namespace) -> int:
    """Run ``python -m analysis decide`` with parsed arguments; return the exit status.

    Every input is validated before PyMC is imported, so a bad file or option fails within a
    second or two with one line and nothing written.
    """
    def say(message: str) -> None:
        print(f"[decide] {message}", file=sys.stderr, flush=True)

    try:
        dose = check_dose(args.dose_eur_per_resident)
        thresholds = check_thresholds(args.threshold)
        evaluations = read_evaluations(args.evaluations) if args.evaluations else None
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            raise DataError(f"--out: {out} exists and is not a folder")
        municipality = getattr(args, "municipality", None)
        if municipality is not None:
            find_municipality(load_municipalities_2016(), municipality)
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if evaluations is not None:
        say(f"read {evaluations.n} own evaluation(s) from {evaluations.source} "
            f"({evaluations.format})")
    check = extrapolation_for(dose, municipality)
    if check.warning() is not None:
        print(check.warning(), file=sys.stderr, flush=True)
    elif check.municipality is not None:
        say(f"{check.municipality}: dose and covariates inside the range of the 18 "
            f"(standardised distance to the nearest, {check.nearest}: "
            f"{check.nearest_distance:.1f}; Mahalanobis {check.mahalanobis:.1f})")
    overrides = {k: v for k, v in (("draws", args.draws), ("chains", args.chains))
                 if v is not None}

    # The fit's modules (PyMC) are imported only now, after every input has passed.
    from analysis.inference.diagnostics import ConvergenceError
    from analysis.inference.workflow import WorkflowError
    from analysis.results.decision import decide, write_report

    logging.getLogger("pymc").setLevel(logging.WARNING)  # no "Sampling: [...]" lines

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # sampler chatter; the gate decides
        try:
            decision = decide(evaluations, dose, thresholds=thresholds, seed=args.seed,
                              progress=say, extrapolation=check, **overrides)
        except (ConvergenceError, WorkflowError) as err:  # the gate or a check said no
            print(f"error: {err}\nNothing was written.", file=sys.stderr)
            return 1
    files = write_report(decision, out)
    say("wrote " + ", ".join(str(f) for f in files))
    print(decision.table().round(4).to_string(index=False))
    return 0
