r"""Ordinal difference-in-differences / event study of an area-based programme on wijk classes.

One family: a wijk :math:`i` observed in years :math:`t` with an ordered class
:math:`y_{it} \in \{0, \dots, K-1\}` (collapsed Leefbaarometer classes). With :math:`D_i` the
wijk's treatment indicator, :math:`m(i)` its municipality, :math:`x_i` its standardised dose
and :math:`P_i` whether it lies in a programme city,

.. math::

    y_{it} \sim \mathrm{OrderedLogistic}(s\,\eta_{it},\; s\,c), \qquad
    c_0 \sim N(\mu_c, s_c), \quad c_k = c_{k-1} + (K - 2)\, g_k, \quad
    g \sim \mathrm{Dirichlet},

    \eta_{it} = \gamma_t + \lambda_t \alpha_i + \kappa_t P_i
      + D_i \big[\mathbb{1}_{t \in \text{post}} (\tau + \sigma_\tau z_{m(i)} + \omega_t
      + \beta x_i) - \mathbb{1}_{t = 2002}\, \pi \big],

    \alpha \sim \mathrm{ZeroSumNormal}(\sigma_\alpha), \quad z_m \sim N(0, 1),
    \quad \sum_t \omega_t = 0,

with :math:`\gamma_{2008} = \kappa_{2008} = 0` and :math:`\lambda_{2008} = 1` (2008 is the
reference year). The latent predictor :math:`\eta` is in **class units** (the cutpoint gaps
average one class width) and :math:`s` (``scale``) is the number of logits per class width.

- :math:`\alpha_i`: the wijk's own level (centred, since five classes per wijk inform it well,
  and summing to zero over the wijken, so the cutpoints alone carry the location);
- :math:`\lambda_t`: year-specific loadings on that level, the model's answer to regression to
  the mean and convergence: :math:`\lambda_t < 1` after 2008 means that wijken low in 2008
  rose more than wijken high in 2008, everywhere (a baseline-level x year interaction);
- :math:`\gamma_t`, :math:`\kappa_t`: year effects, and the programme cities' own year effects
  against the matched comparison wijken elsewhere;
- :math:`\tau`: the mean post-programme effect (2012-2016 against 2008), in class widths;
  :math:`\tau + \omega_t` the event-study coefficients, :math:`\sigma_\tau` the spread across
  municipalities, :math:`\beta` the dose slope;
- :math:`\pi`: the *placebo*, the treated wijken's excess latent change 2002 -> 2008.

Also here: :func:`ordinal_did_design` (index arrays from a panel), :func:`simulate_design` and
:func:`simulate_ordinal_did` (an independent NumPy simulator for SBC),
:func:`marginal_log_likelihood` (each wijk's likelihood with its level integrated out by
adaptive Gauss-Hermite quadrature, for leave-one-wijk-out PSIS) and :func:`class_effects` (the
effect translated into classes).
"""

from __future__ import annotations

from dataclasses import dataclass

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import xarray as xr
from scipy.special import expit, logsumexp

YEARS: tuple[int, ...] = (2002, 2008, 2012, 2014, 2016)
REFERENCE_YEAR = 2008
PLACEBO_YEAR = 2002
POST_YEARS: tuple[int, ...] = (2012, 2014, 2016)
CHANGE_YEARS: tuple[int, ...] = tuple(t for t in YEARS if t != REFERENCE_YEAR)


@dataclass(frozen=True)
class OrdinalDiDPriors:
    """Priors of :func:`build_ordinal_did` (latent quantities in class widths).

    Parameters
    ----------
    scale_log_mu, scale_log_sd : float
        Log-normal prior of ``scale``, the logits per class width (median exp(1.8) = 6: a wijk
        in the middle of its class changes class by chance with probability about 0.1).
    cut_first_mu, cut_first_sd : float
        Normal prior of the lowest cutpoint; the average wijk level is 0.
    gap_concentration : float
        Dirichlet concentration of the shares of the cutpoint gaps.
    sigma_level_sd : float
        Half-normal scale of the SD of the wijk levels in logits (``sigma_level``; in class
        widths ``sigma_alpha = sigma_level / scale``).
    gamma_sd : float
        SD of the year effects (change since 2008).
    loading_sd : float
        SD of the log loadings ``log(lambda_t)``.
    city_year_sd : float
        SD of the programme-city x year effects.
    tau_sd : float
        SD of the mean treatment effect (0.25 class width: half a class is possible, a whole
        class implausible).
    sigma_tau_sd : float
        Half-normal scale of the spread of the effect across municipalities.
    omega_sd : float
        Scale of the zero-sum year pattern of the effect.
    beta_dose_sd : float
        SD of the dose slope (per SD of investment per resident).
    placebo_sd : float
        SD of the placebo coefficient.
    """

    scale_log_mu: float = 1.8
    scale_log_sd: float = 0.5
    cut_first_mu: float = -2.0
    cut_first_sd: float = 1.0
    gap_concentration: float = 20.0
    sigma_level_sd: float = 10.0
    gamma_sd: float = 0.5
    loading_sd: float = 0.25
    city_year_sd: float = 0.25
    tau_sd: float = 0.25
    sigma_tau_sd: float = 0.25
    omega_sd: float = 0.1
    beta_dose_sd: float = 0.1
    placebo_sd: float = 0.25


@dataclass
class OrdinalDiDDesign:
    """Index arrays of a wijk x year panel, shared by the builder, simulator and quadrature.

    Rows are sorted by wijk (all rows of a wijk adjacent).
    """

    y: np.ndarray
    wijk_idx: np.ndarray
    year_idx: np.ndarray
    wijk: list[str]
    treated_of_wijk: np.ndarray
    municipality_of_wijk: np.ndarray
    municipalities: list[str]
    dose_of_wijk: np.ndarray
    city_of_wijk: np.ndarray
    n_categories: int

    @property
    def n_wijken(self) -> int:
        """Number of wijken."""
        return len(self.wijk)

    @property
    def has_city_contrast(self) -> bool:
        """Whether there are wijken both inside and outside the programme cities."""
        return bool(0 < self.city_of_wijk.sum() < self.n_wijken)

    def row_arrays(self) -> dict[str, np.ndarray]:
        """Per-row versions of the wijk-level arrays and the year indicators."""
        w = self.wijk_idx
        year = np.asarray(YEARS)[self.year_idx]
        post_pos = np.searchsorted(POST_YEARS, year).clip(0, len(POST_YEARS) - 1)
        change_pos = np.searchsorted(CHANGE_YEARS, year).clip(0, len(CHANGE_YEARS) - 1)
        return {
            "treated": self.treated_of_wijk[w].astype(float),
            "municipality": self.municipality_of_wijk[w],
            "dose": self.dose_of_wijk[w],
            "city": self.city_of_wijk[w].astype(float),
            "post": np.isin(year, POST_YEARS).astype(float),
            "placebo": (year == PLACEBO_YEAR).astype(float),
            "changed": (year != REFERENCE_YEAR).astype(float),
            "post_pos": post_pos,
            "change_pos": change_pos,
        }


def ordinal_did_design(
    panel: pd.DataFrame,
    *,
    treated: str = "treated_strict",
    dose: str = "dose_strict",
    n_categories: int | None = None,
) -> OrdinalDiDDesign:
    """Turn a wijk x year panel into the model's index arrays, validating it.

    Parameters
    ----------
    panel : pandas.DataFrame
        Columns ``wijk``, ``year``, ``category`` (0..K-1), ``programme_city``,
        ``gemeente_code`` and the ``treated`` and ``dose`` columns
        (``analysis.data.wijkenaanpak.build_panel``), sorted by wijk.
    treated, dose : str
        Treatment indicator and standardised dose columns (constant within a wijk).
    n_categories : int, optional
        Number of ordered categories (default: 1 + the largest category).

    Returns
    -------
    OrdinalDiDDesign

    Raises
    ------
    ValueError
        On a missing column, unsorted rows, a year outside :data:`YEARS`, a category out of
        range, or wijk-level columns that vary within a wijk.

    Examples
    --------
    >>> design = ordinal_did_design(panel, treated="treated", dose="dose")  # doctest: +SKIP
    """
    needed = ["wijk", "year", "category", "programme_city", "gemeente_code", treated, dose]
    missing = [c for c in needed if c not in panel.columns]
    if missing:
        raise ValueError(f"panel: missing column(s) {missing}")
    wijk_codes, wijk_idx = np.unique(panel["wijk"].to_numpy(), return_inverse=True)
    if np.any(np.diff(wijk_idx) < 0):
        raise ValueError("panel: rows must be sorted by wijk (all rows of a wijk adjacent)")
    bad_years = sorted(set(panel["year"]) - set(YEARS))
    if bad_years:
        raise ValueError(f"panel: years {bad_years} are not measurement years {list(YEARS)}")
    year_idx = np.searchsorted(YEARS, panel["year"].to_numpy())
    y = panel["category"].to_numpy(dtype=int)
    k = n_categories or int(y.max() + 1)
    if y.min() < 0 or y.max() >= k:
        raise ValueError(f"panel: category must lie in 0..{k - 1}, got {y.min()}..{y.max()}")
    if k < 3:
        raise ValueError(f"panel: need at least 3 ordered categories, got {k}")
    wijk_level = panel.groupby("wijk", sort=True)
    for col in ("programme_city", "gemeente_code", treated, dose):
        if (wijk_level[col].nunique() > 1).any():
            raise ValueError(f"panel: column {col!r} varies within a wijk")
    first = wijk_level.first()
    is_treated = first[treated].to_numpy(dtype=bool)
    gm = first["gemeente_code"].astype(str).to_numpy()
    municipalities = sorted(set(gm[is_treated].tolist()))
    muni_pos = np.zeros(len(gm), dtype=int)
    if municipalities:
        muni_pos[is_treated] = np.searchsorted(municipalities, gm[is_treated])
    return OrdinalDiDDesign(
        y=y, wijk_idx=wijk_idx, year_idx=year_idx, wijk=[str(w) for w in wijk_codes],
        treated_of_wijk=is_treated, municipality_of_wijk=muni_pos,
        municipalities=municipalities,
        dose_of_wijk=np.where(is_treated, first[dose].to_numpy(dtype=float), 0.0),
        city_of_wijk=first["programme_city"].to_numpy(dtype=bool), n_categories=k,
    )


def build_ordinal_did(
    panel: pd.DataFrame | OrdinalDiDDesign,
    *,
    treated: str = "treated_strict",
    dose: str = "dose_strict",
    priors: OrdinalDiDPriors | None = None,
    convergence: bool = True,
    centred: bool = False,
    n_categories: int | None = None,
) -> pm.Model:
    """Build the hierarchical ordinal difference-in-differences model (module docstring).

    Parameters
    ----------
    panel : pandas.DataFrame or OrdinalDiDDesign
        The wijk x year panel (see :func:`ordinal_did_design`) or its design.
    treated, dose : str
        Treatment indicator and standardised dose columns (``treated_strict``/``dose_strict``
        or ``treated_broad``/``dose_broad``).
    priors : OrdinalDiDPriors, optional
        Prior settings.
    convergence : bool, default True
        Year-specific loadings ``lambda_t`` on the wijk level (regression to the mean). With
        False all loadings are 1: the model then ignores that low wijken rise more (a planted
        mis-specification for the tests).
    centred : bool, default False
        Centred wijk levels (``alpha`` free) instead of non-centred (``u`` free,
        ``alpha = sigma_alpha * u``).
    n_categories : int, optional
        Number of ordered categories.

    Returns
    -------
    pymc.Model
        Free ``scale, cut_first, gap_share, sigma_level, u (or alpha), gamma, log_loading,
        city_year, tau, sigma_tau, z, omega, beta_dose, placebo``; deterministics
        ``cutpoints`` (logit scale), ``sigma_alpha``, ``loading``, ``tau_logit``,
        ``tau_municipality`` and
        ``effect_year``; observed ``y`` (dim ``obs``, data in the ``pm.Data`` container
        ``y_obs``).

    Examples
    --------
    >>> model = build_ordinal_did(panel, treated="treated", dose="dose")  # doctest: +SKIP
    """
    priors = priors or OrdinalDiDPriors()
    d = panel if isinstance(panel, OrdinalDiDDesign) else ordinal_did_design(
        panel, treated=treated, dose=dose, n_categories=n_categories)
    rows = d.row_arrays()
    k = d.n_categories
    coords = {
        "obs": np.arange(len(d.y)),
        "wijk": d.wijk,
        "change_year": list(CHANGE_YEARS),
        "post_year": list(POST_YEARS),
        "treated_municipality": d.municipalities,
        "cutpoint": np.arange(k - 1),
        "gap": np.arange(k - 2),
    }
    w_row = d.wijk_idx
    c_row = rows["change_pos"]
    changed = rows["changed"]
    with pm.Model(coords=coords) as model:
        y_obs = pm.Data("y_obs", d.y, dims="obs")
        scale = pm.LogNormal("scale", priors.scale_log_mu, priors.scale_log_sd)
        cut_first = pm.Normal("cut_first", priors.cut_first_mu, priors.cut_first_sd)
        gap_share = pm.Dirichlet("gap_share", np.full(k - 2, priors.gap_concentration),
                                 dims="gap")
        cut_class = pt.concatenate([pt.atleast_1d(cut_first),
                                    cut_first + pt.cumsum((k - 2) * gap_share)])
        cutpoints = pm.Deterministic("cutpoints", scale * cut_class, dims="cutpoint")
        # the SD of the levels in logits is what the data pin down (the scale s only through
        # how often wijken change class), so it gets the prior; in class units it is
        # sigma_alpha = sigma_level / s
        sigma_level = pm.HalfNormal("sigma_level", priors.sigma_level_sd)
        sigma_alpha = pm.Deterministic("sigma_alpha", sigma_level / scale)
        # wijk levels summing to zero (the cutpoints alone carry the location); non-centred by
        # default, since many wijken stay in one category (weakly informed levels)
        if centred:
            alpha = pm.ZeroSumNormal("alpha", sigma=sigma_alpha, dims="wijk")
        else:
            u = pm.ZeroSumNormal("u", sigma=1.0, dims="wijk")
            alpha = pm.Deterministic("alpha", sigma_alpha * u, dims="wijk")
        gamma = pm.Normal("gamma", 0.0, priors.gamma_sd, dims="change_year")
        level = alpha[w_row]
        if convergence:
            log_loading = pm.Normal("log_loading", 0.0, priors.loading_sd, dims="change_year")
            loading = pm.Deterministic("loading", pt.exp(log_loading), dims="change_year")
            level = level * (1.0 + changed * (loading[c_row] - 1.0))
        eta = level + changed * gamma[c_row]
        if d.has_city_contrast:
            city_year = pm.Normal("city_year", 0.0, priors.city_year_sd, dims="change_year")
            eta = eta + rows["city"] * changed * city_year[c_row]
        tau = pm.Normal("tau", 0.0, priors.tau_sd)
        pm.Deterministic("tau_logit", scale * tau)
        sigma_tau = pm.HalfNormal("sigma_tau", priors.sigma_tau_sd)
        z = pm.Normal("z", 0.0, 1.0, dims="treated_municipality")
        tau_m = pm.Deterministic("tau_municipality", tau + sigma_tau * z,
                                 dims="treated_municipality")
        omega = pm.ZeroSumNormal("omega", sigma=priors.omega_sd, dims="post_year")
        pm.Deterministic("effect_year", tau + omega, dims="post_year")
        beta_dose = pm.Normal("beta_dose", 0.0, priors.beta_dose_sd)
        placebo = pm.Normal("placebo", 0.0, priors.placebo_sd)
        effect = tau_m[rows["municipality"]] + omega[rows["post_pos"]] + beta_dose * rows["dose"]
        eta = eta + rows["treated"] * (rows["post"] * effect - rows["placebo"] * placebo)
        pm.CustomDist("y", scale * eta, cutpoints, logp=_ordered_logit_logp,
                      random=_ordered_logit_random, signature="(),(c)->()", observed=y_obs,
                      dims="obs")
    return model


_BIG = 1e6
"""Stand-in for an infinite outer cutpoint (keeps gradients finite)."""


def _ordered_logit_logp(value: pt.TensorVariable, eta: pt.TensorVariable,
                        cutpoints: pt.TensorVariable) -> pt.TensorVariable:
    """Log P(y = value) of the ordered logit, stable: log s(a) + log s(-b) + log(1 - e^(b-a))."""
    value = pt.cast(value, "int64")
    if cutpoints.ndim > 1:  # expanded by the signature; the model's cutpoints are shared
        cutpoints = cutpoints.reshape((-1, cutpoints.shape[-1]))[0]
    padded = pt.concatenate([pt.as_tensor([-_BIG]), cutpoints, pt.as_tensor([_BIG])])
    hi = padded[value + 1] - eta
    lo = padded[value] - eta
    return -pt.softplus(-hi) - pt.softplus(lo) + pt.log1mexp(lo - hi)


def _ordered_logit_random(eta: np.ndarray, cutpoints: np.ndarray,
                          rng: np.random.Generator | None = None,
                          size: tuple[int, ...] | None = None) -> np.ndarray:
    """Draw ordered-logit categories (NumPy), for prior and posterior predictive sampling."""
    eta = np.asarray(eta, dtype=float)
    if size is not None:
        eta = np.broadcast_to(eta, size)
    cdf = expit(np.asarray(cutpoints) - eta[..., None])
    draws = rng.uniform(size=eta.shape)
    return (draws[..., None] > cdf).sum(axis=-1)


def simulate_design(
    rng: np.random.Generator,
    *,
    n_wijken: int = 48,
    n_treated: int = 12,
    n_municipalities: int = 6,
) -> pd.DataFrame:
    """Return a SIMULATED fixed design: wijken, treatment, dose, programme cities, 5 years.

    Half the wijken lie in programme cities (the treated ones among them, spread over
    ``n_municipalities``), the other half are comparison wijken elsewhere.

    Returns
    -------
    pandas.DataFrame
        A panel whose ``category`` is 0 (replaced by :func:`simulate_ordinal_did`).
    """
    treated = np.zeros(n_wijken, dtype=bool)
    treated[:n_treated] = True
    city = np.zeros(n_wijken, dtype=bool)
    city[: n_wijken // 2] = True
    gm = np.where(treated, [f"GM{i % n_municipalities:04d}" for i in range(n_wijken)],
                  np.where(city, "GM9998", "GM9999"))
    dose = np.where(treated, rng.normal(size=n_wijken), 0.0)
    units = pd.DataFrame({
        "wijk": [f"WK{i:06d}" for i in range(n_wijken)], "programme_city": city,
        "gemeente_code": gm, "treated_strict": treated, "dose_strict": dose,
    })
    panel = units.loc[units.index.repeat(len(YEARS))].reset_index(drop=True)
    panel["year"] = np.tile(YEARS, n_wijken)
    panel["category"] = 0
    return panel


def simulate_ordinal_did(
    rng: np.random.Generator,
    design: OrdinalDiDDesign,
    *,
    priors: OrdinalDiDPriors | None = None,
    truth: dict[str, object] | None = None,
    treated_level_shift: float = 0.0,
) -> tuple[dict[str, object], OrdinalDiDDesign]:
    """Draw parameters from the priors and SIMULATED classes given them (NumPy only).

    The documented data-generating process of :func:`build_ordinal_did` written independently
    of PyMC, for simulation-based calibration. ``truth`` overrides drawn values (e.g. strong
    convergence in ``log_loading``); ``treated_level_shift`` moves the treated wijken's levels
    down by that many SDs (selection of the worst-off wijken, so that ignoring convergence
    biases the effect; 0 keeps the simulator equal to the model's prior).

    Returns
    -------
    truth : dict
        Parameter values keyed by posterior variable name.
    design : OrdinalDiDDesign
        A copy of the design with simulated ``y``.
    """
    p = priors or OrdinalDiDPriors()
    d = design
    k = d.n_categories
    n_change = len(CHANGE_YEARS)
    omega = rng.normal(0.0, p.omega_sd, len(POST_YEARS))
    scale = rng.lognormal(p.scale_log_mu, p.scale_log_sd)
    sigma_level = abs(rng.normal(0.0, p.sigma_level_sd))
    sigma_alpha = sigma_level / scale
    draw: dict[str, object] = {
        "scale": scale,
        "sigma_level": sigma_level,
        "cut_first": rng.normal(p.cut_first_mu, p.cut_first_sd),
        "gap_share": rng.dirichlet(np.full(k - 2, p.gap_concentration)),
        "sigma_alpha": sigma_alpha,
        "alpha": sigma_alpha * _zero_sum(rng.normal(size=d.n_wijken)
                                         - treated_level_shift * d.treated_of_wijk),
        "gamma": rng.normal(0.0, p.gamma_sd, n_change),
        "log_loading": rng.normal(0.0, p.loading_sd, n_change),
        "city_year": rng.normal(0.0, p.city_year_sd, n_change),
        "tau": rng.normal(0.0, p.tau_sd),
        "sigma_tau": abs(rng.normal(0.0, p.sigma_tau_sd)),
        "z": rng.normal(size=max(len(d.municipalities), 1)),
        "omega": _zero_sum(omega),
        "beta_dose": rng.normal(0.0, p.beta_dose_sd),
        "placebo": rng.normal(0.0, p.placebo_sd),
    }
    draw.update(truth or {})
    if not d.has_city_contrast:
        draw.pop("city_year")
    cut_class = np.concatenate([[draw["cut_first"]],
                                draw["cut_first"] + np.cumsum((k - 2) * draw["gap_share"])])
    draw["cutpoints"] = draw["scale"] * cut_class
    arrays = {key: np.asarray(v, dtype=float)[None, ...] for key, v in draw.items()}
    eta = draw["scale"] * latent_predictor(d, arrays)[0]
    y = _ordered_logit_random(eta, draw["cutpoints"], rng=rng)
    if not d.municipalities:
        draw.pop("z")
    return draw, OrdinalDiDDesign(**{**d.__dict__, "y": y})


def _zero_sum(values: np.ndarray) -> np.ndarray:
    """Subtract the mean (the zero-sum constraint of PyMC's ZeroSumNormal)."""
    return values - values.mean()


def latent_predictor(
    d: OrdinalDiDDesign,
    post: dict[str, np.ndarray],
    *,
    alpha: np.ndarray | None = None,
    treatment: bool = True,
) -> np.ndarray:
    """Latent predictor of every row for each draw (leading dim), in class units (NumPy).

    Parameters
    ----------
    d : OrdinalDiDDesign
        The design.
    post : dict of numpy.ndarray
        Parameter arrays with a leading draw dim (``alpha`` as ``(draws, wijk)``).
    alpha : numpy.ndarray, optional
        Per-row wijk levels to use instead of ``post["alpha"]`` (shape ``(draws, rows, ...)``
        for quadrature nodes); broadcast against the rest.
    treatment : bool, default True
        Include the treatment term.

    Returns
    -------
    numpy.ndarray
        ``(draws, rows)`` or ``(draws, rows, nodes)``.
    """
    rows = d.row_arrays()
    level = post["alpha"][:, d.wijk_idx] if alpha is None else alpha
    extra = (1,) * (level.ndim - 2)
    c_row = rows["change_pos"]
    changed = rows["changed"]

    def per_row(values: np.ndarray) -> np.ndarray:
        return values.reshape(values.shape + extra)

    if "log_loading" in post:
        loading = 1.0 + changed * (np.exp(post["log_loading"])[:, c_row] - 1.0)
        level = level * per_row(loading)
    eta = level + per_row(changed * post["gamma"][:, c_row])
    if "city_year" in post:
        eta = eta + per_row(rows["city"] * changed * post["city_year"][:, c_row])
    if treatment:
        eta = eta + per_row(treatment_term(d, post))
    return eta


def treatment_term(d: OrdinalDiDDesign, post: dict[str, np.ndarray]) -> np.ndarray:
    """Return the treatment's part of every row's latent predictor (class units, per draw)."""
    rows = d.row_arrays()
    if "z" in post and post["z"].size:
        tau_m = post["tau"][:, None] + post["sigma_tau"][:, None] * post["z"]
    else:
        tau_m = post["tau"][:, None]
    effect = (tau_m[:, rows["municipality"]] + post["omega"][:, rows["post_pos"]]
              + post["beta_dose"][:, None] * rows["dose"])
    return rows["treated"] * (rows["post"] * effect - rows["placebo"] * post["placebo"][:, None])


_PARAMS = ["scale", "cutpoints", "sigma_alpha", "alpha", "gamma", "log_loading", "city_year",
           "tau", "sigma_tau", "z", "omega", "beta_dose", "placebo"]


def _posterior_arrays(idata: az.InferenceData) -> dict[str, np.ndarray]:
    """Posterior variables as arrays with one leading sample dim (chain x draw stacked)."""
    out = {}
    for name in _PARAMS:
        if name in idata.posterior:
            arr = idata.posterior[name].to_numpy()
            out[name] = arr.reshape((-1,) + arr.shape[2:])
    return out


def log_category_prob(y: np.ndarray, eta: np.ndarray, cutpoints: np.ndarray) -> np.ndarray:
    """Log P(y | eta) of the ordered logit per draw and row (NumPy, numerically stable).

    Parameters
    ----------
    y : numpy.ndarray of int
        Categories of the rows.
    eta : numpy.ndarray
        Logit-scale latent predictor, ``(draws, rows)`` or ``(draws, rows, nodes)``.
    cutpoints : numpy.ndarray
        Logit-scale cutpoints, ``(draws, K - 1)``.
    """
    n_draws = cutpoints.shape[0]
    padded = np.concatenate([np.full((n_draws, 1), -np.inf), cutpoints,
                             np.full((n_draws, 1), np.inf)], axis=1)
    extra = (1,) * (eta.ndim - 2)
    hi = padded[:, y + 1].reshape(n_draws, -1, *extra) - eta
    lo = padded[:, y].reshape(n_draws, -1, *extra) - eta
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.log(-np.expm1(lo - hi))
    return -np.logaddexp(0.0, -hi) - np.logaddexp(0.0, lo) + gap


def marginal_log_likelihood(
    idata: az.InferenceData,
    design: OrdinalDiDDesign,
    *,
    n_nodes: int = 15,
    chunk: int = 100,
) -> xr.DataArray:
    r"""Each wijk's log-likelihood with its level integrated out (leave-one-wijk-out PSIS).

    Conditional on its own level :math:`\alpha_i` a wijk's five classes inform mainly that
    level, so PSIS-LOO per wijk-year, or per wijk given :math:`\alpha_i`, has large Pareto k.
    Leave-one-*wijk*-out uses

    .. math::

        \log p(y_i \mid \theta) = \log \int \prod_t p(y_{it} \mid a, \theta)\,
        \mathcal{N}(a \mid 0, \sigma_\alpha)\, da,

    computed per draw by Gauss-Hermite quadrature adapted to each wijk: the nodes of
    :math:`N(m_i, (1.5 s_i)^2)`, with :math:`m_i, s_i` the posterior mean and SD of
    :math:`\alpha_i`, and the weights corrected by the ratio of the prior density to that
    normal (the integral does not depend on this choice, only the accuracy does). The
    zero-sum constraint on the levels is ignored here: it changes each level's prior variance
    by a factor (N - 1) / N.

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit of :func:`build_ordinal_did` on ``design``.
    design : OrdinalDiDDesign
        The design the model was built with (:func:`ordinal_did_design`).
    n_nodes : int, default 15
        Quadrature nodes.
    chunk : int, default 100
        Draws processed at once (memory).

    Returns
    -------
    xarray.DataArray
        Dims ``(chain, draw, wijk)``, named ``y``.
    """
    post = _posterior_arrays(idata)
    n_chain, n_draw = idata.posterior.sizes["chain"], idata.posterior.sizes["draw"]
    nodes, weights = np.polynomial.hermite_e.hermegauss(n_nodes)
    m = post["alpha"].mean(axis=0)
    s = 1.5 * np.maximum(post["alpha"].std(axis=0), 1e-3)
    points = m[:, None] + s[:, None] * nodes[None, :]  # (wijk, node)
    # a = m + s x turns the integral into one against exp(-x^2 / 2), Gauss-Hermite's weight
    log_q = np.log(weights)[None, :] + 0.5 * nodes[None, :] ** 2 + np.log(s)[:, None]
    starts = np.flatnonzero(np.r_[True, np.diff(design.wijk_idx) != 0])
    out = np.empty((n_chain * n_draw, design.n_wijken))
    for lo in range(0, n_chain * n_draw, chunk):
        part = {key: value[lo:lo + chunk] for key, value in post.items()}
        eta = latent_predictor(design, part,
                               alpha=np.broadcast_to(points[design.wijk_idx][None],
                                                     (part["tau"].shape[0],)
                                                     + points[design.wijk_idx].shape))
        logp = log_category_prob(design.y, part["scale"][:, None, None] * eta,
                                 part["cutpoints"])
        per_wijk = np.add.reduceat(logp, starts, axis=1)  # (draws, wijk, node)
        sd = part["sigma_alpha"][:, None, None]
        log_prior = -0.5 * (points[None] / sd) ** 2 - np.log(sd) - 0.5 * np.log(2 * np.pi)
        out[lo:lo + chunk] = logsumexp(per_wijk + log_prior + log_q[None], axis=2)
    return xr.DataArray(out.reshape(n_chain, n_draw, -1), dims=("chain", "draw", "wijk"),
                        coords={"chain": idata.posterior["chain"].values,
                                "draw": idata.posterior["draw"].values, "wijk": design.wijk},
                        name="y")


def class_effects(
    idata: az.InferenceData,
    design: OrdinalDiDDesign,
    *,
    threshold_class: int = 5,
) -> dict[str, xr.DataArray]:
    """Translate the treatment effect into classes, averaged over treated post wijk-years.

    For each draw and each treated wijk in a post year, compares the model's class
    probabilities with and without the treatment term (the same wijk level and year effects).

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit of :func:`build_ordinal_did` on ``design``.
    design : OrdinalDiDDesign
        Its design.
    threshold_class : int, default 5
        Leefbaarometer class (1-9) of the threshold; the categories are the classes
        ``10 - K .. 9`` with the lowest ones collapsed into the first.

    Returns
    -------
    dict of xarray.DataArray
        ``p_good``: change in the probability of a class at or above ``threshold_class``
        (percentage points); ``expected_class``: change in the expected class (the collapsed lowest
        category counted as its highest class); dims ``(chain, draw)``.
    """
    post = _posterior_arrays(idata)
    n_chain, n_draw = idata.posterior.sizes["chain"], idata.posterior.sizes["draw"]
    rows = design.row_arrays()
    keep = (rows["treated"] > 0) & (rows["post"] > 0)
    scale = post["scale"][:, None]
    eta = scale * latent_predictor(design, post)[:, keep]
    term = scale * treatment_term(design, post)[:, keep]
    k = design.n_categories
    values = np.arange(k) + (10 - k)
    threshold_category = int(threshold_class - (10 - k))
    cut = post["cutpoints"][:, None, :]
    summary = {}
    for name, eta_now in (("with", eta), ("without", eta - term)):
        cdf = expit(cut - eta_now[:, :, None])
        ones = np.ones(cdf.shape[:2] + (1,))
        probs = np.diff(np.concatenate([0 * ones, cdf, ones], axis=2), axis=2)
        summary[name] = (probs[:, :, threshold_category:].sum(axis=2).mean(axis=1),
                         (probs * values).sum(axis=2).mean(axis=1))
    dims = ("chain", "draw")
    shape = (n_chain, n_draw)
    return {
        "p_good": xr.DataArray(100 * (summary["with"][0] - summary["without"][0])
                               .reshape(shape), dims=dims),
        "expected_class": xr.DataArray((summary["with"][1] - summary["without"][1])
                                       .reshape(shape), dims=dims),
    }
