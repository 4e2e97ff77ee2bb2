"""The impulsgebieden panel: counts, exposure, changes, contrasts and errors that say what."""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.data import (
    load_impulsgebieden,
    load_lbm3_pc4,
    load_pc4_2023,
    load_pc4_municipality_2023,
)
from analysis.data import school_funding as sf
from analysis.data.school_funding import (
    SchoolFundingError,
    baseline_gaps,
    build_school_panel,
    designated_postcodes,
    dimension_contrasts,
    event_changes,
    mean_paths,
    postcodes,
    within_municipality_contrasts,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def frames():
    return load_lbm3_pc4(), load_impulsgebieden(), load_pc4_municipality_2023(), load_pc4_2023()


@pytest.fixture(scope="module")
def panel(frames):
    return build_school_panel(*frames)


def _toy(n_per_group: int = 3, effect: float = 0.0):
    """Two municipalities, designated and comparison postcodes, every year, known scores."""
    rows, imp, gm = [], [], []
    pc = 1000
    for gm_code in (1, 2):
        for designated in (0, 1):
            for k in range(n_per_group):
                pc += 1
                level = 4.0 + 0.01 * k - 0.1 * designated + 0.02 * gm_code
                for year in sf.YEARS:
                    bump = effect * designated * (year > sf.REFERENCE_YEAR)
                    rows.append({"PC4": pc, "jaar": year, "lbm": level + 0.001 * (year - 2002)
                                 + bump})
                imp.append({"pc4": pc, "impulsgebied_2013_2017": designated})
                gm.append({"pc4": pc, "gm_code2023": gm_code, "gm_naam2023": f"G{gm_code}"})
    return pd.DataFrame(rows), pd.DataFrame(imp), pd.DataFrame(gm)


def test_real_panel_keeps_966_of_967_designated_postcodes_in_197_municipalities(panel):
    pcs = postcodes(panel)
    assert pcs["designated"].sum() == 966  # one designated postcode lacks a pre-period score
    assert panel.attrs["n_dropped_incomplete_pre_designated"] == 1
    assert pcs["gm_code"].nunique() == 197
    assert len(pcs) == 3240
    assert set(panel["year"]) == set(sf.YEARS)
    # every municipality kept has at least one designated postcode
    assert (pcs.groupby("gm_code")["designated"].sum() >= 1).all()


def test_exposure_is_the_impulsgebieden_list_and_constant_within_postcode(frames, panel):
    listed = set(designated_postcodes(frames[1]))
    assert len(listed) == 967
    assert set(panel["designated"].unique()) == {0, 1}
    assert panel.groupby("pc4")["designated"].nunique().max() == 1
    flagged = set(panel.loc[panel["designated"] == 1, "pc4"])
    assert flagged <= listed and len(listed - flagged) == 1
    assert not (set(panel.loc[panel["designated"] == 0, "pc4"]) & listed)


def test_baseline_is_the_pre_period_mean_and_standardised(panel):
    pcs = postcodes(panel)
    wide = panel.pivot(index="pc4", columns="year", values="lbm")
    np.testing.assert_allclose(pcs["baseline"], wide[[2002, 2008, 2012]].mean(axis=1)[pcs.index])
    assert abs(pcs["baseline_c"].mean()) < 1e-12
    assert pcs["baseline_c"].std() == pytest.approx(1.0)


def test_designated_postcodes_were_worse_off_before_designation(panel):
    gaps = baseline_gaps(panel)
    assert gaps.loc["designated", "lbm_2012"] < gaps.loc["comparison", "lbm_2012"]
    assert gaps.loc["designated", "pct_rental_2023"] > gaps.loc["comparison", "pct_rental_2023"]


def test_event_changes_measure_from_2012_and_drop_its_row():
    lbm, imp, gm = _toy()
    changes = event_changes(build_school_panel(lbm, imp, gm))
    assert sf.REFERENCE_YEAR not in set(changes["year"])
    assert len(changes) == 12 * (len(sf.YEARS) - 1)
    row = changes[(changes["year"] == 2022)].iloc[0]
    assert row["change"] == pytest.approx(0.001 * 10)
    assert set(changes.loc[changes["year"] < 2012, "period"]) == {"pre"}


def test_within_municipality_contrast_recovers_a_planted_effect():
    lbm, imp, gm = _toy(effect=0.02)
    changes = event_changes(build_school_panel(lbm, imp, gm))
    table = within_municipality_contrasts(changes)
    np.testing.assert_allclose(table.loc[list(sf.POST_YEARS), "contrast"], 0.02, atol=1e-10)
    np.testing.assert_allclose(table.loc[list(sf.PRE_YEARS), "contrast"], 0.0, atol=1e-10)


def test_common_support_keeps_designated_and_drops_comparisons_outside_their_range(frames):
    panel = build_school_panel(*frames, comparison="common_support")
    pcs = postcodes(panel)
    assert pcs["designated"].sum() == 966
    assert panel.attrs["n_dropped_outside_support"] > 0
    rng = pcs[pcs["designated"] == 1].groupby("gm_code")["baseline"].agg(["min", "max"])
    comp = pcs[pcs["designated"] == 0]
    assert (comp["baseline"] >= comp["gm_code"].map(rng["min"])).all()
    assert (comp["baseline"] <= comp["gm_code"].map(rng["max"])).all()


def test_single_year_baseline_option(frames):
    panel = build_school_panel(*frames, baseline="2012")
    pcs = postcodes(panel)
    np.testing.assert_allclose(pcs["baseline"], pcs["lbm_ref"])


def test_dimension_contrasts_add_up_to_the_total(frames, panel):
    table = dimension_contrasts(frames[0], panel)
    dims = list(sf.DIMENSIONS)
    # the dimensions sum to afw; postcodes missing a dimension make the sums differ slightly
    assert table.loc[dims, "change"].sum() == pytest.approx(table.loc["total", "change"], abs=5e-4)


def test_weighted_mean_paths_need_population():
    lbm, imp, gm = _toy()
    with pytest.raises(SchoolFundingError, match="population_2023"):
        mean_paths(build_school_panel(lbm, imp, gm), weighted=True)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda lbm, imp, gm: (lbm, pd.concat([imp, imp.iloc[:1]]), gm), "more than once"),
        (lambda lbm, imp, gm: (lbm, imp.assign(impulsgebied_2013_2017=2), gm), "0 or 1"),
        (lambda lbm, imp, gm: (lbm[lbm["PC4"] != 1004], imp, gm), "not in the Leefbaarometer"),
        (lambda lbm, imp, gm: (lbm, imp, gm[gm["pc4"] != 1004]), "no municipality"),
        (lambda lbm, imp, gm: (lbm.drop(columns="lbm"), imp, gm), r"missing column\(s\) \['lbm'\]"),
        (lambda lbm, imp, gm: (pd.concat([lbm, lbm.iloc[:1]]), imp, gm), "more than one row"),
        (lambda lbm, imp, gm: (lbm.assign(jaar=lbm["jaar"].replace(2014, 2013)), imp, gm),
         r"unexpected year\(s\) \[2013\]"),
    ],
)
def test_bad_inputs_fail_with_a_message_that_says_what(edit, message):
    with pytest.raises(SchoolFundingError, match=message):
        build_school_panel(*edit(*_toy()))


def test_unknown_options_are_refused():
    with pytest.raises(SchoolFundingError, match="comparison must be one of"):
        build_school_panel(*_toy(), comparison="random")
    with pytest.raises(SchoolFundingError, match="baseline must be one of"):
        build_school_panel(*_toy(), baseline="2010")


def test_missing_reference_year_is_named():
    panel = build_school_panel(*_toy())
    with pytest.raises(SchoolFundingError, match="no score in the reference year 2012"):
        event_changes(panel[~((panel["pc4"] == 1001) & (panel["year"] == 2012))])


def test_no_source_folder_is_read_by_module_or_chapter():
    sources = [inspect.getsource(sf)]
    chapter = ROOT / "chapters" / "school_funding.md"
    if chapter.exists():
        sources.append(chapter.read_text(encoding="utf-8"))
    for text in sources:
        assert "../shared" not in text and "nl_policy" not in text
        assert "read_csv" not in text


def test_nearest_matching_takes_comparisons_from_the_same_municipality(frames):
    panel = build_school_panel(*frames, comparison="nearest", n_matches=2)
    pcs = postcodes(panel)
    assert pcs["designated"].sum() == 966
    n_comparison = (pcs["designated"] == 0).sum()
    assert 0 < n_comparison <= 2 * 966
    assert set(pcs.loc[pcs["designated"] == 0, "gm_code"]) <= set(
        pcs.loc[pcs["designated"] == 1, "gm_code"])
    # matching narrows the gap in the pre-designation level
    full = baseline_gaps(build_school_panel(*frames))
    matched = baseline_gaps(panel)
    gap = lambda t: t.loc["designated", "baseline"] - t.loc["comparison", "baseline"]  # noqa: E731
    assert abs(gap(matched)) < abs(gap(full))
    with pytest.raises(SchoolFundingError, match="n_matches must be >= 1"):
        build_school_panel(*frames, comparison="nearest", n_matches=0)


def test_nearest_match_of_a_toy_designated_postcode_is_the_closest_in_level():
    lbm, imp, gm = _toy()
    panel = build_school_panel(lbm, imp, gm, comparison="nearest", n_matches=1)
    pcs = postcodes(panel)
    # designated levels are 0.1 below their municipality's comparisons: the nearest comparison
    # of every designated postcode is the lowest one (k = 0) of its municipality
    assert sorted(pcs.index[pcs["designated"] == 0]) == [1001, 1007]


def test_event_study_inputs_are_sorted_complete_and_unit_constant(panel):
    inputs = sf.event_study_inputs(event_changes(panel))
    unit, year = inputs["unit"], inputs["year"]
    order = np.lexsort((year, unit))
    assert (order == np.arange(len(unit))).all()
    assert np.isfinite(inputs["change"]).all()
    assert inputs["reference_year"] == sf.REFERENCE_YEAR
    frame = pd.DataFrame({"u": unit, "x": inputs["exposure"], "g": inputs["group"]})
    assert frame.groupby("u")[["x", "g"]].nunique().max().max() == 1


def test_one_match_and_at_least_two_designated_is_the_chapter_fit(frames):
    matched = build_school_panel(*frames, comparison="nearest", n_matches=1)
    fit = build_school_panel(*frames, comparison="nearest", n_matches=1, min_designated=2)
    all_pcs, fit_pcs = postcodes(matched), postcodes(fit)
    n_per_gm = all_pcs[all_pcs["designated"] == 1].groupby("gm_code").size()
    assert (all_pcs["designated"] == 0).sum() <= 966  # at most one comparison each
    # the restriction drops whole municipalities with one designated postcode, nothing else
    assert fit.attrs["n_municipalities_few_designated"] == (n_per_gm == 1).sum()
    assert set(fit_pcs["gm_code"]) == set(n_per_gm.index[n_per_gm >= 2])
    assert fit.attrs["n_dropped_few_designated_designated"] == (n_per_gm == 1).sum()
    assert fit_pcs["designated"].sum() == 966 - (n_per_gm == 1).sum()
    # matching is within municipality, so the fitted postcodes are the matched ones kept
    kept = all_pcs[all_pcs["gm_code"].isin(n_per_gm.index[n_per_gm >= 2])]
    assert sorted(fit_pcs.index) == sorted(kept.index)
    assert abs(fit_pcs["baseline_c"].mean()) < 1e-9
    with pytest.raises(SchoolFundingError, match="min_designated must be >= 1"):
        build_school_panel(*frames, min_designated=0)


def test_min_designated_on_a_toy_panel_drops_the_thin_municipality():
    lbm, imp, gm = _toy()
    imp.loc[imp["pc4"].isin([1005, 1006]), "impulsgebied_2013_2017"] = 0  # gm 1: one designated
    panel = build_school_panel(lbm, imp, gm, min_designated=2)
    assert set(panel["gm_code"]) == {2}
    assert panel.attrs["n_dropped_few_designated"] == 6
    assert panel.attrs["n_dropped_few_designated_designated"] == 1
