"""Scenario maths (analysis/scenarios.py) against hand-computed and quadrature values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from analysis.scenarios import (
    beta_mean_abs_deviation,
    correlation_ratio,
    implied_dissimilarity,
    move_to_median,
    movers_to_reduce,
    weighted_median,
)
from analysis.segregation import dissimilarity


def test_beta_mad_of_uniform_is_one_quarter():
    # E|U - 1/2| for U ~ Uniform(0, 1) = 1/4, by hand
    assert beta_mean_abs_deviation(1.0, 1.0) == pytest.approx(0.25, rel=1e-12)


def test_beta_mad_of_beta22_is_three_sixteenths():
    # Beta(2, 2): 2 * 2^2 2^2 / (B(2,2) 4^5) = 32 * 6 / 1024 = 0.1875, by hand
    assert beta_mean_abs_deviation(2.0, 2.0) == pytest.approx(0.1875, rel=1e-12)


@pytest.mark.parametrize(("a", "b"), [(0.3, 2.5), (4.0, 30.0), (50.0, 450.0)])
def test_beta_mad_matches_quadrature(a, b):
    mean = a / (a + b)
    reference, _ = integrate.quad(lambda p: abs(p - mean) * stats.beta.pdf(p, a, b), 0, 1,
                                  points=[mean], limit=200)
    assert beta_mean_abs_deviation(a, b) == pytest.approx(reference, rel=1e-7)


def test_beta_mad_does_not_overflow_for_weak_segregation():
    value = beta_mean_abs_deviation(1e5, 9e5)
    assert np.isfinite(value) and 0 < value < 1e-3


def test_implied_dissimilarity_of_uniform_shares_is_one_half():
    # mu = 1/2, rho = 1/3 -> phi = 2 -> Beta(1, 1): D = 0.25 / (2 * 0.25) = 0.5
    assert implied_dissimilarity(0.5, 1 / 3) == pytest.approx(0.5, rel=1e-12)


def test_implied_dissimilarity_matches_d_of_many_equal_areas(rng):
    mu, rho = 0.15, 0.08
    phi = 1 / rho - 1
    shares = rng.beta(mu * phi, (1 - mu) * phi, size=400_000)
    # equal-sized areas with exact (non-random) counts: D of the shares themselves
    empirical = dissimilarity(shares, 1 - shares)
    assert implied_dissimilarity(mu, rho) == pytest.approx(empirical, rel=0.01)


def test_implied_dissimilarity_increases_with_rho():
    values = implied_dissimilarity(0.2, np.array([0.01, 0.05, 0.2, 0.5]))
    assert np.all(np.diff(values) > 0)


def test_correlation_ratio_by_hand():
    assert correlation_ratio(0.5, 0.2) == pytest.approx(0.375, rel=1e-12)


def test_movers_to_halve_d_is_half_d_times_group():
    assert movers_to_reduce(0.4, 10_000) == pytest.approx(2_000.0)
    assert movers_to_reduce(0.4, 10_000, target=0.0) == pytest.approx(4_000.0)


def test_movers_to_halve_d_matches_an_explicit_optimal_move():
    # two areas, group 80 + 20, others 20 + 80: D = 0.6 (by hand); moving 30 group members
    # from area 1 to area 2 (swapping with 30 others) gives 50/50 + 50/50 ... D = 0.
    group, other = np.array([80.0, 20.0]), np.array([20.0, 80.0])
    d = dissimilarity(group, other)
    assert d == pytest.approx(0.6)
    moves = movers_to_reduce(d, group.sum())  # half of D * 100 = 30
    moved = dissimilarity(group + np.array([-moves, moves]), other)
    assert moved == pytest.approx(d / 2)


def test_movers_rejects_target_outside_unit_interval():
    with pytest.raises(ValueError, match=r"target must lie in \[0, 1\], got 1.5"):
        movers_to_reduce(0.3, 100, target=1.5)


def test_weighted_median_by_hand():
    assert weighted_median(np.array([1.0, 2.0, 10.0]), np.array([1.0, 1.0, 5.0])) == 10.0
    assert weighted_median(np.array([3.0, 1.0, 2.0])) == 2.0


def test_move_to_median_changes_only_named_columns():
    frame = pd.DataFrame({"a": [1.0, 2.0, 9.0], "b": [5.0, 6.0, 7.0]})
    moved = move_to_median(frame, ["a"])
    assert moved["a"].tolist() == [2.0, 2.0, 2.0]
    assert moved["b"].tolist() == frame["b"].tolist()
