"""Derive the book's ``data/`` files from the source copies in ``../shared/data``.

Run from the repository root: ``python scripts/make_data.py [--shared PATH]``. The script is the
only code that reads the source copies; the book and the tests read ``data/`` alone. Every output
is validated against its schema in memory, written to a temporary file and renamed into place, and
``data/datapackage.json`` records its provenance, columns and sha256.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.data import read_csv_checked, sha256_of  # noqa: E402
from analysis.schemas import SCHEMAS  # noqa: E402

DATA_DIR = ROOT / "data"

RESOURCES: dict[str, dict] = {
    "paluck2019_contact_studies": {
        "source_file": "paluck2019_contact_studies.csv",
        "title": "Contact-hypothesis randomised trials (Paluck, Green & Green 2019)",
        "description": (
            "27 randomised studies of intergroup contact with at least one day between treatment "
            "and outcome, 1969-2016; standardised effect d and its standard error."
        ),
        "citation": (
            "Paluck, E. L., Green, S. A., & Green, D. P. (2019). The contact hypothesis "
            "re-evaluated. Behavioural Public Policy, 3(2), 129-158. doi:10.1017/bpp.2018.25"
        ),
        "source": (
            "GitHub setgree/PaluckMetaSOP, data/contact_data.rda (R object contact_data), commit "
            "2de9de0fcd4d553e5754cc70bc3a1acc6af68a6b; converted to CSV with pyreadr, "
            "column Study renamed to study; values unchanged."
        ),
        "licence": (
            "MIT (Copyright 2024 Betsy Levy Paluck, Roni Porat, Seth Ariel Green, and "
            "John-Henry Pezzuto)"
        ),
        "kind": "real",
        "notes": (
            "Oddities kept as published: 'Meshel 04' has pub_date 1997, 'Dessel 10' 2008, "
            "'Yabon 12' is Yablon (2012). Only Finseraas 2017 targets 'foreigners' in the sense "
            "of ethnic or national out-groups."
        ),
        "transform": None,
    },
}


def derive(name: str, spec: dict, shared: Path) -> bytes:
    """Return the bytes of the derived CSV for one resource (validated, not yet written)."""
    source = shared / spec["source_file"]
    frame = read_csv_checked(source, SCHEMAS[name])
    raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    if spec["transform"] is not None:
        raw = spec["transform"](raw)
    buffer = io.StringIO()
    raw.to_csv(buffer, index=False, lineterminator="\n")
    assert len(raw) == len(frame)
    return buffer.getvalue().encode("utf-8")


def write_atomic(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` through a temporary file and a rename."""
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
        handle.write(payload)
    os.replace(handle.name, path)


def main(argv: list[str] | None = None) -> int:
    """Derive every resource, validate all of them, then write files and the datapackage."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args(argv)
    outputs = {name: derive(name, spec, args.shared) for name, spec in RESOURCES.items()}

    resources = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, payload in outputs.items():  # validate the exact bytes before writing anything
            check = Path(tmp) / f"{name}.csv"
            check.write_bytes(payload)
            frame = read_csv_checked(check, SCHEMAS[name])
            spec = RESOURCES[name]
            resources.append(
                {
                    "name": name,
                    "path": f"{name}.csv",
                    "title": spec["title"],
                    "description": spec["description"],
                    "kind": spec["kind"],
                    "citation": spec["citation"],
                    "source": spec["source"],
                    "licence": spec["licence"],
                    "notes": spec["notes"],
                    "rows": len(frame),
                    "sha256": sha256_of(check),
                    "schema": {
                        "fields": [
                            {"name": c.name, "type": c.kind, "description": c.description,
                             "unit": c.unit, "nullable": c.nullable}
                            for c in SCHEMAS[name]
                        ]
                    },
                }
            )
    for name, payload in outputs.items():
        write_atomic(DATA_DIR / f"{name}.csv", payload)
    package = {
        "name": "spreiding-en-integratie",
        "title": "Data of the research book Spreiding en integratie",
        "profile": "data-package",
        "generated_by": "scripts/make_data.py",
        "resources": resources,
    }
    write_atomic(
        DATA_DIR / "datapackage.json",
        (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
    )
    for res in resources:
        print(f"wrote data/{res['path']}: {res['rows']} rows, sha256 {res['sha256']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
