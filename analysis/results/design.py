r"""How many evaluated interventions would settle it? A closed-form design calculation.

In the registry model, once the municipality effects are estimated from all of a registry's
interventions, an intervention of type :math:`t` informs its type mean with noise variance
:math:`s_k^2 + \sigma_v^2` (its sampling error plus its municipality x type deviation). The
posterior SD of the difference between two type means, with :math:`n_a` and :math:`n_b`
evaluations, is then approximately

.. math::

    \mathrm{sd}_\Delta = \Big(\frac{1}{n_a \bar w} + \frac{1}{n_b \bar w}\Big)^{1/2},
    \qquad \bar w = \mathrm{E}\big[(s_k^2 + \sigma_v^2)^{-1}\big],

and across registries drawn from the truth the posterior mean of the difference is roughly
:math:`\mathcal{N}(\Delta, \mathrm{sd}_\Delta)`. At a *fixed* true difference :math:`\Delta`,
the probability that a registry ends with :math:`P(\Delta > 0 \mid \text{data}) \ge q` -- a
decisive result -- is :math:`\Phi(\Delta / \mathrm{sd}_\Delta - \Phi^{-1}(q))`: the power of
the Bayesian decision rule "decisive when the posterior probability reaches :math:`q`"
(:func:`decision_power`). It is not assurance in O'Hagan's sense, which averages this power
over a design prior for :math:`\Delta`. The chapter validates :math:`\mathrm{sd}_\Delta`
against full MCMC fits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

DECISION_THRESHOLD = 0.9
"""Posterior probability of the true ordering that counts as a decisive result (``q``)."""

POWER_TARGET = 0.9
"""Decision power a design asks for: the share of registries, at the true difference, that
end decisive."""


def mean_precision(standard_error: np.ndarray | pd.Series, sigma_interaction: float) -> float:
    r"""Return :math:`\bar w`, the mean of :math:`(s_k^2 + \sigma_v^2)^{-1}` over evaluations."""
    se = np.asarray(standard_error, dtype=float)
    return float(np.mean(1.0 / (se**2 + sigma_interaction**2)))


def contrast_sd(n_a: float | np.ndarray, n_b: float | np.ndarray, w_bar: float) -> np.ndarray:
    """Approximate posterior SD of the difference of two type means (module docstring).

    Parameters
    ----------
    n_a, n_b : float or array
        Evaluations of each type (> 0).
    w_bar : float
        :func:`mean_precision` of one evaluation.

    Returns
    -------
    numpy.ndarray
        The SD, broadcast over ``n_a`` and ``n_b``.

    Examples
    --------
    >>> float(contrast_sd(25, 25, 1.0))  # sqrt(2 / 25)
    0.282...
    """
    n_a, n_b = np.asarray(n_a, dtype=float), np.asarray(n_b, dtype=float)
    return np.sqrt(1.0 / (n_a * w_bar) + 1.0 / (n_b * w_bar))


def decision_power(
    delta: float, sd: float | np.ndarray, threshold: float = DECISION_THRESHOLD
) -> np.ndarray:
    r"""Power of the decision rule: P(registry's :math:`P(\Delta > 0 \mid \text{data}) \ge q`).

    The probability, over registries drawn at a *fixed* true difference ``delta``, that the
    posterior probability of the true ordering reaches ``threshold`` (a decisive result). It
    is not averaged over a prior for ``delta`` (that would be assurance).

    Parameters
    ----------
    delta : float
        True difference between the two type means (positive).
    sd : float or array
        Posterior SD of the difference (:func:`contrast_sd`).
    threshold : float, default 0.9
        Posterior probability that counts as "telling them apart".

    Returns
    -------
    numpy.ndarray
        :math:`\Phi(\Delta/\mathrm{sd} - \Phi^{-1}(q))`.
    """
    return stats.norm.cdf(delta / np.asarray(sd, dtype=float) - stats.norm.ppf(threshold))


def expected_posterior_probability(delta: float, sd: float | np.ndarray) -> np.ndarray:
    r"""Mean over registries of :math:`P(\Delta > 0 \mid \text{data})`.

    With :math:`\hat\Delta \sim \mathcal{N}(\Delta, \mathrm{sd})` and posterior
    :math:`\Phi(\hat\Delta/\mathrm{sd})`, the mean is
    :math:`\Phi(\Delta / (\sqrt{2}\,\mathrm{sd}))`.
    """
    return stats.norm.cdf(delta / (np.sqrt(2.0) * np.asarray(sd, dtype=float)))


def required_evaluations(
    delta: float, w_bar: float, *, threshold: float = DECISION_THRESHOLD,
    target: float = POWER_TARGET,
) -> int:
    r"""Smallest equal number of evaluations per type with :func:`decision_power` >= ``target``.

    Solves :math:`\Delta/\mathrm{sd} \ge \Phi^{-1}(q) + \Phi^{-1}(\text{target})` with
    :math:`\mathrm{sd} = (2 / (n \bar w))^{1/2}` for :math:`n`, rounded up.
    """
    if delta <= 0:
        raise ValueError(f"delta must be > 0 to be detectable, got {delta}")
    z = stats.norm.ppf(threshold) + stats.norm.ppf(target)
    return int(np.ceil(2.0 * z**2 / (w_bar * delta**2)))


def growth_table(
    sizes: np.ndarray | list[int],
    type_shares: dict[str, float],
    contrasts: dict[str, tuple[str, str, float]],
    w_bar: float,
    threshold: float = DECISION_THRESHOLD,
) -> pd.DataFrame:
    """Decision power and expected posterior probability of each contrast as the registry grows.

    Parameters
    ----------
    sizes : sequence of int
        Registry sizes (total evaluated interventions).
    type_shares : dict
        Share of each intervention type in the registry.
    contrasts : dict
        ``name -> (better type, worse type, true difference)``.
    w_bar : float
        :func:`mean_precision`.
    threshold : float, default 0.9
        Posterior probability that counts as telling two types apart.

    Returns
    -------
    pandas.DataFrame
        Long format: ``registry_size``, ``contrast``, ``n_better``, ``n_worse``, ``sd``,
        ``power`` (:func:`decision_power`), ``expected_probability``.
    """
    rows = []
    for size in sizes:
        for name, (better, worse, delta) in contrasts.items():
            n_a, n_b = size * type_shares[better], size * type_shares[worse]
            sd = float(contrast_sd(n_a, n_b, w_bar))
            rows.append({"registry_size": int(size), "contrast": name, "n_better": n_a,
                         "n_worse": n_b, "sd": sd,
                         "power": float(decision_power(delta, sd, threshold)),
                         "expected_probability": float(expected_posterior_probability(delta, sd))})
    return pd.DataFrame(rows)
