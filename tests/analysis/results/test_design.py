"""The closed-form design calculation, checked by hand and by brute-force simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.results.design import (
    contrast_sd,
    decision_power,
    expected_posterior_probability,
    growth_table,
    mean_precision,
    required_evaluations,
)


def test_contrast_sd_by_hand():
    # se = 0.3, sigma_v = 0.4 -> w = 1 / 0.25 = 4; n = 8 and 8 -> sd = sqrt(2 / 32) = 0.25.
    w = mean_precision([0.3, 0.3], 0.4)
    assert w == pytest.approx(4.0, rel=1e-12)
    assert float(contrast_sd(8, 8, w)) == pytest.approx(0.25, rel=1e-12)


def test_decision_power_matches_monte_carlo_of_posterior_probabilities(rng):
    # Brute force: draw estimates ~ N(delta, sd), posterior P(Delta > 0) = Phi(est / sd).
    delta, sd = 0.2, 0.1
    est = rng.normal(delta, sd, 200_000)
    post = stats.norm.cdf(est / sd)
    assert float(decision_power(delta, sd)) == pytest.approx(np.mean(post >= 0.9), abs=0.005)
    assert float(expected_posterior_probability(delta, sd)) == pytest.approx(post.mean(),
                                                                              abs=0.005)


def test_required_evaluations_reaches_target_and_one_fewer_does_not():
    w = 4.0
    n = required_evaluations(0.2, w)
    assert decision_power(0.2, contrast_sd(n, n, w)) >= 0.9
    assert decision_power(0.2, contrast_sd(n - 1, n - 1, w)) < 0.9
    with pytest.raises(ValueError, match="delta must be > 0"):
        required_evaluations(0.0, w)


def test_growth_table_is_monotone_in_size():
    table = growth_table([50, 100, 400], {"a": 0.5, "b": 0.5}, {"a-b": ("a", "b", 0.1)}, 4.0)
    assert table["power"].is_monotonic_increasing
    assert table["sd"].is_monotonic_decreasing


def test_decision_power_is_at_a_fixed_difference_not_averaged_over_a_prior(rng):
    # At delta = 0 the rule is decisive with probability 1 - q (a false "decisive" ordering
    # rate), whatever the size; averaging over a prior would not give this.
    for sd in (0.05, 0.5):
        assert float(decision_power(0.0, sd)) == pytest.approx(0.1, abs=1e-12)
