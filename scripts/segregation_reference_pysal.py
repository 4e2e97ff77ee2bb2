"""Print reference segregation indices computed with PySAL ``segregation`` 2.5.4.

Not part of the book's environment: PySAL ``segregation`` pulls in geopandas, pyproj, pyogrio,
shapely, libpysal and scikit-learn (a ~690 MB virtual environment here), so it is used once, in a
throwaway venv, to produce the reference values pinned in
``tests/analysis/results/test_segregation.py``::

    uv venv /tmp/pysal-venv --python 3.11
    VIRTUAL_ENV=/tmp/pysal-venv uv pip install segregation==2.5.4 pandas==3.1.1
    /tmp/pysal-venv/bin/python scripts/segregation_reference_pysal.py

It reads the CSV files in ``data/`` directly (no ``analysis`` import) and, like
``analysis.results.segregation``, drops units whose population is 0.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from segregation.singlegroup import Dissim, Entropy, Interaction, Isolation

DATA = Path(__file__).resolve().parents[1] / "data"
CITIES = {"GM0363": "Amsterdam", "GM0599": "Rotterdam", "GM0518": "'s-Gravenhage",
          "GM0344": "Utrecht"}
FILES = {"wijk": "cbs_kwb2024_wijk_population_origin.csv",
         "buurt": "cbs_kwb2024_buurt_population_origin.csv"}


def indices(frame: pd.DataFrame) -> dict[str, float]:
    """Return PySAL's D, xPx, xPy and H of the outside-Europe group in one municipality."""
    kw = {"group_pop_var": "origin_outside_europe", "total_pop_var": "population"}
    return {
        "dissimilarity": Dissim(frame, **kw).statistic,
        "isolation": Isolation(frame, **kw).statistic,
        "exposure": Interaction(frame, **kw).statistic,
        "entropy": Entropy(frame, **kw).statistic,
    }


def main() -> None:
    """Print one line per city and unit, and the textbook case, as Python literals."""
    textbook = pd.DataFrame({"origin_outside_europe": [10, 20, 30, 40],
                             "population": [100, 100, 100, 100]})
    print("textbook", {k: round(float(v), 12) for k, v in indices(textbook).items()})
    for unit, name in FILES.items():
        units = pd.read_csv(DATA / name, dtype={"gemeente_code": str})
        for code in CITIES:
            part = units[(units["gemeente_code"] == code) & (units["population"] > 0)]
            values = {k: round(float(v), 12) for k, v in indices(part).items()}
            print(f"({code!r}, {unit!r}): {values},")


if __name__ == "__main__":
    main()
