"""Fit one benchmark model with one NUTS backend and print one JSON line (run in its own process).

Usage: ``python benchmarks/sampler_run.py CASE BACKEND [--draws N --tune N --chains N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=2")

START = time.perf_counter()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("case")
    parser.add_argument("backend")
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    args = parser.parse_args()

    sys.path.insert(0, os.path.dirname(__file__))
    import arviz as az
    from models import CASES

    from analysis.config import SEED
    from analysis.inference.sampling import fit
    from analysis.inference.settings import DEFAULT, LOW_RANK_NUTPIE

    try:
        model = CASES[args.case]()
    except (ImportError, AttributeError) as err:
        print(json.dumps({"case": args.case, "backend": args.backend, "skipped": str(err)}))
        return 0
    built = time.perf_counter()
    try:
        # "nutpie_low_rank" is the book's LOW_RANK_NUTPIE setting; the rest are fit()'s backends
        base = (LOW_RANK_NUTPIE if args.backend == "nutpie_low_rank"
                else DEFAULT.replace(backend=args.backend))
        idata = fit(model, seed=SEED,
                    **base.replace(draws=args.draws, tune=args.tune, chains=args.chains))
    except Exception as err:  # noqa: BLE001 - a backend failing is a result to report
        print(json.dumps({"case": args.case, "backend": args.backend,
                          "failed": f"{type(err).__name__}: {err}"[:300]}))
        return 0
    done = time.perf_counter()
    summary = az.summary(idata, round_to="none")
    divergences = int(idata.sample_stats["diverging"].sum())
    wall = done - built
    # The backend's own clock around its sampling loop; the rest of the fit is compilation and
    # set-up (for the JAX backends JIT compilation happens inside that loop and counts there).
    sampling = float(idata.posterior.attrs.get("sampling_time", float("nan")))
    result = {
        "case": args.case,
        "backend": args.backend,
        "import_and_build_s": round(built - START, 2),
        "fit_wall_s": round(wall, 2),
        "sampling_s": round(sampling, 2),
        "compile_and_setup_s": round(wall - sampling, 2),
        "min_ess_bulk": round(float(summary["ess_bulk"].min()), 1),
        "min_ess_tail": round(float(summary["ess_tail"].min()), 1),
        "max_rhat": round(float(summary["r_hat"].max()), 4),
        "divergences": divergences,
        "min_ess_bulk_per_s": round(float(summary["ess_bulk"].min()) / wall, 2),
        "draws": args.draws, "tune": args.tune, "chains": args.chains,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
