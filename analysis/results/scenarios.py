r"""Derived quantities and counterfactual scenarios on the fitted neighbourhood models.

Pure NumPy maths first (tested against hand-computed values), then the functions that apply it
to posterior draws.

If the shares :math:`p` of a group in a municipality's (large, equal-sized) areas follow a
Beta distribution with mean :math:`\mu` and intra-class correlation :math:`\rho` (so
:math:`\alpha = \mu\phi`, :math:`\beta = (1-\mu)\phi`, :math:`\phi = 1/\rho - 1`), the
dissimilarity index is :math:`D = E|p - \mu| / (2\mu(1-\mu))` with the Beta mean absolute
deviation

.. math::

    E|p - \mu| = \frac{2\,\alpha^\alpha \beta^\beta}
                        {B(\alpha, \beta)\,(\alpha+\beta)^{\alpha+\beta+1}},

and the correlation ratio (:math:`\eta^2`, revised isolation index) is :math:`\rho` itself.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import betaln, expit

from analysis.results.segregation import dissimilarity, grouped_dissimilarity


def beta_mean_abs_deviation(alpha: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Mean absolute deviation from the mean of a Beta(alpha, beta) distribution.

    Computed on the log scale so that large ``alpha + beta`` (weak segregation) does not
    overflow.

    Examples
    --------
    >>> float(beta_mean_abs_deviation(1.0, 1.0))  # uniform: E|p - 1/2| = 1/4
    0.25
    """
    alpha = np.asarray(alpha, dtype=float)
    beta = np.asarray(beta, dtype=float)
    total = alpha + beta
    log_mad = (np.log(2.0) + alpha * np.log(alpha) + beta * np.log(beta)
               - betaln(alpha, beta) - (total + 1.0) * np.log(total))
    return np.exp(log_mad)


def implied_dissimilarity(mu: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Dissimilarity index D implied by Beta-distributed area shares with mean mu and ICC rho.

    Parameters
    ----------
    mu : array-like
        Mean group share, in (0, 1).
    rho : array-like
        Intra-class correlation (between-area share of the variance), in (0, 1).

    Returns
    -------
    numpy.ndarray
        D in [0, 1], broadcast over the inputs.

    Examples
    --------
    >>> float(implied_dissimilarity(0.5, 1 / 3))  # Beta(1, 1): D = 0.25 / (2 * 0.25)
    0.5
    """
    mu = np.asarray(mu, dtype=float)
    rho = np.asarray(rho, dtype=float)
    phi = 1.0 / rho - 1.0
    mad = beta_mean_abs_deviation(mu * phi, (1.0 - mu) * phi)
    return mad / (2.0 * mu * (1.0 - mu))


def correlation_ratio(isolation: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Correlation ratio eta squared (revised isolation index) from isolation and group share.

    ``eta2 = (xPx - P) / (1 - P)``: the share of the variance of group membership that lies
    between areas (Massey & Denton 1988).

    Examples
    --------
    >>> float(correlation_ratio(0.5, 0.2))  # (0.5 - 0.2) / 0.8
    0.375
    """
    isolation = np.asarray(isolation, dtype=float)
    share = np.asarray(share, dtype=float)
    return (isolation - share) / (1.0 - share)


def movers_to_reduce(d, group_total, target: float = 0.5):
    """Group members who must move to other areas to bring D down to ``target`` times D.

    D is the share of the group that would have to move, to areas where it is
    under-represented, for an even spread (Duncan & Duncan 1955), when each move lowers D by
    ``1 / group_total`` (optimal moves). Halving D therefore takes ``D / 2 * group_total``
    moves. Works on floats, NumPy arrays, pandas Series and xarray DataArrays (labels kept).

    Examples
    --------
    >>> float(movers_to_reduce(0.4, 10_000))
    2000.0
    """
    if not 0.0 <= target <= 1.0:
        raise ValueError(f"target must lie in [0, 1], got {target}")
    return (1.0 - target) * d * group_total  # keeps pandas / xarray labels


def composition_wijk_parameters(idata, wijken: pd.DataFrame,
                                covariates: pd.DataFrame | None = None,
                                coefficients: str = "d") -> tuple[xr.DataArray, xr.DataArray]:
    """Posterior mean share and ICC of every wijk, as fitted or under changed covariates.

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit of :func:`analysis.models.neighbourhood.build_composition_model` with ``size``.
    wijken : pandas.DataFrame
        The wijk table of the fit (:attr:`analysis.data.concentration.CompositionData.wijken`):
        ``municipality_idx`` and ``size_z``.
    covariates : pandas.DataFrame, optional
        Standardised covariates of a scenario (same index and columns as in the fit). The ICC
        is recomputed as ``logit rho = c + x d + sigma_v v + d_size z`` with each
        municipality's own effect ``v`` kept; the mean share is kept as fitted.
    coefficients : str, default "d"
        Name of the ICC regression coefficients.

    Returns
    -------
    mu, rho : xarray.DataArray
        Dims ``(chain, draw, wijk)``.
    """
    post = idata.posterior
    idx = xr.DataArray(wijken["municipality_idx"].to_numpy(), dims="wijk")
    z = xr.DataArray(wijken["size_z"].to_numpy(dtype=float), dims="wijk")
    logit = lambda p: np.log(p) - np.log1p(-p)  # noqa: E731
    eta_mu = xr.apply_ufunc(logit, post["mu"]).isel(municipality=idx) + post["b_size"] * z
    if covariates is None:
        eta_rho = xr.apply_ufunc(logit, post["rho"])
    else:
        eta_rho = scenario_logit_rho(idata, covariates, coefficients)
    eta_rho = eta_rho.isel(municipality=idx) + post["d_size"] * z
    drop = ["municipality"]
    return (xr.apply_ufunc(expit, eta_mu).drop_vars(drop, errors="ignore"),
            xr.apply_ufunc(expit, eta_rho).drop_vars(drop, errors="ignore"))


def replicated_dissimilarity(idata, wijken: pd.DataFrame, rng: np.random.Generator,
                             covariates: pd.DataFrame | None = None, *,
                             thin: int = 1) -> xr.DataArray:
    """D of every municipality over replicated wijk counts, as fitted or under a scenario.

    For each posterior draw every wijk's share is drawn from ``Beta(mu_i phi_i, (1 - mu_i)
    phi_i)`` (``phi_i = 1 / rho_i - 1``, :func:`composition_wijk_parameters`) and its count
    from ``Binomial(n_i, share)``; D (group against everyone else) is computed over the
    municipality's real wijken with their real sizes
    (:func:`analysis.results.segregation.grouped_dissimilarity`). Unlike the Beta formula of
    :func:`implied_dissimilarity`, which assumes many equal-sized areas, this is D as the
    data measure it: a municipality with few, unequal wijken gets the D of those wijken.

    Parameters
    ----------
    idata, wijken, covariates
        As in :func:`composition_wijk_parameters`; ``wijken`` also needs ``n``.
    rng : numpy.random.Generator
        Source of the Beta and binomial draws.
    thin : int, default 1
        Use every ``thin``-th posterior draw.

    Returns
    -------
    xarray.DataArray
        Dims ``(chain, draw, municipality)``.
    """
    mu, rho = composition_wijk_parameters(idata, wijken, covariates)
    mu, rho = mu.isel(draw=slice(None, None, thin)), rho.isel(draw=slice(None, None, thin))
    phi = 1.0 / rho.to_numpy() - 1.0
    m = mu.to_numpy()
    n = wijken["n"].to_numpy(dtype=int)
    counts = rng.binomial(n, rng.beta(m * phi, (1.0 - m) * phi))
    post = idata.posterior
    d = grouped_dissimilarity(counts, n, wijken["municipality_idx"].to_numpy(),
                              post.sizes["municipality"])
    return xr.DataArray(d, dims=("chain", "draw", "municipality"),
                        coords={"chain": mu["chain"].values, "draw": mu["draw"].values,
                                "municipality": post["municipality"].values})


def predictive_check_dissimilarity(replicated: xr.DataArray, observed: pd.Series, *,
                                   prob: float = 0.94) -> pd.DataFrame:
    """Compare each municipality's observed D with the central interval of its replicates.

    Parameters
    ----------
    replicated : xarray.DataArray
        D of replicated data, dims ``(chain, draw, municipality)``.
    observed : pandas.Series
        Observed D, indexed like the ``municipality`` coordinate.
    prob : float, default 0.94
        Mass of the equal-tailed interval.

    Returns
    -------
    pandas.DataFrame
        One row per municipality: ``observed``, ``replicated_mean``, ``lo``, ``hi``,
        ``p_below`` (share of replicates below the observed value) and ``inside``.

    Examples
    --------
    >>> rep = xr.DataArray(np.linspace(0, 1, 101).reshape(1, 101, 1),
    ...                    dims=("chain", "draw", "municipality"), coords={"municipality": ["A"]})
    >>> predictive_check_dissimilarity(rep, pd.Series({"A": 0.5}))["inside"].item()
    True
    """
    samples = replicated.stack(sample=("chain", "draw")).transpose("sample", "municipality")
    values = samples.to_numpy()
    tail = (1.0 - prob) / 2.0
    lo, hi = np.nanquantile(values, [tail, 1.0 - tail], axis=0)
    index = pd.Index(samples["municipality"].values, name=observed.index.name)
    obs = observed.reindex(index).to_numpy(dtype=float)
    table = pd.DataFrame({"observed": obs, "replicated_mean": np.nanmean(values, axis=0),
                          "lo": lo, "hi": hi, "p_below": (values < obs).mean(axis=0)},
                         index=index)
    table["inside"] = (table["observed"] >= table["lo"]) & (table["observed"] <= table["hi"])
    return table


def scenario_logit_rho(idata, covariates: pd.DataFrame, coefficients: str = "d") -> xr.DataArray:
    """Posterior logit ICC (reference wijk size) of every municipality under ``covariates``."""
    post = idata.posterior
    x = xr.DataArray(covariates.to_numpy(dtype=float), dims=("municipality", "covariate"),
                     coords={"municipality": post["municipality"].values,
                             "covariate": post["covariate"].values})
    return post["c"] + (x * post[coefficients]).sum("covariate") + post["sigma_v"] * post["v"]


def move_to_median(covariates: pd.DataFrame, columns: list[str] | tuple[str, ...],
                   weights: pd.Series | None = None) -> pd.DataFrame:
    """Return ``covariates`` with ``columns`` set to their (optionally weighted) median.

    Parameters
    ----------
    covariates : pandas.DataFrame
        Covariates, one row per municipality.
    columns : sequence of str
        Columns to move.
    weights : pandas.Series, optional
        Weights (e.g. population) for a weighted median; the plain median over rows if None.
    """
    moved = covariates.copy()
    for col in columns:
        moved[col] = weighted_median(covariates[col].to_numpy(),
                                     None if weights is None else weights.to_numpy())
    return moved


def weighted_median(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Weighted median: the smallest value at which the cumulative weight reaches one half.

    Examples
    --------
    >>> weighted_median(np.array([1.0, 2.0, 10.0]), np.array([1.0, 1.0, 5.0]))
    10.0
    """
    values = np.asarray(values, dtype=float)
    if weights is None:
        return float(np.median(values))
    order = np.argsort(values)
    cum = np.cumsum(np.asarray(weights, dtype=float)[order])
    return float(values[order][np.searchsorted(cum, 0.5 * cum[-1])])


def buurt_scenario_shares(idata, data: pd.DataFrame, scenario: Mapping[str, float] | None,
                          predictors: tuple[str, ...]) -> xr.DataArray:
    """Return the expected buurt shares of the buurt-in-wijk model, as fitted or under a scenario.

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit of :func:`analysis.models.neighbourhood.build_buurt_model`.
    data : pandas.DataFrame
        The buurt table the model was fitted to
        (:func:`analysis.data.concentration.amsterdam_buurten`).
    scenario : mapping of str to float, optional
        Raw value (percent) every buurt of the city takes for each named predictor: the within
        part becomes 0 and the between part the standardised value. Unnamed predictors keep
        their observed values. ``None`` returns the fitted expected shares ``m``.
    predictors : tuple of str
        The predictors in the model's order.

    Returns
    -------
    xarray.DataArray
        Dims ``(chain, draw, buurt)``. Each wijk keeps its own intercept: what the model
        attributes to the wijk beyond its housing is not changed by the scenario.
    """
    post = idata.posterior
    if scenario is None:
        return post["m"]
    within = data[[p + "_within" for p in predictors]].to_numpy(dtype=float).copy()
    between = data[[p + "_between" for p in predictors]].to_numpy(dtype=float).copy()
    centre, scale = data.attrs["centre"], data.attrs["scale"]
    for j, name in enumerate(predictors):
        if name in scenario:
            within[:, j] = 0.0
            between[:, j] = (scenario[name] - centre[name]) / scale[name]
    dims = ("buurt", "predictor")
    coords = {"buurt": post["buurt"].values, "predictor": post["predictor"].values}
    xw = xr.DataArray(within, dims=dims, coords=coords)
    xb = xr.DataArray(between, dims=dims, coords=coords)
    wijk_idx = xr.DataArray(data["wijk_idx"].to_numpy(), dims="buurt")
    alpha = post["alpha"].isel(wijk=wijk_idx)
    slope = post["slope_within"].isel(wijk=wijk_idx)
    eta = (post["a"] + alpha + (slope * xw).sum("predictor")
           + (post["gamma_between"] * xb).sum("predictor"))
    return xr.apply_ufunc(expit, eta).drop_vars("wijk", errors="ignore")


def predictive_dissimilarity(shares: xr.DataArray, n: np.ndarray, rho: xr.DataArray,
                             rng: np.random.Generator, *, draws: int = 1000) -> xr.DataArray:
    """Dissimilarity of replicated buurt counts drawn from the beta-binomial model.

    For each of ``draws`` posterior draws, buurt shares are drawn from
    ``Beta(m phi, (1 - m) phi)`` and counts from ``Binomial(n, p)``; D of the replicated
    counts (group against everyone else) is returned. With the fitted shares this is a
    posterior predictive check of D; with scenario shares it is the scenario's D, including
    the buurt-level variation the predictors do not explain.

    Returns
    -------
    xarray.DataArray
        Dim ``sample`` of length ``draws``.
    """
    m = shares.stack(sample=("chain", "draw")).transpose("sample", ...).to_numpy()
    r = rho.stack(sample=("chain", "draw")).to_numpy()
    pick = rng.choice(m.shape[0], size=min(draws, m.shape[0]), replace=False)
    n = np.asarray(n, dtype=int)
    out = np.empty(pick.size)
    for k, s in enumerate(pick):
        phi = 1.0 / r[s] - 1.0
        p = rng.beta(m[s] * phi, (1.0 - m[s]) * phi)
        y = rng.binomial(n, p)
        out[k] = dissimilarity(y, n - y)
    return xr.DataArray(out, dims="sample")
