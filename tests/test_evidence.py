"""Cited-fact helpers: row selection, the poolable MTO subset, independent differences."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.data import DataError, load_published_effects
from analysis.evidence import (
    MTO_EARNINGS_ROWS,
    MTO_PRIOR_SD,
    SUBGROUP_DIM,
    build_subgroup_effects,
    cited_facts,
    control_mean_usd,
    difference_of_independent,
    estimate_of,
    mto_earnings,
    select_rows,
    unpooled_posterior,
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


def test_subgroup_model_has_one_independent_effect_per_subgroup(effects):
    mto = mto_earnings(effects)
    model = build_subgroup_effects(mto["effect_size"], mto["standard_error"], mto.index)
    assert [v.name for v in model.free_RVs] == ["theta"]  # no mu, no tau: nothing pooled
    assert model.coords[SUBGROUP_DIM] == tuple(mto.index)
    # log density at theta = y: sum of the three normal priors N(y | 0, 3) and likelihoods at 0
    point = {"theta": mto["effect_size"].to_numpy()}
    expected = (stats.norm.logpdf(mto["effect_size"], 0, MTO_PRIOR_SD).sum()
                + stats.norm.logpdf(0, 0, mto["standard_error"]).sum())
    assert float(model.compile_logp()(point)) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"standard_error": [1.0, 0.0]}, "finite number > 0"),
    ({"subgroup": ["a", "a"]}, "unique"),
    ({"subgroup": ["a"]}, "same length"),
    ({"prior_sd": 0.0}, "prior_sd must be > 0"),
])
def test_subgroup_model_rejects_bad_inputs(kwargs, message):
    args = {"effect_size": [1.0, 2.0], "standard_error": [1.0, 1.0], "subgroup": ["a", "b"]}
    with pytest.raises(ValueError, match=message):
        build_subgroup_effects(**{**args, **kwargs})


def test_unpooled_posterior_by_hand():
    # y = 2, s = 1, prior sd 1: precision 2, mean 1, sd 1/sqrt(2), shrinkage 1/2
    exact = unpooled_posterior(np.array([2.0]), np.array([1.0]), prior_sd=1.0)
    assert exact.loc[0, "mean"] == pytest.approx(1.0)
    assert exact.loc[0, "sd"] == pytest.approx(2**-0.5)
    assert exact.loc[0, "shrinkage"] == pytest.approx(0.5)


def test_control_mean_is_read_from_the_comparison_text(effects):
    assert control_mean_usd(effects, 1) == 11270.0  # "control mean USD 11,270"
    with pytest.raises(DataError, match=r"row id 2, column 'comparison'"):
        control_mean_usd(effects, 2)
