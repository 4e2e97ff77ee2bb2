"""Contact-study moderators: coded from the real columns, standardised."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.data import load_contact_studies
from analysis.data.contact import MODERATORS, contact_moderators


def test_moderators_are_standardised_and_coded_from_the_data():
    studies = load_contact_studies()
    raw = contact_moderators(studies, standardise=False)
    x = contact_moderators(studies)
    assert list(x.columns) == list(MODERATORS)
    np.testing.assert_allclose(x.mean(), 0.0, atol=1e-12)
    np.testing.assert_allclose(x.std(ddof=0), 1.0, rtol=1e-12)
    # counts from the file: 11 race + 2 foreigners; 14 college + 6 adults; 3 pre-analysis plans
    assert raw["ethnic_target"].sum() == 13
    assert raw["adult_participants"].sum() == 20
    assert raw["pre_analysis_plan"].sum() == 3
    assert raw["log_days_delay"].min() == pytest.approx(np.log(10))


def test_only_the_two_boisjoly_arms_share_a_control_group_and_merge_by_hand():
    from analysis.data.contact import merge_shared_control_arms, shared_control_arms

    studies = load_contact_studies().set_index("name_short")
    assert shared_control_arms(studies) == [["Boisjoly 06 A", "Boisjoly 06 B"]]
    merged = merge_shared_control_arms(studies)
    assert len(merged) == len(studies) - 1
    row = merged.loc["Boisjoly 06"]
    # by hand: n_T = 35 + 207, d = (35 * 0.341 + 207 * 0.030) / 242, v = 1/242 + 1/1036 + d^2/2556
    d = (35 * 0.341 + 207 * 0.030) / 242
    assert row["n_t"] == 242 and row["n_c"] == 1036 and row["n_arms"] == 2
    assert row["d"] == pytest.approx(d, rel=1e-12)
    assert row["se_d"] == pytest.approx(np.sqrt(1 / 242 + 1 / 1036 + d**2 / 2556), rel=1e-12)
    # the file's own variances follow the same formula for the two arms (to its rounding)
    for arm in ("Boisjoly 06 A", "Boisjoly 06 B"):
        a = studies.loc[arm]
        v = 1 / a["n_t"] + 1 / a["n_c"] + a["d"] ** 2 / (2 * (a["n_t"] + a["n_c"]))
        assert a["var_d"] == pytest.approx(v, abs=5e-4)
    # the two Clunies-Ross schools have their own control groups and stay apart
    assert {"Clunies-Ross 89 school A", "Clunies-Ross 89 school B"} <= set(merged.index)


def test_merged_data_have_two_migrant_studies_and_twelve_ethnic_ones():
    from analysis.data.contact import count_text, merge_shared_control_arms

    merged = merge_shared_control_arms(load_contact_studies().set_index("name_short"))
    assert (merged["target_spelled_out"] == "foreigners").sum() == 2
    assert contact_moderators(merged, standardise=False)["ethnic_target"].sum() == 12
    assert count_text(2) == "two" and count_text(26) == "26"
