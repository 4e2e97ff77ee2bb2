"""Data preparation for the concentration chapters (analysis/data/concentration.py), real files."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.data import load_municipal_housing, load_municipalities
from analysis.data.concentration import (
    COVARIATES,
    MERGERS_2019_2024,
    amsterdam_buurten,
    composition_data,
    housing_2019_by_2024_code,
)


def test_every_2024_municipality_gets_2019_housing_and_mergers_are_the_only_gap():
    housing = housing_2019_by_2024_code()
    assert len(housing) == 342
    assert housing["pct_rental_2019"].notna().all()
    assert set(housing.index[housing["housing_from_merger"]]) == set(MERGERS_2019_2024)


def test_merger_predecessors_hold_the_merged_population_within_ten_percent():
    gemeenten = load_municipalities().set_index("gemeente_code")
    housing = housing_2019_by_2024_code()
    for code in MERGERS_2019_2024:
        ratio = housing.loc[code, "population_2019"] / gemeenten.loc[code, "population_2024"]
        assert 0.90 < ratio < 1.10, (code, ratio)  # 2019-2024 growth allowed


def test_merger_rental_share_is_the_dwelling_weighted_mean_by_hand():
    h = load_municipal_housing()
    h = h[h["year"] == 2019].set_index("gm_code")
    parts = h.loc[list(MERGERS_2019_2024["GM1980"])]  # Dijk en Waard
    expected = (parts["pct_rental"] * parts["dwellings"]).sum() / parts["dwellings"].sum()
    assert housing_2019_by_2024_code().loc["GM1980", "pct_rental_2019"] == pytest.approx(expected)


def test_composition_data_covariates_are_standardised_and_complete():
    data = composition_data()
    assert list(data.covariates.columns) == list(COVARIATES)
    assert not data.covariates.isna().any().any()
    observed = data.municipalities[list(COVARIATES)].notna()
    for col in COVARIATES:
        z = data.covariates.loc[observed[col], col]
        assert z.mean() == pytest.approx(0.0, abs=0.02)
    w = data.wijken
    assert (w["n"] > 0).all() and (w["y"] <= w["n"]).all()
    assert (data.covariates.index[w["municipality_idx"]] == w["gemeente_code"]).all()
    assert data.municipalities["vogelaar"].sum() == 18


def test_amsterdam_within_parts_sum_to_zero_in_every_wijk():
    b = amsterdam_buurten()
    sums = b.groupby("wijk_code")["pct_rental_housing_corporation_within"].sum()
    assert np.allclose(sums, 0.0, atol=1e-9)
    assert b.attrs["n_dropped"] + len(b) == 479
    assert (b["n"] >= 200).all()
