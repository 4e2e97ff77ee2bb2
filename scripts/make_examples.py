"""Write the example registries in data/examples/ from the SIMULATED registry (deterministic).

``municipal_registry_example.csv``: the interventions of the 12 largest municipalities of
``data/simulated/registry.csv`` (ids ``SIM-...``: SIMULATED, not evidence), with the columns a
municipality would keep. ``municipal_registry_malformed.csv``: the same file with one planted
error (a negative standard error in data row 5), for the command's error test.

Run: ``python scripts/make_examples.py``.
"""

from __future__ import annotations

from analysis.config import DATA_DIR
from analysis.data import load_registry, write_atomic

COLUMNS = ["intervention_id", "municipality_code", "municipality", "intervention_type",
           "activity", "year", "effect_size", "standard_error", "population",
           "pct_outside_europe"]


def main() -> None:
    """Derive both example files and write them atomically."""
    registry = load_registry()
    largest = (registry.drop_duplicates("municipality_code")
               .nlargest(12, "population")["municipality_code"])
    example = registry[registry["municipality_code"].isin(largest)][COLUMNS]
    out = DATA_DIR / "examples"
    out.mkdir(exist_ok=True)
    text = example.to_csv(index=False, lineterminator="\n")
    write_atomic(out / "municipal_registry_example.csv", text.encode("utf-8"))
    lines = text.splitlines()
    fields = lines[5].split(",")
    fields[COLUMNS.index("standard_error")] = "-0.12"
    lines[5] = ",".join(fields)
    write_atomic(out / "municipal_registry_malformed.csv", ("\n".join(lines) + "\n").encode())


if __name__ == "__main__":
    main()
