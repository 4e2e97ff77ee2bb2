"""Contact-study moderators: coded from the real columns, standardised."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.contact import MODERATORS, contact_moderators
from analysis.data import load_contact_studies


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
