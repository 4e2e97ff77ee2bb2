"""analysis.results.segregation: textbook cases, PySAL reference values, an independent file."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.data import load_buurten, load_segregation_reference, load_wijken
from analysis.results import segregation

# Four units of 100 inhabitants holding 10, 20, 30 and 40 members of the group (X = 100,
# T = 400, P = 1/4). By hand: D = 1/2 (0.2 + 1/15 + 1/15 + 0.2) = 4/15; xPx = 0.01 + 0.04 +
# 0.09 + 0.16 = 0.30; xPy = 0.70; H = 1 - mean(E_i) / E with E(p) = -p ln p - (1-p) ln(1-p).
TEXTBOOK_X = np.array([10, 20, 30, 40])
TEXTBOOK_T = np.array([100, 100, 100, 100])


def _e(p: float) -> float:
    return -p * math.log(p) - (1 - p) * math.log(1 - p)


TEXTBOOK = {
    "dissimilarity": 4 / 15,
    "isolation": 0.30,
    "exposure": 0.70,
    "entropy": 1 - (_e(0.1) + _e(0.2) + _e(0.3) + _e(0.4)) / 4 / _e(0.25),
}

# PySAL segregation 2.5.4 (Dissim, Isolation, Interaction, Entropy) on the KWB 2024 units with
# population > 0, computed in a separate venv by scripts/segregation_reference_pysal.py.
PYSAL_TEXTBOOK = {"dissimilarity": 0.266666666667, "isolation": 0.3, "exposure": 0.7,
                  "entropy": 0.062231221817}
PYSAL_CITIES = {
    ("GM0363", "wijk"): {"dissimilarity": 0.271209822195, "isolation": 0.484173189177,
                         "exposure": 0.515826810823, "entropy": 0.076647303167},
    ("GM0599", "wijk"): {"dissimilarity": 0.195607432591, "isolation": 0.468874270594,
                         "exposure": 0.531125729406, "entropy": 0.043647400475},
    ("GM0518", "wijk"): {"dissimilarity": 0.313555208823, "isolation": 0.500311238327,
                         "exposure": 0.499688761673, "entropy": 0.102583183712},
    ("GM0344", "wijk"): {"dissimilarity": 0.229583788044, "isolation": 0.339203513645,
                         "exposure": 0.660796486355, "entropy": 0.051105065008},
    ("GM0363", "buurt"): {"dissimilarity": 0.298227594313, "isolation": 0.497255861642,
                          "exposure": 0.502744138358, "entropy": 0.094782650809},
    ("GM0599", "buurt"): {"dissimilarity": 0.240135262655, "isolation": 0.488081633512,
                          "exposure": 0.511918366488, "entropy": 0.069902999051},
    ("GM0518", "buurt"): {"dissimilarity": 0.330372449201, "isolation": 0.509441254118,
                          "exposure": 0.490558745882, "entropy": 0.114688772768},
    ("GM0344", "buurt"): {"dissimilarity": 0.290000255826, "isolation": 0.372242041664,
                          "exposure": 0.627757958336, "entropy": 0.08899265651},
}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return segregation.municipal_segregation(load_wijken(), load_buurten())


@pytest.mark.parametrize("name", list(TEXTBOOK))
def test_textbook_case_matches_hand_computation(name):
    func = getattr(segregation, name)
    other = TEXTBOOK_T - TEXTBOOK_X if name == "dissimilarity" else TEXTBOOK_T
    assert func(TEXTBOOK_X, other) == pytest.approx(TEXTBOOK[name], rel=1e-12)
    assert func(TEXTBOOK_X, other) == pytest.approx(PYSAL_TEXTBOOK[name], abs=1e-12)


def test_complete_segregation_gives_one_and_even_spread_gives_zero():
    x, t = np.array([50, 0, 0]), np.array([50, 30, 20])
    assert segregation.dissimilarity(x, t - x) == 1.0
    assert segregation.isolation(x, t) == 1.0
    assert segregation.entropy(x, t) == pytest.approx(1.0)
    x, t = np.array([10, 20, 30]), np.array([100, 200, 300])
    assert segregation.dissimilarity(x, t - x) == pytest.approx(0.0, abs=1e-15)
    assert segregation.isolation(x, t) == pytest.approx(0.1)  # = P when spread evenly
    assert segregation.entropy(x, t) == pytest.approx(0.0, abs=1e-12)


def test_empty_group_gives_nan_and_zero_population_units_are_ignored():
    assert math.isnan(segregation.dissimilarity([0, 0], [5, 5]))
    assert math.isnan(segregation.isolation([0, 0], [5, 5]))
    with_empty = segregation.isolation([10, 0, 5], [20, 20, 0])
    assert with_empty == segregation.isolation([10, 0], [20, 20])


@pytest.mark.parametrize("key", list(PYSAL_CITIES))
def test_four_cities_match_pysal(table, key):
    row = table.loc[key]
    for name, expected in PYSAL_CITIES[key].items():
        assert row[name] == pytest.approx(expected, abs=1e-11), name


def test_isolation_plus_exposure_is_one(table):
    total = (table["isolation"] + table["exposure"]).dropna()
    np.testing.assert_allclose(total, 1.0, rtol=1e-12)


def test_agrees_with_independent_file_except_where_empty_units_hold_people(table):
    """The curator's file (rounded to 4 decimals) keeps units of population 0 in D and X.

    Those units (CBS rounding: 5 persons of one origin in a unit of population 0) occur in 17
    municipality-unit rows; elsewhere D (both versions) and isolation agree to rounding.
    """
    reference = load_segregation_reference().set_index(["gemeente_code", "unit"]).sort_index()
    ours = table.loc[reference.index]
    pairs = {
        "dissimilarity": "dissimilarity_outside_europe_vs_rest",
        "dissimilarity_vs_netherlands": "dissimilarity_outside_europe_vs_netherlands",
        "isolation": "isolation_outside_europe",
    }
    gap = pd.concat([(ours[a] - reference[b]).abs() for a, b in pairs.items()], axis=1).max(axis=1)
    assert (gap > 5.1e-5).sum() == 17
    assert gap.max() < 3e-3
    np.testing.assert_array_equal(ours["population"], reference["population"])


@pytest.mark.parametrize(
    ("code", "unit", "d_vs_nl"),
    [("GM0518", "buurt", 0.3875), ("GM0599", "buurt", 0.2815), ("GM0344", "buurt", 0.3017),
     ("GM0363", "wijk", 0.2876), ("GM0518", "wijk", 0.3697)],
)
def test_dissimilarity_vs_netherlands_matches_provenance_sanity_values(table, code, unit, d_vs_nl):
    assert table.loc[(code, unit), "dissimilarity_vs_netherlands"] == pytest.approx(
        d_vs_nl, abs=5.1e-5
    )


def test_grouped_dissimilarity_matches_dissimilarity_per_municipality(rng):
    total = rng.integers(1, 500, size=40)
    groups = rng.integers(0, 4, size=40)
    counts = rng.binomial(total, 0.3, size=(2, 3, 40))
    out = segregation.grouped_dissimilarity(counts, total, groups)
    assert out.shape == (2, 3, 4)
    for k in range(4):
        part = groups == k
        x = counts[1, 2, part]
        assert out[1, 2, k] == pytest.approx(segregation.dissimilarity(x, total[part] - x))


def test_grouped_dissimilarity_textbook_and_empty_group():
    x = np.concatenate([TEXTBOOK_X, [0, 0]])
    t = np.concatenate([TEXTBOOK_T, [50, 50]])
    out = segregation.grouped_dissimilarity(x[None, :], t, [0, 0, 0, 0, 1, 1])
    assert out[0, 0] == pytest.approx(4 / 15)
    assert math.isnan(out[0, 1])  # no group member: D undefined


def test_grouped_dissimilarity_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match=r"group has 3 units, total 2, unit_group 2"):
        segregation.grouped_dissimilarity([[1, 2, 3]], [5, 5], [0, 0])
