"""Cited-fact helpers: row selection, the poolable MTO subset, independent differences."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.data import DataError, load_published_effects
from analysis.data.evidence import (
    MTO_EARNINGS_ROWS,
    cited_facts,
    control_mean_usd,
    difference_of_independent,
    estimate_of,
    mto_earnings,
    select_rows,
)


@pytest.fixture(scope="module")
def effects():
    return load_published_effects()


def test_select_rows_names_missing_ids(effects):
    with pytest.raises(DataError, match=r"column 'id': rows \[999\] not found"):
        select_rows(effects, [25, 999])


def test_mto_earnings_are_disjoint_subgroups_in_thousand_usd(effects):
    mto = mto_earnings(effects)
    assert list(mto["id"]) == list(MTO_EARNINGS_ROWS)
    # values transcribed in the CSV: 3476.8 (1418.2), -2426.7 (2154.4), -672.54 (716.54) USD
    np.testing.assert_allclose(mto["effect_size"], [3.4768, -2.4267, -0.67254], rtol=1e-12)
    np.testing.assert_allclose(mto["standard_error"], [1.4182, 2.1544, 0.71654], rtol=1e-12)


def test_mto_earnings_rejects_a_row_on_another_scale(effects):
    broken = effects.copy()
    broken.loc[broken["id"] == 26, "unit"] = "percentage points"
    with pytest.raises(DataError, match=r"row id 26, column 'unit'"):
        mto_earnings(broken)


def test_estimate_of_rejects_a_range(effects):
    assert estimate_of(effects, 23) == 13.0
    with pytest.raises(DataError, match=r"row id 5, column 'estimate'.*'4 to 5'"):
        estimate_of(effects, 5)


def test_cited_facts_keep_quote_and_source(effects):
    table = cited_facts(effects, [17, 25])
    assert table.loc[17, "estimate"].startswith("qualitative")
    assert "SE 1418.2" in table.loc[25, "estimate"]
    assert table["quote"].str.len().min() > 20 and table["source"].notna().all()


def test_difference_of_independent_matches_hand_computation():
    # 11.8 (5.0) vs -6.5 (6.8): difference 18.3, SE sqrt(25 + 46.24) = 8.4404
    result = difference_of_independent(11.8, 5.0, -6.5, 6.8)
    assert result["difference"] == pytest.approx(18.3)
    assert result["se"] == pytest.approx(np.sqrt(71.24), rel=1e-12)
    with pytest.raises(ValueError, match="> 0"):
        difference_of_independent(1.0, 0.0, 1.0, 1.0)


def test_control_mean_is_read_from_the_comparison_text(effects):
    assert control_mean_usd(effects, 1) == 11270.0  # "control mean USD 11,270"
    with pytest.raises(DataError, match=r"row id 2, column 'comparison'"):
        control_mean_usd(effects, 2)
