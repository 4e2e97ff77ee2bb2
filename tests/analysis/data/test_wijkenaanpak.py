"""The wijkenaanpak analysis panel (analysis/data/wijkenaanpak.py): collapsing, matching, sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.data.wijkenaanpak import (
    EXCLUDED_ROLES,
    analysis_sample,
    build_panel,
    class_labels,
    collapse_classes,
    match_comparison_wijken,
    sample_table,
    transition_shares,
)


def test_collapse_classes_puts_one_to_four_in_the_lowest_category_and_keeps_missing():
    codes = collapse_classes(np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 9.0, np.nan]), lowest=4)
    assert codes.tolist() == [0, 0, 0, 0, 1, 2, 5, -1]
    assert class_labels(4) == ["<= 4", "5", "6", "7", "8", "9"]
    assert collapse_classes(np.array([1.0, 2.0, 3.0, 9.0])).tolist() == [0, 0, 1, 7]


def test_collapse_classes_refuses_a_class_outside_one_to_nine():
    with pytest.raises(ValueError, match=r"integers 1-9, got \[10.0\]"):
        collapse_classes(np.array([3.0, 10.0]))


def _frames():
    """Eight wijken: four in programme city GM0001 (two treated), four elsewhere."""
    codes = [f"WK00{i}" for i in range(8)]
    wijken = pd.DataFrame({
        "WK_CODE": codes, "WK_NAAM": [f"w{i}" for i in range(8)],
        "GM_CODE": ["GM0001"] * 4 + ["GM0002"] * 4, "GM_NAAM": ["A"] * 4 + ["B"] * 4,
        "P_N_W_AL": [40.0, 10.0, 30.0, 5.0, 39.0, 41.0, 12.0, 80.0],
        "AANT_INW": [5000, 6000, 7000, 8000, 5100, 4000, 6100, 5000],
    })
    classes = pd.DataFrame({
        "WK_CODE": codes,
        "KL02": [3.0, 7.0, 4.0, 8.0, 2.0, 4.0, 7.0, 6.0],
        "KL08": [4.0, 7.0, 4.0, 8.0, 3.0, 4.0, 7.0, 6.0],
        "KL12": [5.0, 7.0, 5.0, 8.0, 4.0, 5.0, 7.0, np.nan],
        "KL14": [5.0, 7.0, 5.0, 8.0, 4.0, 5.0, 7.0, 6.0],
        "KL16": [6.0, 8.0, 5.0, 8.0, 5.0, 5.0, 7.0, 6.0],
    })
    treatment = pd.DataFrame({
        "wijk_code": codes[:4], "treated_strict": [1, 0, 0, 0], "treated_broad": [1, 0, 1, 0],
        "investment_eur_per_resident": [400.0, 0.0, 200.0, 0.0],
        "tier": ["exact", "unmatched", "partial", "unmatched"],
        "gemeente_has_unplaced_vogelaar": [0, 0, 0, 0],
    })
    return classes, wijken, treatment


def test_matching_is_exact_on_the_collapsed_2002_class_and_nearest_on_composition():
    classes, wijken, _ = _frames()
    matches = match_comparison_wijken(classes, wijken, ["WK000"], ["GM0001"], n_per_treated=2,
                                      lowest=4)
    # WK000 has class 3 (category <= 4): candidates WK004 (class 2) and WK005 (class 4);
    # WK004 is closer in share non-western and population
    assert matches["comparison"].tolist() == ["WK004", "WK005"]
    assert set(matches["baseline_category"]) == {0}


def test_matching_never_reuses_a_comparison_wijk():
    classes, wijken, _ = _frames()
    matches = match_comparison_wijken(classes, wijken, ["WK000", "WK002"], ["GM0001"],
                                      n_per_treated=1, lowest=4)
    assert matches["comparison"].is_unique
    assert len(matches) == 2


def test_panel_is_long_drops_missing_years_and_standardises_the_dose_among_the_treated():
    classes, wijken, treatment = _frames()
    panel = build_panel(classes, wijken, treatment, n_per_treated=1, lowest=4)
    assert set(panel["wijk"]) == {"WK000", "WK001", "WK002", "WK003", "WK004", "WK005"}
    assert len(panel) == 6 * 5
    units = panel.groupby("wijk").first()
    broad = units[units["treated_broad"]]
    assert broad["dose_broad"].mean() == pytest.approx(0.0)
    assert broad["dose_broad"].std(ddof=0) == pytest.approx(1.0)
    assert units.loc["WK000", "dose_strict"] == 0.0  # one strict wijk: centred at its own mean
    assert units.loc["WK002", "role"] == "treated broad only"
    assert panel["category"].max() <= 5


def test_strict_sample_leaves_out_wijken_that_are_only_broadly_treated():
    classes, wijken, treatment = _frames()
    panel = build_panel(classes, wijken, treatment, n_per_treated=1, lowest=4)
    strict = analysis_sample(panel, "strict")
    broad = analysis_sample(panel, "broad")
    assert "WK002" not in set(strict["wijk"]) and "WK002" in set(broad["wijk"])
    assert strict.loc[strict["treated"], "wijk"].unique().tolist() == ["WK000"]
    assert set(EXCLUDED_ROLES) == {"strict", "broad"}
    # common support: WK001 (class 7) and WK003 (class 8) lie above the broadly treated
    # wijken's 2002 classes (3 and 4)
    assert set(broad["wijk"]) == {"WK000", "WK002", "WK004", "WK005"}
    table = sample_table(panel)
    assert table.loc["sample, broad definition", "wijken"] == 4
    with pytest.raises(ValueError, match="definition must be one of"):
        analysis_sample(panel, "loose")


def test_transition_shares_count_rises_and_falls_between_two_years():
    classes, wijken, treatment = _frames()
    panel = build_panel(classes, wijken, treatment, n_per_treated=1, lowest=4)
    table = transition_shares(panel, "treated_broad", 2008, 2016)
    # treated WK000 4 -> 6 and WK002 4 -> 5 both rose
    assert table.loc["treated", "rose"] == 1.0
    assert table.loc["treated", "wijken"] == 2
    row = table.loc["not treated"]
    assert row["rose"] + row["same"] + row["fell"] == pytest.approx(1.0)
