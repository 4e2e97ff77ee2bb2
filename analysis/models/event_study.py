r"""Postcode event study: changes from a reference year on exposure, by year, across municipalities.

One model family for area-based policies measured on a postcode (or any unit) panel: the
wijkenaanpak (exposure = share of a postcode's addresses inside treated wijken, reference year
2008) and the impulsgebieden school funding (exposure 0/1, reference year 2012). The outcome of
unit :math:`p` (in group :math:`g`, a municipality) in a non-reference year :math:`t` is its
change from the reference year, :math:`d_{pt} = y_{pt} - y_{p,\mathrm{ref}}`, which removes
the unit's level. Then

.. math::

    d_{pt} = \gamma_{gt} + \rho_t\, b_p
        + x_p \bigl(\beta_t + \mathbb{1}[t > \mathrm{ref}]\,(\tau u_g + \theta\, q_p)\bigr)
        + \alpha_p + \varepsilon_{pt},

with a year effect for every group (municipality) and year :math:`\gamma_{gt}` (the path of
units of that municipality at its average exposure and baseline, so exposed units are compared
with unexposed units of the *same* municipality; one common :math:`\gamma_t` with
``group_year_effects=False``), a **baseline-by-year** slope :math:`\rho_t` on the
standardised pre-period level :math:`b_p` (regression to the mean: the worst-off units gain most
everywhere), event-study coefficients :math:`\beta_t` on the exposure :math:`x_p \in [0, 1]`
(pre years: the pre-trend or placebo; post years: the effect at full exposure), a post-period
effect deviation of each municipality :math:`\tau u_g` (non-centred, :math:`u_g \sim N(0,1)`),
an optional dose slope :math:`\theta` on a standardised dose :math:`q_p`, a unit intercept
:math:`\alpha_p \sim N(0, \sigma_\alpha)` for what a unit's changes share (the noise of its
reference-year score) and residuals :math:`\varepsilon_{pt} \sim N(0, \sigma)`.

Exposure :math:`x_p` and baseline :math:`b_p` enter **centred on their mean over the units of
the group** (over all units without group-year effects). With a year effect per group and year
this is only a reparameterisation (:math:`\gamma_{gt}` absorbs the group means), but it makes
:math:`\beta_t` and :math:`\rho_t` nearly uncorrelated with the year effects, which NUTS with
a diagonal mass matrix needs: uncentred, the wijkenaanpak fit took several times longer and
failed the R-hat gate.

The unit intercept is **integrated out analytically**: a unit's changes are multivariate normal
with compound-symmetric covariance :math:`\sigma^2 I + \sigma_\alpha^2 J`, written as the chain
of one-step conditionals (:func:`_sequential_logp`). The posterior then has no funnel in
:math:`\sigma_\alpha`, sampling is cheap, and the pointwise log-likelihoods of one unit sum to
its exact marginal log-likelihood, so leave-one-unit-out PSIS-LOO is
:func:`unit_log_likelihood` (pass it to ``run_workflow(loo_log_likelihood=...)``).

:func:`simulate_event_study` is an independent NumPy simulator (explicit unit intercepts) that
draws every parameter from the model's priors, for simulation-based calibration; with
``rtm=True`` it plants regression to the mean correlated with exposure, which a model without
the baseline term gets wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import xarray as xr

OBSERVED = "change"
"""Name of the observed variable (the change from the reference year)."""


class EventStudyError(ValueError):
    """Inputs that cannot make an event study; the message says which and why."""


@dataclass(frozen=True)
class EventStudyPriors:
    r"""Prior scales of :func:`build_event_study`, in outcome units (LBM 3.0 units by default).

    The defaults fit the Leefbaarometer 3.0 postcode panel: postcode scores have an SD of about
    0.12 across postcodes and the national mean rose 0.057 from 2002 to 2022, so a policy
    effect beyond 0.1 (twice that rise) is a priori unlikely.

    Parameters
    ----------
    year_sd : float, default 0.1
        SD of the normal prior of each (group-by-)year effect :math:`\gamma_{gt}`.
    beta_sd : float, default 0.05
        SD of the normal prior of each event-study coefficient :math:`\beta_t` and of the
        dose slope :math:`\theta` (per SD of dose).
    rho_sd : float, default 0.05
        SD of the normal prior of each baseline-by-year slope :math:`\rho_t` (per SD of
        baseline).
    effect_sd_scale : float, default 0.03
        Scale of the half-normal prior of the spread of the post effect across groups
        :math:`\tau`.
    unit_sd_scale : float, default 0.05
        Scale of the half-normal prior of the unit-intercept SD :math:`\sigma_\alpha`.
    sigma_scale : float, default 0.05
        Scale of the half-normal prior of the residual SD :math:`\sigma`.
    """

    year_sd: float = 0.1
    beta_sd: float = 0.05
    rho_sd: float = 0.05
    effect_sd_scale: float = 0.03
    unit_sd_scale: float = 0.05
    sigma_scale: float = 0.05

    def scaled(self, factor: float) -> EventStudyPriors:
        """Return the priors with every scale multiplied by ``factor`` (for sensitivity)."""
        return EventStudyPriors(**{k: v * factor for k, v in self.__dict__.items()})


@dataclass(frozen=True)
class _Design:
    """Validated, integer-coded design of an event study (internal)."""

    change: np.ndarray
    unit_idx: np.ndarray
    units: np.ndarray
    year_idx: np.ndarray
    years: np.ndarray
    group_idx: np.ndarray
    groups: np.ndarray
    exposure: np.ndarray
    post: np.ndarray
    position: np.ndarray
    first_row: np.ndarray
    baseline: np.ndarray | None
    dose: np.ndarray | None


def _unit_constant(values: np.ndarray, unit_idx: np.ndarray, name: str, units: np.ndarray) -> None:
    """Raise unless ``values`` is the same in every row of a unit."""
    frame = pd.DataFrame({"u": unit_idx, "v": values})
    spread = frame.groupby("u")["v"].nunique()
    bad = spread[spread > 1]
    if len(bad):
        raise EventStudyError(
            f"{name} must be constant within a unit; unit {units[bad.index[0]]!r} has "
            f"{int(bad.iloc[0])} different values"
        )


def _validate(
    change: np.ndarray | pd.Series,
    unit: Sequence | pd.Series,
    year: Sequence[int] | pd.Series,
    exposure: np.ndarray | pd.Series,
    group: Sequence | pd.Series,
    reference_year: int,
    baseline: np.ndarray | pd.Series | None,
    dose: np.ndarray | pd.Series | None,
) -> _Design:
    change = np.asarray(change, dtype=float)
    n = change.size
    arrays = {"unit": np.asarray(unit), "year": np.asarray(year, dtype=int),
              "exposure": np.asarray(exposure, dtype=float), "group": np.asarray(group)}
    for name, optional in (("baseline", baseline), ("dose", dose)):
        if optional is not None:
            arrays[name] = np.asarray(optional, dtype=float)
    for name, values in arrays.items():
        if values.shape != (n,):
            raise EventStudyError(f"{name} has shape {values.shape}, change has ({n},): give one "
                                  "value per row (unit x non-reference year)")
    for name in ("exposure", "baseline", "dose"):
        if name in arrays and not np.isfinite(arrays[name]).all():
            raise EventStudyError(f"{name}: {int((~np.isfinite(arrays[name])).sum())} "
                                  "missing or infinite value(s)")
    if not np.isfinite(change).all():
        raise EventStudyError(f"change: {int((~np.isfinite(change)).sum())} missing value(s); "
                              "drop those rows first")
    exposure = arrays["exposure"]
    if (exposure < 0).any() or (exposure > 1).any():
        raise EventStudyError(f"exposure must lie in [0, 1]; got range [{exposure.min():g}, "
                              f"{exposure.max():g}]")
    year_arr = arrays["year"]
    if (year_arr == reference_year).any():
        raise EventStudyError(f"rows of the reference year {reference_year} are in the data; "
                              "the outcome is the change from it, so drop them")
    years = np.unique(year_arr)
    if not (years > reference_year).any():
        raise EventStudyError(f"no year after the reference year {reference_year}: nothing to "
                              "estimate")
    units, unit_idx = np.unique(arrays["unit"], return_inverse=True)
    # rows of one unit must be contiguous (the marginal likelihood chains them)
    starts = np.r_[True, unit_idx[1:] != unit_idx[:-1]]
    if np.bincount(unit_idx[starts], minlength=units.size).max() > 1:
        raise EventStudyError("rows of one unit must be contiguous: sort the frame by unit "
                              "(and year) first")
    dup = pd.DataFrame({"u": unit_idx, "y": year_arr}).duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise EventStudyError(f"unit {units[unit_idx[i]]!r} has more than one row for year "
                              f"{year_arr[i]}")
    for name in ("exposure", "group", "baseline", "dose"):
        if name in arrays:
            _unit_constant(arrays[name], unit_idx, name, units)
    groups, group_idx = np.unique(arrays["group"], return_inverse=True)
    first_row = np.flatnonzero(starts)[np.cumsum(starts) - 1]
    position = np.arange(n) - first_row
    return _Design(
        change=change, unit_idx=unit_idx, units=units,
        year_idx=np.searchsorted(years, year_arr), years=years,
        group_idx=group_idx, groups=groups, exposure=exposure,
        post=(year_arr > reference_year).astype(float), position=position.astype(float),
        first_row=first_row, baseline=arrays.get("baseline"), dose=arrays.get("dose"),
    )


def _centre(values: np.ndarray, d: _Design, within_group: bool) -> np.ndarray:
    """Subtract the mean over units (of each group, or overall) from a unit-level column."""
    first = np.r_[True, d.unit_idx[1:] != d.unit_idx[:-1]]
    unit_values, unit_group = values[first], d.group_idx[first]
    if within_group:
        means = np.bincount(unit_group, unit_values) / np.bincount(unit_group)
        return values - means[d.group_idx]
    return values - unit_values.mean()


def _conditional_moments(residual, sigma, sigma_unit, position, first_row, xp=pt):
    r"""Mean and SD of each residual given the earlier residuals of its unit (compound symmetry).

    With :math:`s^2 = \sigma^2`, :math:`c = \sigma_\alpha^2` and :math:`k` earlier rows
    summing to :math:`S`, the :math:`(k+1)`-th residual is normal with mean
    :math:`cS/(s^2 + kc)` and variance :math:`s^2 (s^2 + (k+1)c)/(s^2 + kc)`.
    """
    before = xp.cumsum(residual) - residual  # sum of all earlier rows
    earlier = before - before[first_row]  # ... of the same unit
    s2, c = sigma**2, sigma_unit**2
    denom = s2 + position * c
    mean = c * earlier / denom
    sd = xp.sqrt(s2 * (s2 + (position + 1.0) * c) / denom)
    return mean, sd


def build_event_study(
    change: np.ndarray | pd.Series,
    unit: Sequence | pd.Series,
    year: Sequence[int] | pd.Series,
    exposure: np.ndarray | pd.Series,
    group: Sequence | pd.Series,
    *,
    reference_year: int,
    baseline: np.ndarray | pd.Series | None = None,
    dose: np.ndarray | pd.Series | None = None,
    varying_effect: bool = True,
    group_year_effects: bool = True,
    unit_effect: bool = True,
    priors: EventStudyPriors | None = None,
) -> pm.Model:
    r"""Build the postcode event study (see the module docstring for the equation).

    Parameters
    ----------
    change : array-like of float
        Outcome change from the reference year, :math:`y_{pt} - y_{p,\mathrm{ref}}`, one row
        per unit and non-reference year; rows of one unit contiguous (sort by unit, year).
    unit : sequence
        Unit label of each row (postcode); becomes the ``unit`` coordinate.
    year : sequence of int
        Measurement year of each row; years before ``reference_year`` are pre years (their
        :math:`\beta_t` is the pre-trend / placebo), later years are post years.
    exposure : array-like of float in [0, 1]
        Treatment exposure of the row's unit (constant within a unit): 0/1 for a designated
        postcode, or the share of its addresses inside treated areas.
    group : sequence
        Group (municipality) of the row's unit, constant within a unit: the level of the
        group-by-year effects and of the varying post effect.
    reference_year : int
        The year all changes are measured from (its rows must not be in the data).
    baseline : array-like of float, optional
        Standardised pre-period level of the row's unit (mean 0, SD 1), constant within a
        unit; adds :math:`\rho_t b_p` for every year (regression to the mean). Leave it out
        only to demonstrate what goes wrong.
    dose : array-like of float, optional
        Standardised dose of the row's unit (e.g. investment per resident), constant within a
        unit; adds :math:`\theta q_p x_p` in post years.
    varying_effect : bool, default True
        Let the post effect vary by group (:math:`\tau u_g`, non-centred).
    group_year_effects : bool, default True
        One year effect per group and year :math:`\gamma_{gt}` (exposed units are compared
        with unexposed units of their own group); ``False``: one common :math:`\gamma_t`.
        Independent normal priors, no pooling: every group-year cell of a postcode panel holds
        many units, and unpooled cells keep the posterior close to Gaussian (a pooled,
        non-centred version sampled far more slowly on the wijkenaanpak panel).
    unit_effect : bool, default True
        Add the unit intercept :math:`\alpha_p`, integrated out analytically; without it the
        rows are independent given the mean.
    priors : EventStudyPriors, optional
        Prior scales; the defaults suit Leefbaarometer 3.0 units.

    Returns
    -------
    pymc.Model
        Coordinates ``row``, ``year`` (non-reference years), ``pre_year``, ``post_year``,
        ``group``, ``unit``. Free variables ``gamma`` (group, year; or year), ``beta`` (year),
        ``rho`` (year, with a baseline), ``sigma``, ``sigma_unit``, ``effect_sd`` and
        ``z_effect`` (group), ``theta`` (with a dose).
        Deterministics ``effect_post`` (mean of :math:`\beta_t` over post years: the average
        post effect at full exposure, in the average group), ``pretrend`` (mean of
        :math:`\beta_t` over pre years), ``effect_group`` (group: ``effect_post`` +
        :math:`\tau u_g`). Data ``exposure_c`` and ``baseline_c`` hold the centred
        columns. Observed ``change`` (row), backed by the
        ``pm.Data`` container ``change_data`` (so SBC can swap simulated data in).

    Raises
    ------
    EventStudyError
        On mismatched lengths, missing values, exposure outside [0, 1], rows of the
        reference year, no post year, non-contiguous or duplicated unit-years, or unit
        attributes (exposure, group, baseline, dose) that change within a unit.

    Examples
    --------
    The impulsgebieden design (exposure 0/1, reference 2012, pre years 2002 and 2008):

    >>> from analysis import school_funding as sf  # doctest: +SKIP
    >>> changes = sf.event_changes(panel)  # sorted by pc4, year  # doctest: +SKIP
    >>> model = build_event_study(  # doctest: +SKIP
    ...     changes["change"], changes["pc4"], changes["year"], changes["designated"],
    ...     changes["gm_code"], reference_year=2012, baseline=changes["baseline_c"])
    >>> idata = fit(model, seed=rng)  # doctest: +SKIP
    >>> idata.posterior["effect_post"], idata.posterior["beta"].sel(year=2002)  # doctest: +SKIP
    """
    priors = priors or EventStudyPriors()
    d = _validate(change, unit, year, exposure, group, reference_year, baseline, dose)
    pre_years = d.years[d.years < reference_year]
    post_years = d.years[d.years > reference_year]
    coords = {
        "row": np.arange(d.change.size), "year": d.years, "pre_year": pre_years,
        "post_year": post_years, "group": d.groups, "unit": d.units,
    }
    post_mask = np.isin(d.years, post_years).astype(float)
    with pm.Model(coords=coords) as model:
        y_data = pm.Data("change_data", d.change, dims="row")
        x = pm.Data("exposure_c", _centre(d.exposure, d, group_year_effects), dims="row")

        gamma = pm.Normal("gamma", 0.0, priors.year_sd,
                          dims=("group", "year") if group_year_effects else "year")
        beta = pm.Normal("beta", 0.0, priors.beta_sd, dims="year")
        mu = gamma[d.group_idx, d.year_idx] if group_year_effects else gamma[d.year_idx]
        if d.baseline is not None:
            b = pm.Data("baseline_c", _centre(d.baseline, d, group_year_effects), dims="row")
            rho = pm.Normal("rho", 0.0, priors.rho_sd, dims="year")
            mu = mu + rho[d.year_idx] * b
        effect = beta[d.year_idx]
        if varying_effect:
            tau = pm.HalfNormal("effect_sd", priors.effect_sd_scale)
            z_eff = pm.Normal("z_effect", 0.0, 1.0, dims="group")
            deviation = tau * z_eff
            effect = effect + d.post * deviation[d.group_idx]
        else:
            deviation = pt.zeros(d.groups.size)
        if d.dose is not None:
            q = pm.Data("dose", d.dose, dims="row")
            theta = pm.Normal("theta", 0.0, priors.beta_sd)
            effect = effect + d.post * theta * q
        mu = mu + x * effect

        effect_post = pm.Deterministic(
            "effect_post", pt.sum(beta * post_mask) / post_mask.sum())
        if pre_years.size:
            pm.Deterministic("pretrend", pt.sum(beta * (1 - post_mask)) / (1 - post_mask).sum())
        pm.Deterministic("effect_group", effect_post + deviation, dims="group")

        sigma = pm.HalfNormal("sigma", priors.sigma_scale)
        if unit_effect:
            sigma_unit = pm.HalfNormal("sigma_unit", priors.unit_sd_scale)
            _add_marginal_likelihood(d, mu, sigma, sigma_unit, y_data)
        else:
            pm.Normal(OBSERVED, mu, sigma, observed=y_data, dims="row")
    return model


def _add_marginal_likelihood(d: _Design, mu, sigma, sigma_unit, y_data) -> None:
    """Observed ``change`` with the unit intercept integrated out (sequential conditionals)."""
    position, first_row, unit_idx = d.position, d.first_row, d.unit_idx
    n_units = d.units.size

    def logp(value, mu, sigma, sigma_unit):
        residual = value - mu
        mean, sd = _conditional_moments(residual, sigma, sigma_unit, position, first_row)
        return pm.logp(pm.Normal.dist(mean, sd), residual)

    def random(mu, sigma, sigma_unit, rng=None, size=None):
        mu = np.asarray(mu)
        size = mu.shape if size is None else tuple(np.atleast_1d(size))
        alpha = rng.normal(0.0, 1.0, size=size[:-1] + (n_units,)) * sigma_unit
        return mu + alpha[..., unit_idx] + rng.normal(0.0, 1.0, size=size) * sigma

    pm.CustomDist(OBSERVED, mu, sigma, sigma_unit, logp=logp, random=random,
                  observed=y_data, dims="row")


def unit_log_likelihood(idata: az.InferenceData, unit: Sequence | pd.Series,
                        model: pm.Model | None = None) -> xr.DataArray:
    """Log-likelihood of each unit's changes together: for leave-one-unit-out PSIS-LOO.

    With the unit intercept integrated out (``unit_effect=True``) the rows' pointwise values
    are one-step conditionals, so their sum over a unit is the unit's exact marginal
    log-likelihood; without it the sum is the unit's joint log-likelihood given the mean.

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit of :func:`build_event_study` with a ``log_likelihood`` group.
    unit : sequence
        The unit labels the model was built with (one per row).
    model : pymc.Model, optional
        The model (or an identical rebuild). If ``idata`` has no ``log_likelihood`` group
        (PyMC's nutpie path does not store it), it is computed from ``model`` and added to
        ``idata`` in place, so later steps (power-scaling sensitivity) find it too.

    Returns
    -------
    xarray.DataArray
        Dims ``(chain, draw, unit)`` (units sorted as in the model's ``unit`` coordinate),
        named ``change``.

    Examples
    --------
    >>> run_workflow(..., loo_log_likelihood=lambda i: unit_log_likelihood(i, frame["pc4"]))
    ... # doctest: +SKIP
    """
    if "log_likelihood" not in idata.groups():
        if model is None:
            raise EventStudyError("idata has no log_likelihood group; pass the model to "
                                  "compute it")
        pm.compute_log_likelihood(idata, model=model, extend_inferencedata=True,
                                  progressbar=False)
    pointwise = idata.log_likelihood[OBSERVED]
    units, unit_of_row = np.unique(np.asarray(unit), return_inverse=True)
    values = np.asarray(pointwise.transpose("chain", "draw", "row"))
    if values.shape[-1] != unit_of_row.size:
        raise EventStudyError(f"unit has {unit_of_row.size} rows, the log-likelihood "
                              f"{values.shape[-1]}")
    summed = np.zeros(values.shape[:2] + (units.size,))
    np.add.at(summed, (slice(None), slice(None), unit_of_row), values)
    coords = {"chain": pointwise["chain"].values, "draw": pointwise["draw"].values,
              "unit": units}
    return xr.DataArray(summed, dims=("chain", "draw", "unit"), coords=coords, name=OBSERVED)


def exposure_contrast(
    values: np.ndarray, exposure: np.ndarray, year: np.ndarray, years: Sequence[int]
) -> np.ndarray:
    r"""Exposure-weighted mean change minus the unexposed mean change, per year.

    The design's summary statistic for posterior predictive checks of the mean paths: with
    0/1 exposure it is treated minus comparison; with shares it weights each unit by its
    exposure (exposed mean :math:`\sum x d / \sum x`) against units with exposure 0.

    Parameters
    ----------
    values : numpy.ndarray
        Changes, shape ``(..., n_rows)`` (observed, or replicated draws in the leading axes).
    exposure, year : numpy.ndarray
        Per row, shape ``(n_rows,)``.
    years : sequence of int
        Years to report, in order.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., len(years))``.

    Examples
    --------
    >>> exposure_contrast(np.array([1.0, 0.0, 3.0, 1.0]), np.array([1.0, 0, 1, 0]),
    ...                   np.array([2002, 2002, 2012, 2012]), [2002, 2012])
    array([1., 2.])
    """
    values = np.asarray(values, dtype=float)
    out = []
    for t in years:
        in_year = np.asarray(year) == t
        w = np.asarray(exposure, dtype=float) * in_year
        control = (np.asarray(exposure) == 0) & in_year
        exposed = (values * w).sum(axis=-1) / w.sum()
        out.append(exposed - values[..., control].mean(axis=-1))
    return np.stack(out, axis=-1)


# --- simulation ----------------------------------------------------------------------------


def simulate_design(
    rng: np.random.Generator,
    *,
    n_units: int = 60,
    n_groups: int = 6,
    years: Sequence[int] = (2002, 2012, 2016, 2020),
    reference_year: int = 2008,
    exposed_share: float = 0.3,
    continuous_exposure: bool = True,
    baseline_gap: float = 1.0,
) -> dict[str, np.ndarray]:
    """Simulate a balanced design: units in groups, exposure, and a baseline tied to exposure.

    Exposed units (a share ``exposed_share``) have exposure in (0.3, 1] (or 1 if not
    ``continuous_exposure``) and a baseline ``baseline_gap`` SD below the others, as the
    Vogelaar wijken and impulsgebieden were selected for being worse off.

    Returns
    -------
    dict
        ``unit, year, exposure, group, baseline`` per row (units contiguous, years sorted) and
        ``reference_year``.
    """
    group_of_unit = np.arange(n_units) % n_groups
    exposed = rng.random(n_units) < exposed_share
    exposed[:2] = True  # at least two exposed units
    exposed[2:4] = False
    level = rng.uniform(0.3, 1.0, n_units) if continuous_exposure else np.ones(n_units)
    x_unit = np.where(exposed, level, 0.0)
    b_unit = rng.normal(0.0, 1.0, n_units) - baseline_gap * exposed
    b_unit = (b_unit - b_unit.mean()) / b_unit.std()
    n_years = len(years)
    unit_idx = np.repeat(np.arange(n_units), n_years)
    return {
        "unit": unit_idx, "year": np.tile(np.asarray(years, dtype=int), n_units),
        "exposure": x_unit[unit_idx], "group": group_of_unit[unit_idx],
        "baseline": b_unit[unit_idx], "reference_year": reference_year,
    }


def simulate_event_study(
    rng: np.random.Generator,
    design: dict[str, np.ndarray],
    *,
    priors: EventStudyPriors | None = None,
    rtm: bool = True,
) -> tuple[dict[str, np.ndarray | float], dict[str, np.ndarray]]:
    r"""Draw parameters from the priors and SIMULATED changes given them (NumPy, explicit units).

    Independent of the PyMC model: unit intercepts are drawn explicitly (the model integrates
    them out), with group-by-year effects and a group-varying post effect; exposure and
    baseline enter centred on their group means over units, as in the model.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random generator.
    design : dict
        :func:`simulate_design` output.
    priors : EventStudyPriors, optional
        The priors to draw from (those of the model being calibrated).
    rtm : bool, default True
        Draw the baseline-by-year slopes :math:`\rho_t` from their prior (regression to the
        mean); ``False`` sets them to 0.

    Returns
    -------
    truth : dict
        ``gamma`` (group, year), ``beta, rho`` (year), ``sigma, sigma_unit, effect_sd``,
        ``effect_post``, ``pretrend``, ``effect_group`` (group).
    data : dict
        Keyword arguments of :func:`build_event_study` (``change, unit, year, exposure, group,
        reference_year, baseline``).
    """
    p = priors or EventStudyPriors()
    ref = int(design["reference_year"])
    years, year_idx = np.unique(design["year"], return_inverse=True)
    groups, group_idx = np.unique(design["group"], return_inverse=True)
    units, unit_idx = np.unique(design["unit"], return_inverse=True)
    n_y, n_g = years.size, groups.size
    post_years = years > ref
    half = lambda s: abs(rng.normal(0.0, s))  # noqa: E731 - half-normal draw
    gamma = rng.normal(0.0, p.year_sd, (n_g, n_y))
    beta = rng.normal(0.0, p.beta_sd, n_y)
    rho = rng.normal(0.0, p.rho_sd, n_y) if rtm else np.zeros(n_y)
    tau = half(p.effect_sd_scale)
    sigma_unit, sigma = half(p.unit_sd_scale), half(p.sigma_scale)
    deviation = tau * rng.normal(0.0, 1.0, n_g)
    alpha = rng.normal(0.0, sigma_unit, units.size)
    post = post_years[year_idx]
    effect = beta[year_idx] + post * deviation[group_idx]
    first = np.r_[True, unit_idx[1:] != unit_idx[:-1]]

    def centred(values: np.ndarray) -> np.ndarray:  # group means over units, as the model
        means = pd.Series(values[first]).groupby(group_idx[first]).mean().to_numpy()
        return values - means[group_idx]

    mu = (gamma[group_idx, year_idx] + rho[year_idx] * centred(design["baseline"])
          + centred(design["exposure"]) * effect)
    change = mu + alpha[unit_idx] + rng.normal(0.0, sigma, mu.size)
    effect_post = float(beta[post_years].mean())
    truth = {
        "gamma": gamma, "beta": beta, "rho": rho, "sigma": sigma, "sigma_unit": sigma_unit,
        "effect_sd": tau, "effect_post": effect_post,
        "pretrend": float(beta[~post_years].mean()) if (~post_years).any() else np.nan,
        "effect_group": effect_post + deviation,
    }
    data = {
        "change": change, "unit": design["unit"], "year": design["year"],
        "exposure": design["exposure"], "group": design["group"], "reference_year": ref,
        "baseline": design["baseline"],
    }
    return truth, data

