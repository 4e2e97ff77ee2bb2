"""Impulsgebieden: an event study of extra school funding on the Leefbaarometer 3.0 postcode panel.

The *Regeling vaststelling impulsgebieden* designated 967 four-digit postcodes (PC4) for extra
primary-school funding against educational disadvantage in the school years 2013-2014 to
2016-2017. This module turns the loaded frames into the event-study data of the chapter
``chapters/school_funding.md``:

- :func:`build_school_panel`: one row per postcode x measurement year with the designation
  (0/1), the dominant municipality (2023), a pre-period baseline level and 2023 composition;
- :func:`event_changes`: the change of each postcode's score from the reference year 2012 to
  every other year (the outcome of the event study: postcode intercepts drop out);
- :func:`baseline_gaps`, :func:`mean_paths`: descriptive checks (how far apart designated and
  comparison postcodes were before designation, and their raw mean paths);
- :func:`within_municipality_contrasts`: least-squares designated-minus-comparison contrasts per
  year within municipalities, with or without a baseline term: exact numbers for the
  sensitivity of the design to the choice of baseline (not a second model);
- :func:`dimension_contrasts`: the same contrast for the five dimension scores, which exist
  only from 2014 and can therefore only check *where* a post-period difference sits.

Every function takes validated frames (the loaders of :mod:`analysis.data`) and never reads a
file itself. The 2023 population and composition are a post-treatment cross-section: they are
used for description and weights only, never to select or match.
"""

from __future__ import annotations

from collections.abc import Sequence

import arviz as az
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from scipy import stats

from analysis.data.postcodes import YEARS, PostcodeError, lbm3_panel, require_columns
from analysis.data.postcodes import event_changes as changes_from_reference
from analysis.display.figures import PALETTE
from analysis.models.event_study import exposure_contrast

REFERENCE_YEAR = 2012
"""Last measurement before the designation of 2013: every change is measured from it."""

PRE_YEARS: tuple[int, ...] = (2002, 2008)
"""Years before the reference year: their contrasts are the pre-trend check."""

POST_YEARS: tuple[int, ...] = (2014, 2016, 2018, 2020, 2022)
"""Measurement years after the designation (2014 and 2016 during it, 2018-2022 after it)."""

BASELINE_YEARS: tuple[int, ...] = (2002, 2008, 2012)
"""Years averaged into the default baseline level (the pre-designation mean)."""

DIMENSIONS: dict[str, str] = {
    "fys": "physical environment",
    "onv": "nuisance and insecurity",
    "soc": "social cohesion",
    "vrz": "amenities",
    "won": "housing stock",
}
"""Leefbaarometer 3.0 dimension scores (2014 and 2018-2022 only); they sum to ``afw``."""

COMPARISONS = ("municipality", "common_support", "nearest")
"""Comparison groups :func:`build_school_panel` can form (see there)."""

BASELINES = ("pre_mean", "2012", "2008", "2002")
"""Baseline levels :func:`build_school_panel` can compute (see there)."""


class SchoolFundingError(ValueError):
    """Input frames that cannot make the impulsgebieden panel; the message says what and where."""


def _require(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    require_columns(frame, columns, name, SchoolFundingError)


def designated_postcodes(impulsgebieden: pd.DataFrame) -> pd.Index:
    """Return the designated postcodes of the impulsgebieden table, checked.

    Parameters
    ----------
    impulsgebieden : pandas.DataFrame
        :func:`analysis.data.load_impulsgebieden`: columns ``pc4`` and ``impulsgebied_2013_2017``.

    Returns
    -------
    pandas.Index
        Sorted integer postcodes whose indicator is 1 (name ``pc4``).

    Raises
    ------
    SchoolFundingError
        If a column is missing, a postcode is listed twice, or the indicator is not 0/1.

    Examples
    --------
    >>> designated_postcodes(pd.DataFrame({"pc4": [1011, 1012],
    ...                                    "impulsgebied_2013_2017": [1, 0]})).tolist()
    [1011]
    """
    _require(impulsgebieden, ["pc4", "impulsgebied_2013_2017"], "impulsgebieden")
    pc4 = impulsgebieden["pc4"].astype(int)
    dup = pc4[pc4.duplicated()].unique()
    if len(dup):
        raise SchoolFundingError(
            f"impulsgebieden: postcode(s) listed more than once: {sorted(dup)[:10]}"
        )
    flag = impulsgebieden["impulsgebied_2013_2017"].astype(int)
    bad = sorted(set(flag.unique()) - {0, 1})
    if bad:
        raise SchoolFundingError(
            f"impulsgebieden: column 'impulsgebied_2013_2017' must be 0 or 1, got {bad}"
        )
    return pd.Index(sorted(pc4[flag == 1]), name="pc4")


def build_school_panel(
    lbm: pd.DataFrame,
    impulsgebieden: pd.DataFrame,
    pc4_gemeente: pd.DataFrame,
    pc4_2023: pd.DataFrame | None = None,
    *,
    comparison: str = "municipality",
    baseline: str = "pre_mean",
    n_matches: int = 2,
    min_designated: int = 1,
) -> pd.DataFrame:
    """Build the postcode x year panel of the impulsgebieden event study.

    Parameters
    ----------
    lbm : pandas.DataFrame
        :func:`analysis.data.load_lbm3_pc4` (long: ``PC4, jaar, lbm, ...``).
    impulsgebieden : pandas.DataFrame
        :func:`analysis.data.load_impulsgebieden`.
    pc4_gemeente : pandas.DataFrame
        :func:`analysis.data.load_pc4_municipality_2023` (dominant municipality of each postcode).
    pc4_2023 : pandas.DataFrame, optional
        :func:`analysis.data.load_pc4_2023`; adds ``population_2023`` (weights) and
        ``pct_outside_europe_2023``, ``pct_rental_2023`` (description only: post-treatment).
    comparison : {"municipality", "common_support"}, default "municipality"
        ``"municipality"``: every non-designated postcode in a municipality with at least one
        designated postcode. ``"common_support"``: of those, only postcodes whose baseline lies
        within the range of the designated postcodes' baselines in the same municipality
        (a crude match on the pre-designation level; designated postcodes are always kept).
        ``"nearest"``: for each designated postcode the ``n_matches`` non-designated postcodes
        of the same municipality nearest to it in baseline level (with replacement: the
        comparison group is the union of these matches, each kept once).
    baseline : {"pre_mean", "2012", "2008", "2002"}, default "pre_mean"
        Pre-designation level in the ``baseline`` column: the mean of 2002, 2008 and 2012
        (less noisy than one year), or one year's score.
    n_matches : int, default 2
        Matches per designated postcode with ``comparison="nearest"``.
    min_designated : int, default 1
        Keep only municipalities with at least this many designated postcodes (before any
        matching). With 2, municipalities whose single designated postcode says little about
        their own varying effect are left out of a fit; ``attrs`` counts what was dropped.

    Returns
    -------
    pandas.DataFrame
        One row per kept postcode and year (``YEARS``), sorted by ``pc4, year``; columns
        ``pc4, year, lbm, designated`` (0/1), ``gm_code, gm_name, baseline`` (raw level),
        ``baseline_c`` (centred on the mean over kept postcodes and scaled by their SD),
        ``lbm_ref`` (the 2012 score) and, with ``pc4_2023``, the 2023 columns.
        ``attrs`` records what was dropped and why (``n_dropped_incomplete_pre``,
        ``n_dropped_no_designation_in_municipality``, ``n_dropped_few_designated`` and
        ``n_dropped_few_designated_designated`` (postcodes, all and designated, in
        municipalities with fewer than ``min_designated`` designated postcodes),
        ``n_municipalities_few_designated``, ``n_dropped_outside_support`` (outside
        the common support, or not matched),
        ``baseline``, ``comparison``, ``baseline_mean``, ``baseline_sd``).

    Raises
    ------
    SchoolFundingError
        On missing columns, an unknown option, designated postcodes absent from the panel or
        from the municipality table, or duplicated postcode-years.

    Notes
    -----
    A postcode is kept only if it has a score in each of 2002, 2008 and 2012 (the baseline and
    the pre-trend check need them); post-period years may be missing for a few postcodes.
    """
    if comparison not in COMPARISONS:
        raise SchoolFundingError(f"comparison must be one of {COMPARISONS}, got {comparison!r}")
    if baseline not in BASELINES:
        raise SchoolFundingError(f"baseline must be one of {BASELINES}, got {baseline!r}")
    _require(pc4_gemeente, ["pc4", "gm_code2023", "gm_naam2023"], "pc4_to_gemeente_2023")
    designated = designated_postcodes(impulsgebieden)

    panel = lbm3_panel(lbm, SchoolFundingError)
    missing_designated = designated.difference(panel["pc4"].unique())
    if len(missing_designated):
        raise SchoolFundingError(
            f"{len(missing_designated)} designated postcode(s) are not in the Leefbaarometer "
            f"panel, e.g. {list(missing_designated[:5])}"
        )
    gm = pc4_gemeente.astype({"pc4": int})
    no_gm = designated.difference(gm["pc4"])
    if len(no_gm):
        raise SchoolFundingError(
            f"{len(no_gm)} designated postcode(s) have no municipality in pc4_to_gemeente_2023, "
            f"e.g. {list(no_gm[:5])}"
        )

    wide = panel.pivot(index="pc4", columns="year", values="lbm").reindex(columns=list(YEARS))
    complete = wide[list(BASELINE_YEARS)].notna().all(axis=1)
    n_incomplete_designated = int((~complete & wide.index.isin(designated)).sum())
    wide = wide[complete]

    info = pd.DataFrame(index=wide.index)
    info["designated"] = info.index.isin(designated).astype(int)
    gm_map = gm.set_index("pc4")
    info["gm_code"] = gm_map["gm_code2023"].reindex(info.index).astype("Int64")
    info["gm_name"] = gm_map["gm_naam2023"].reindex(info.index)
    n_no_gm = int(info["gm_code"].isna().sum())
    info = info[info["gm_code"].notna()]
    if min_designated < 1:
        raise SchoolFundingError(f"min_designated must be >= 1, got {min_designated}")
    designating = set(info.loc[info["designated"] == 1, "gm_code"])
    in_designating = info["gm_code"].isin(designating)
    n_outside = int((~in_designating).sum())
    info = info[in_designating]
    n_designated_by_gm = info.groupby("gm_code")["designated"].sum()
    few = n_designated_by_gm.index[n_designated_by_gm < min_designated]
    in_few = info["gm_code"].isin(few)
    n_few, n_few_designated = int(in_few.sum()), int(info.loc[in_few, "designated"].sum())
    info = info[~in_few]

    base = wide.loc[info.index, list(BASELINE_YEARS)]
    info["baseline"] = base.mean(axis=1) if baseline == "pre_mean" else base[int(baseline)]
    info["lbm_ref"] = wide.loc[info.index, REFERENCE_YEAR]

    n_outside_support = 0
    if comparison == "common_support":
        rng_by_gm = info[info["designated"] == 1].groupby("gm_code")["baseline"].agg(
            ["min", "max"]
        )
        lo = info["gm_code"].map(rng_by_gm["min"]).astype(float)
        hi = info["gm_code"].map(rng_by_gm["max"]).astype(float)
        inside = (info["designated"] == 1) | info["baseline"].between(lo, hi)
        n_outside_support = int((~inside).sum())
        info = info[inside]
    elif comparison == "nearest":
        if n_matches < 1:
            raise SchoolFundingError(f"n_matches must be >= 1, got {n_matches}")
        matched: set[int] = set()
        for _, part in info.groupby("gm_code"):
            pool = part[part["designated"] == 0]
            for level in part.loc[part["designated"] == 1, "baseline"]:
                order = np.argsort(np.abs(pool["baseline"].to_numpy() - level), kind="stable")
                matched.update(pool.index[order[:n_matches]])
        inside = (info["designated"] == 1) | info.index.isin(sorted(matched))
        n_outside_support = int((~inside).sum())
        info = info[inside]

    mean, sd = float(info["baseline"].mean()), float(info["baseline"].std())
    info["baseline_c"] = (info["baseline"] - mean) / sd

    if pc4_2023 is not None:
        _require(pc4_2023, ["pc4", "aantal_inwoners", "percentage_huurwoningen"], "cbs_pc4_2023")
        cbs = pc4_2023.astype({"pc4": int}).set_index("pc4")
        outside = (cbs["percentage_geb_nederland_herkomst_buiten_europa"]
                   + cbs["percentage_geb_buiten_nederland_herkmst_buiten_europa"])
        info["population_2023"] = cbs["aantal_inwoners"].reindex(info.index).fillna(0.0)
        info["pct_outside_europe_2023"] = outside.reindex(info.index)
        info["pct_rental_2023"] = cbs["percentage_huurwoningen"].reindex(info.index)

    long = (wide.loc[info.index].rename_axis(columns="year").stack(future_stack=True)
            .rename("lbm").reset_index())
    long = long[long["lbm"].notna()].merge(info.reset_index(), on="pc4")
    long = long.sort_values(["pc4", "year"]).reset_index(drop=True)
    long["gm_code"] = long["gm_code"].astype(int)
    long.attrs.update(
        baseline=baseline, comparison=comparison, baseline_mean=mean, baseline_sd=sd,
        n_matches=n_matches if comparison == "nearest" else None,
        n_dropped_incomplete_pre=int((~complete).sum()),
        n_dropped_incomplete_pre_designated=n_incomplete_designated,
        n_dropped_no_municipality=n_no_gm,
        n_dropped_no_designation_in_municipality=n_outside,
        n_dropped_outside_support=n_outside_support,
        min_designated=min_designated,
        n_dropped_few_designated=n_few,
        n_dropped_few_designated_designated=n_few_designated,
        n_municipalities_few_designated=len(few),
    )
    return long


def postcodes(panel: pd.DataFrame) -> pd.DataFrame:
    """Return one row per postcode of a panel (the time-constant columns), indexed by ``pc4``."""
    constant = [c for c in panel.columns if c not in ("year", "lbm")]
    return panel[constant].drop_duplicates("pc4").set_index("pc4")


def event_changes(panel: pd.DataFrame, reference_year: int = REFERENCE_YEAR) -> pd.DataFrame:
    """Return the change of every postcode's score from the reference year to each other year.

    The one implementation is :func:`analysis.data.postcodes.event_changes`; this wrapper sets the
    school-funding reference year and raises this module's error.

    Parameters
    ----------
    panel : pandas.DataFrame
        :func:`build_school_panel`.
    reference_year : int, default 2012
        Year every change is measured from (its own row is dropped).

    Returns
    -------
    pandas.DataFrame
        One row per postcode and non-reference year, sorted by ``pc4, year``: the panel's
        columns plus ``change`` (``lbm - lbm[reference_year]``, LBM units) and ``period``
        (``"pre"``/``"post"``).

    Raises
    ------
    SchoolFundingError
        If a postcode has no score in the reference year.
    """
    try:
        return changes_from_reference(panel, reference_year)
    except PostcodeError as err:
        raise SchoolFundingError(str(err)) from err


def baseline_gaps(panel: pd.DataFrame) -> pd.DataFrame:
    """Describe designated against comparison postcodes before designation.

    Returns
    -------
    pandas.DataFrame
        Index ``group`` (``designated``, ``comparison``); columns ``postcodes``,
        ``municipalities``, ``lbm_2002``, ``lbm_2012`` (means), ``sd_2012``, ``baseline``
        (mean of the baseline level) and, when the panel has them, the population-weighted
        2023 shares ``pct_outside_europe_2023`` and ``pct_rental_2023`` (post-treatment).
    """
    pcs = postcodes(panel)
    wide = panel.pivot(index="pc4", columns="year", values="lbm")
    rows = {}
    for label, flag in (("designated", 1), ("comparison", 0)):
        ids = pcs.index[pcs["designated"] == flag]
        row = {
            "postcodes": len(ids),
            "municipalities": pcs.loc[ids, "gm_code"].nunique(),
            "lbm_2002": float(wide.loc[ids, 2002].mean()),
            "lbm_2012": float(wide.loc[ids, REFERENCE_YEAR].mean()),
            "sd_2012": float(wide.loc[ids, REFERENCE_YEAR].std()),
            "baseline": float(pcs.loc[ids, "baseline"].mean()),
        }
        if "population_2023" in pcs:
            weights = pcs.loc[ids, "population_2023"]
            for col in ("pct_outside_europe_2023", "pct_rental_2023"):
                values = pcs.loc[ids, col]
                ok = values.notna() & (weights > 0)
                row[col] = float(np.average(values[ok], weights=weights[ok]))
        rows[label] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("group")


def mean_paths(panel: pd.DataFrame, *, weighted: bool = False) -> pd.DataFrame:
    """Mean score per year of designated and comparison postcodes.

    Parameters
    ----------
    panel : pandas.DataFrame
        :func:`build_school_panel`.
    weighted : bool, default False
        Weight postcodes by their 2023 population (post-treatment; needs ``population_2023``).

    Returns
    -------
    pandas.DataFrame
        Index ``year``; columns ``designated``, ``comparison`` and ``gap`` (designated minus
        comparison), LBM units.
    """
    if weighted and "population_2023" not in panel:
        raise SchoolFundingError("weighted mean paths need the panel's population_2023 column")
    w = panel["population_2023"] if weighted else pd.Series(1.0, index=panel.index)
    frame = panel.assign(_w=w, _wy=w * panel["lbm"])
    sums = frame.groupby(["year", "designated"])[["_wy", "_w"]].sum()
    means = (sums["_wy"] / sums["_w"]).unstack("designated")
    out = pd.DataFrame({"designated": means[1], "comparison": means[0]})
    out["gap"] = out["designated"] - out["comparison"]
    return out


def _within_contrast(y: np.ndarray, treated: np.ndarray, group: np.ndarray,
                     covariate: np.ndarray | None) -> tuple[float, float]:
    """Least-squares coefficient of ``treated`` with group intercepts (and a covariate)."""
    _, inverse = np.unique(group, return_inverse=True)
    columns = [treated[:, None], np.eye(inverse.max() + 1)[inverse]]
    if covariate is not None:
        columns.append(covariate[:, None])
    x = np.hstack(columns)
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    dof = len(y) - np.linalg.matrix_rank(x)
    cov = (resid @ resid / dof) * np.linalg.pinv(x.T @ x)
    return float(coef[0]), float(np.sqrt(cov[0, 0]))


def within_municipality_contrasts(
    changes: pd.DataFrame, *, baseline: str | None = "baseline_c"
) -> pd.DataFrame:
    """Designated-minus-comparison change from 2012, per year, within municipalities.

    For each year separately, the change from the reference year is regressed by least squares
    on the designation, one intercept per municipality and (optionally) the baseline level, so
    the baseline slope differs by year. These are descriptive contrasts (with classical
    standard errors) for comparing baseline choices, not the chapter's model.

    Parameters
    ----------
    changes : pandas.DataFrame
        :func:`event_changes`.
    baseline : str or None, default "baseline_c"
        Column used as the baseline covariate; None for no baseline term.

    Returns
    -------
    pandas.DataFrame
        Index ``year``; columns ``contrast`` and ``se`` (LBM units).

    Examples
    --------
    >>> ch = pd.DataFrame({"year": [2014] * 4, "change": [0.1, 0.3, 0.0, 0.2],
    ...                    "designated": [0, 1, 0, 1], "gm_code": [1, 1, 2, 2]})
    >>> round(within_municipality_contrasts(ch, baseline=None).loc[2014, "contrast"], 6)
    0.2
    """
    rows = []
    for year, part in changes.groupby("year"):
        part = part[part["change"].notna()]
        cov = None if baseline is None else part[baseline].to_numpy(float)
        est, se = _within_contrast(part["change"].to_numpy(float),
                                   part["designated"].to_numpy(float),
                                   part["gm_code"].to_numpy(), cov)
        rows.append({"year": int(year), "contrast": est, "se": se})
    return pd.DataFrame(rows).set_index("year")


def dimension_contrasts(
    lbm: pd.DataFrame, panel: pd.DataFrame, *, start: int = 2014, end: int = 2022
) -> pd.DataFrame:
    """Within-municipality designated-minus-comparison contrasts of the dimension scores.

    The dimensions exist only from 2014 (and 2018-2022), so they cannot show a change across
    the designation; they show where designated postcodes differed in ``start`` (level, given
    the baseline) and which dimension carried the change from ``start`` to ``end``. Because
    the five dimensions sum to the total score, the contrasts of the dimensions add up to the
    contrast of the total (``afw``), up to postcodes missing a dimension.

    Parameters
    ----------
    lbm : pandas.DataFrame
        :func:`analysis.data.load_lbm3_pc4`.
    panel : pandas.DataFrame
        :func:`build_school_panel` (postcodes, designation, municipality, ``baseline_c``).
    start, end : int, default 2014 and 2022
        Years with dimension scores.

    Returns
    -------
    pandas.DataFrame
        Index ``dimension`` (the five codes and ``total``); columns ``name``,
        ``level_start`` and ``level_start_se`` (contrast of the level in ``start``),
        ``change`` and ``change_se`` (contrast of the change ``start`` -> ``end``).
    """
    _require(lbm, ["PC4", "jaar", "afw", *DIMENSIONS], "Leefbaarometer 3.0 panel")
    for year in (start, end):
        if lbm.loc[lbm["jaar"] == year, list(DIMENSIONS)].isna().all().all():
            raise SchoolFundingError(f"no dimension scores in year {year}; they exist in "
                                     "2014 and 2018-2022 only")
    pcs = postcodes(panel)
    cols = [*DIMENSIONS, "afw"]
    scores = {y: lbm.loc[lbm["jaar"] == y].set_index("PC4")[cols].reindex(pcs.index)
              for y in (start, end)}
    rows = []
    for dim in cols:
        first, last = scores[start][dim], scores[end][dim]
        ok = first.notna() & last.notna()
        sub = pcs[ok]
        args = (sub["designated"].to_numpy(float), sub["gm_code"].to_numpy(),
                sub["baseline_c"].to_numpy(float))
        lvl, lvl_se = _within_contrast(first[ok].to_numpy(float), *args)
        chg, chg_se = _within_contrast((last - first)[ok].to_numpy(float), *args)
        rows.append({"dimension": "total" if dim == "afw" else dim,
                     "name": DIMENSIONS.get(dim, "total (sum of the five)"),
                     "level_start": lvl, "level_start_se": lvl_se,
                     "change": chg, "change_se": chg_se})
    return pd.DataFrame(rows).set_index("dimension")


def national_context(lbm: pd.DataFrame) -> dict[str, float]:
    """National yardsticks in LBM units: the rise of the mean 2002-2022 and the SD across PC4.

    Returns
    -------
    dict
        ``national_rise`` (mean 2022 minus mean 2002, all postcodes), ``sd_2012`` (SD of the
        2012 score across all postcodes) and ``sd_change`` (SD across postcodes of the change
        2012 -> 2022).
    """
    _require(lbm, ["PC4", "jaar", "lbm"], "Leefbaarometer 3.0 panel")
    wide = lbm.pivot(index="PC4", columns="jaar", values="lbm")
    return {
        "national_rise": float(wide[2022].mean() - wide[2002].mean()),
        "sd_2012": float(wide[REFERENCE_YEAR].std()),
        "sd_change": float((wide[2022] - wide[REFERENCE_YEAR]).std()),
    }


def event_study_inputs(changes: pd.DataFrame) -> dict[str, object]:
    """Keyword arguments of :func:`analysis.models.event_study.build_event_study` for a panel.

    Rows without a score in their year are dropped and the rest sorted by postcode and year
    (the builder needs each unit's rows together). Exposure is the 0/1 designation.

    Parameters
    ----------
    changes : pandas.DataFrame
        :func:`event_changes`.

    Returns
    -------
    dict
        ``change, unit, year, exposure, group, baseline`` (arrays) and ``reference_year``.
    """
    rows = changes[changes["change"].notna()].sort_values(["pc4", "year"])
    return {
        "change": rows["change"].to_numpy(float), "unit": rows["pc4"].to_numpy(),
        "year": rows["year"].to_numpy(int), "exposure": rows["designated"].to_numpy(float),
        "group": rows["gm_code"].to_numpy(), "baseline": rows["baseline_c"].to_numpy(float),
        "reference_year": REFERENCE_YEAR,
    }


def contrast_check(
    idata: az.InferenceData, inputs: dict[str, object], observed: str = "change"
) -> pd.DataFrame:
    """Posterior predictive check of the design: designated-minus-comparison change per year.

    The statistic is the raw difference of mean changes from 2012 (designated minus
    comparison) in each year, observed and in every replicated data set; in the pre years it
    is the pre-trend the model must reproduce.

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit with a ``posterior_predictive`` group holding ``observed``.
    inputs : dict
        :func:`event_study_inputs` (the rows the model was fitted to, in that order).
    observed : str, default "change"
        The observed variable.

    Returns
    -------
    pandas.DataFrame
        Index ``year``; columns ``observed``, ``replicated_mean``, ``replicated_lo``,
        ``replicated_hi`` (94 % interval) and ``p_value`` (share of replications at or above
        the observed contrast).
    """
    years = sorted(set(np.asarray(inputs["year"]).tolist()))
    x, yr = np.asarray(inputs["exposure"]), np.asarray(inputs["year"])
    obs = exposure_contrast(np.asarray(inputs["change"]), x, yr, years)
    rep = np.asarray(idata.posterior_predictive[observed].transpose("chain", "draw", ...))
    rep = exposure_contrast(rep.reshape(-1, rep.shape[-1]), x, yr, years)
    lo, hi = np.quantile(rep, [0.03, 0.97], axis=0)
    return pd.DataFrame({
        "year": years, "observed": obs, "replicated_mean": rep.mean(axis=0),
        "replicated_lo": lo, "replicated_hi": hi, "p_value": (rep >= obs).mean(axis=0),
    }).set_index("year")


def plot_mean_paths(paths: dict[str, pd.DataFrame]) -> Figure:
    """Raw mean paths of designated and comparison postcodes, one panel per comparison set.

    Parameters
    ----------
    paths : dict of str to DataFrame
        Panel title -> :func:`mean_paths` output.
    """
    colours = sns.color_palette(PALETTE)
    fig, axes = plt.subplots(1, len(paths), figsize=(4.2 * len(paths), 3.4), sharey=True,
                             squeeze=False)
    for ax, (title, table) in zip(axes[0], paths.items(), strict=True):
        ax.plot(table.index, table["designated"], "o-", color=colours[3],
                label="designated (impulsgebied)")
        ax.plot(table.index, table["comparison"], "s--", color=colours[0], label="comparison")
        ax.axvspan(2013, 2017, color="0.9", zorder=0, label="designation 2013-2017")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("year")
    axes[0][0].set_ylabel("mean Leefbaarometer 3.0 score")
    axes[0][0].legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def plot_event_study(idata: az.InferenceData, check: pd.DataFrame) -> Figure:
    """Event-study coefficients (left) and the posterior predictive contrast check (right).

    Parameters
    ----------
    idata : arviz.InferenceData
        Fit of the event study (``beta`` by ``year``).
    check : pandas.DataFrame
        :func:`contrast_check`.
    """
    colours = sns.color_palette(PALETTE)
    beta = idata.posterior["beta"]
    years = beta["year"].values
    mean = beta.mean(("chain", "draw")).values
    lo, hi = (beta.quantile(q, ("chain", "draw")).values for q in (0.03, 0.97))
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.5, 3.6))
    pre = years < REFERENCE_YEAR
    for mask, colour, label in ((pre, colours[0], "pre-trend (2002, 2008)"),
                                (~pre, colours[3], "post (2014-2022)")):
        left.errorbar(years[mask], mean[mask], yerr=[mean[mask] - lo[mask], hi[mask] - mean[mask]],
                      fmt="o", color=colour, capsize=3, label=label)
    left.plot([REFERENCE_YEAR], [0.0], "kD", label="reference 2012 (= 0)")
    left.axhline(0.0, color="0.4", lw=0.8)
    left.axvspan(2013, 2017, color="0.9", zorder=0)
    left.set_title("Event-study coefficients (94 % intervals)", fontsize=10)
    left.set_xlabel("year")
    left.set_ylabel("designated minus comparison (LBM units)")
    left.legend(fontsize=8)
    right.fill_between(check.index, check["replicated_lo"], check["replicated_hi"],
                       color=colours[0], alpha=0.3, label="replicated 94 % band")
    right.plot(check.index, check["replicated_mean"], "-", color=colours[0])
    right.plot(check.index, check["observed"], "ko", label="observed")
    right.axhline(0.0, color="0.4", lw=0.8)
    right.set_title("Raw contrast of changes from 2012", fontsize=10)
    right.set_xlabel("year")
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_spread(idata: az.InferenceData, prior_scale: float, n_designated: pd.Series) -> Figure:
    """Prior and posterior of the spread across municipalities, and the municipality effects.

    Parameters
    ----------
    idata : arviz.InferenceData
        Fit with ``effect_sd`` and ``effect_group`` (group).
    prior_scale : float
        Scale of the half-normal prior of ``effect_sd``.
    n_designated : pandas.Series
        Designated postcodes per municipality code (for the x axis of the right panel).
    """
    colours = sns.color_palette(PALETTE)
    post = np.asarray(idata.posterior["effect_sd"]).ravel()
    grid = np.linspace(0, max(4 * prior_scale, post.max() * 1.2), 400)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.5, 3.4))
    left.plot(grid, stats.halfnorm(scale=prior_scale).pdf(grid), color=colours[0], label="prior")
    sns.kdeplot(post, ax=left, color=colours[3], label="posterior", fill=True)
    left.set_xlabel("SD of the post effect across municipalities (LBM units)")
    left.set_title("Spread across municipalities", fontsize=10)
    left.legend(fontsize=8)
    eff = idata.posterior["effect_group"]
    groups = eff["group"].values
    m = eff.mean(("chain", "draw")).values
    lo, hi = (eff.quantile(q, ("chain", "draw")).values for q in (0.03, 0.97))
    n = n_designated.reindex(groups).to_numpy(float)
    right.errorbar(n, m, yerr=[m - lo, hi - m], fmt="o", ms=3, alpha=0.5, color=colours[3],
                   elinewidth=0.6)
    right.axhline(float(idata.posterior["effect_post"].mean()), color="k", lw=1,
                  label="average post effect")
    right.axhline(0.0, color="0.4", lw=0.8, ls=":")
    right.set_xscale("log")
    right.set_xlabel("designated postcodes in the municipality (log scale)")
    right.set_ylabel("post effect (LBM units)")
    right.set_title("Municipality effects (94 % intervals)", fontsize=10)
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig

