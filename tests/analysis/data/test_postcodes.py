"""Postcode exposure and panel of the wijkenaanpak (analysis/data/postcodes.py), on small frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.data import postcodes as pcs


@pytest.fixture
def frames():
    """Two programme municipalities' wijken (GM0001, GM0002) and one outside (GM0099)."""
    pc4_wijk = pd.DataFrame({
        "pc4": [1000, 1000, 1001, 1002, 1002, 1003],
        "wijk_code": ["WK000101", "WK000102", "WK000102", "WK000201", "WK009901", "WK009901"],
        "gemeente_code": ["GM0001", "GM0001", "GM0001", "GM0002", "GM0099", "GM0099"],
        "addresses": [300, 100, 500, 200, 800, 400],
        "share_of_pc4": [0.75, 0.25, 1.0, 0.2, 0.8, 1.0],
    })
    treatment = pd.DataFrame({
        "wijk_code": ["WK000101", "WK000102", "WK000201"],
        "tier": ["exact", "partial", "unmatched"],
        "treated_strict": [1, 0, 0], "treated_broad": [1, 1, 0],
        "investment_eur_per_resident": [400.0, 100.0, 0.0],
    })
    years = list(pcs.YEARS)
    lbm = pd.DataFrame({
        "PC4": np.repeat([1000, 1001, 1002, 1003], len(years)),
        "jaar": years * 4,
        "lbm": np.concatenate([4.0 + 0.01 * np.arange(8), 4.2 + 0.0 * np.arange(8),
                               4.1 + 0.02 * np.arange(8), 4.3 + 0.0 * np.arange(8)]),
    })
    return pc4_wijk, treatment, lbm


def test_exposure_is_the_address_share_inside_treated_wijken(frames):
    pc4_wijk, treatment, _ = frames
    ex = pcs.pc4_exposure(pc4_wijk, treatment)
    assert list(ex.index) == [1000, 1001, 1002]  # 1003 has no address in the 18
    assert ex.loc[1000, "exposure_strict"] == pytest.approx(0.75)
    assert ex.loc[1000, "exposure_broad"] == pytest.approx(1.0)
    assert ex.loc[1001, "exposure_strict"] == 0 and ex.loc[1001, "exposure_broad"] == 1.0
    assert ex.loc[1002, "share_in_programme_municipalities"] == pytest.approx(0.2)
    assert ex.loc[1002, "gm_code"] == "GM0099"
    # dose: address-weighted investment of the covering treated wijken
    assert ex.loc[1000, "dose_strict"] == pytest.approx(400.0)
    assert ex.loc[1000, "dose_broad"] == pytest.approx(0.75 * 400 + 0.25 * 100)
    assert ex.loc[1001, "dose_strict"] == 0.0
    assert ex.attrs["n_treatment_codes_missing"] == 0


def test_exposure_refuses_shares_that_do_not_sum_to_one(frames):
    pc4_wijk, treatment, _ = frames
    pc4_wijk.loc[0, "share_of_pc4"] = 0.5
    with pytest.raises(pcs.PostcodeError, match=r"shares of postcode 1000 sum to 0\.7500"):
        pcs.pc4_exposure(pc4_wijk, treatment)


def test_panel_keeps_programme_postcodes_and_standardises_the_baseline(frames):
    pc4_wijk, treatment, lbm = frames
    ex = pcs.pc4_exposure(pc4_wijk, treatment)
    panel = pcs.build_postcode_panel(lbm, ex)
    assert sorted(panel["pc4"].unique()) == [1000, 1001]  # 1002 mostly outside
    assert panel.attrs["n_dropped_outside"] == 1
    base = panel.drop_duplicates("pc4")
    assert base["baseline_c"].mean() == pytest.approx(0.0)
    assert base["baseline"].tolist() == pytest.approx([4.01, 4.2])


def test_changes_are_measured_from_2008(frames):
    pc4_wijk, treatment, lbm = frames
    panel = pcs.build_postcode_panel(lbm, pcs.pc4_exposure(pc4_wijk, treatment))
    changes = pcs.event_changes(panel)
    first = changes[changes["pc4"] == 1000].set_index("year")["change"]
    assert 2008 not in first.index
    assert first[2002] == pytest.approx(-0.01)
    assert first[2022] == pytest.approx(0.06)
    assert set(changes.loc[changes["year"] < 2008, "period"]) == {"pre"}


def test_changes_refuse_a_postcode_without_a_reference_score(frames):
    pc4_wijk, treatment, lbm = frames
    panel = pcs.build_postcode_panel(lbm, pcs.pc4_exposure(pc4_wijk, treatment))
    with pytest.raises(pcs.PostcodeError, match=r"no score in the reference year 2014"):
        pcs.event_changes(panel[panel["year"] != 2014], reference_year=2014)


def test_duplicated_postcode_years_are_refused(frames):
    pc4_wijk, treatment, lbm = frames
    lbm = pd.concat([lbm, lbm.iloc[[0]]])
    with pytest.raises(pcs.PostcodeError, match=r"postcode 1000 has more than one row"):
        pcs.build_postcode_panel(lbm, pcs.pc4_exposure(pc4_wijk, treatment))


def test_quintile_gains_and_mean_paths_by_hand():
    years = [2008, 2020]
    panel = pd.DataFrame({"pc4": np.repeat(np.arange(10), 2), "year": years * 10,
                          "lbm": np.ravel([[b, b + g] for b, g in
                                           zip(np.arange(10.0), np.arange(10.0)[::-1] / 10,
                                               strict=True)])})
    gains = pcs.baseline_quintile_gains(panel)
    assert gains.tolist() == pytest.approx([0.85, 0.65, 0.45, 0.25, 0.05])
    changes = pd.DataFrame({"year": [2002, 2002, 2002], "change": [1.0, 3.0, 0.5],
                            "x": [1.0, 0.5, 0.0]})
    paths = pcs.mean_paths(changes, "x")
    assert paths.loc[2002, "exposed"] == pytest.approx(2.5 / 1.5)
    assert paths.loc[2002, "difference"] == pytest.approx(2.5 / 1.5 - 0.5)


def test_evidence_check_joins_only_high_and_medium_evidence(frames):
    pc4_wijk, treatment, _ = frames
    ex = pcs.pc4_exposure(pc4_wijk, treatment)
    evidence = pd.DataFrame({"gemeente": ["A", "A"], "wijk": ["W", "W"], "pc4": [1000, 1001],
                             "confidence": ["high", "low"]})
    table = pcs.evidence_check(ex, evidence)
    assert table["pc4"].tolist() == [1000]
    assert table.loc[0, "exposure_strict"] == pytest.approx(0.75)
