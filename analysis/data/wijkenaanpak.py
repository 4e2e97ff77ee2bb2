"""The analysis panel of the wijkenaanpak chapter: Leefbaarometer 2.0 wijk classes, wijk x year.

The sample is every CBS 2016 wijk of the 18 municipalities of the wijkenaanpak (treated and
untreated wijken of the same cities) plus comparison wijken from the other municipalities,
matched to each treated wijk exactly on its (collapsed) 2002 Leefbaarometer class and by nearest
neighbour on composition: the share of residents with a non-western migration background and
the log population. Both composition variables are from 1 January 2016, i.e. **post-treatment**
(the programme ran 2007-2012); no earlier wijk attributes are in ``data/``.

Classes 1-3 are rare nationally (under 1 % of all wijk-years), but in this sample they are where
the treated wijken are: collapsing classes 1-4 would hide the movement of most treated wijken.
Only classes 1 and 2 are collapsed (class 1 has three wijk-years here) into the lowest category
"<= 2", leaving eight ordered categories; the cutpoint prior of the model (Dirichlet gaps)
keeps the rare categories' cutpoints regularised.

Functions take loaded, validated frames (``analysis.data`` loaders) and never read files.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

YEARS: tuple[int, ...] = (2002, 2008, 2012, 2014, 2016)
"""Measurement years of the Leefbaarometer 2.0 wijk classes."""

CLASS_COLUMNS: dict[int, str] = {2002: "KL02", 2008: "KL08", 2012: "KL12", 2014: "KL14",
                                 2016: "KL16"}
"""Column of the class file holding each year's class."""

LOWEST_CLASS = 2
"""Classes 1 .. LOWEST_CLASS are collapsed into one category (see the module docstring)."""

DEFINITIONS: tuple[str, ...] = ("strict", "broad")
"""Treatment definitions, each a column ``treated_<definition>`` of the treatment table."""


def class_labels(lowest: int = LOWEST_CLASS) -> list[str]:
    """Labels of the collapsed categories, lowest first, e.g. ``['<= 2', '3', ..., '9']``."""
    return [f"<= {lowest}"] + [str(k) for k in range(lowest + 1, 10)]


def collapse_classes(classes: pd.Series | np.ndarray, lowest: int = LOWEST_CLASS) -> np.ndarray:
    """Map Leefbaarometer classes 1-9 to category codes ``0 .. 9 - lowest`` (1..lowest -> 0).

    Parameters
    ----------
    classes : array-like of float
        Classes 1-9; missing values stay missing (returned as -1).
    lowest : int, default 2
        Classes ``1 .. lowest`` become category 0.

    Returns
    -------
    numpy.ndarray of int
        Category codes; -1 where the class is missing.

    Raises
    ------
    ValueError
        If a non-missing class is not an integer in 1-9.

    Examples
    --------
    >>> collapse_classes(np.array([1.0, 4.0, 5.0, 9.0, np.nan]), lowest=4).tolist()
    [0, 0, 1, 5, -1]
    """
    values = np.asarray(classes, dtype=float)
    present = ~np.isnan(values)
    bad = present & ((values < 1) | (values > 9) | (values != np.round(values)))
    if bad.any():
        raise ValueError(f"Leefbaarometer classes must be integers 1-9, got "
                         f"{values[bad][:5].tolist()}")
    codes = np.full(values.shape, -1, dtype=int)
    codes[present] = np.maximum(values[present].astype(int) - lowest, 0)
    return codes


def programme_wijken(treatment: pd.DataFrame, wijken: pd.DataFrame) -> pd.DataFrame:
    """Join the treatment table to the CBS 2016 wijk attributes (municipality, population).

    Parameters
    ----------
    treatment : pandas.DataFrame
        ``load_wijkenaanpak_treatment()``: one row per CBS 2016 wijk of the 18 municipalities,
        columns ``wijk_code``, ``treated_strict``, ``treated_broad``,
        ``investment_eur_per_resident`` (and ``tier``).
    wijken : pandas.DataFrame
        ``load_wijken_2016()``.

    Returns
    -------
    pandas.DataFrame
        Index ``wijk_code``; the treatment columns plus ``GM_CODE``, ``GM_NAAM``, ``WK_NAAM``.

    Raises
    ------
    ValueError
        If a treatment wijk is not a CBS 2016 wijk or a required column is missing.
    """
    needed = ["wijk_code", "treated_strict", "treated_broad", "investment_eur_per_resident"]
    missing = [c for c in needed if c not in treatment.columns]
    if missing:
        raise ValueError(f"treatment table: missing column(s) {missing}")
    attrs = wijken.set_index("WK_CODE")[["WK_NAAM", "GM_CODE", "GM_NAAM"]]
    unknown = sorted(set(treatment["wijk_code"]) - set(attrs.index))
    if unknown:
        raise ValueError(f"treatment table: {len(unknown)} wijk codes are not CBS 2016 wijken, "
                         f"e.g. {unknown[:3]}")
    out = treatment.set_index("wijk_code").join(attrs, how="left")
    for col in ("treated_strict", "treated_broad"):
        out[col] = out[col].astype(bool)
    tier = out["tier"] if "tier" in out else pd.Series("unmatched", index=out.index)
    unplaced = (out["gemeente_has_unplaced_vogelaar"].astype(bool)
                if "gemeente_has_unplaced_vogelaar" in out else pd.Series(False, index=out.index))
    out["contains_area"] = (tier == "contains").to_numpy()
    out["unclean_control"] = (unplaced & ~out["treated_broad"]).to_numpy()
    return out


def match_comparison_wijken(
    classes: pd.DataFrame,
    wijken: pd.DataFrame,
    treated_codes: Sequence[str],
    programme_municipalities: Sequence[str],
    *,
    n_per_treated: int = 2,
    lowest: int = LOWEST_CLASS,
) -> pd.DataFrame:
    """Match comparison wijken from other municipalities to each treated wijk.

    Exact on the collapsed 2002 class; nearest neighbour (Euclidean, without replacement, in
    order of the treated wijken's codes) on the standardised share non-western (``P_N_W_AL``,
    2016) and log population (``AANT_INW``, 2016). Both covariates are post-treatment.

    Parameters
    ----------
    classes : pandas.DataFrame
        ``load_lbm2_wijk_classes()``.
    wijken : pandas.DataFrame
        ``load_wijken_2016()``.
    treated_codes : sequence of str
        Wijk codes to find comparisons for.
    programme_municipalities : sequence of str
        ``GM_CODE`` of the 18 municipalities (their wijken are never comparison wijken).
    n_per_treated : int, default 2
        Comparison wijken per treated wijk.
    lowest : int, default 2
        Class collapsing (see :func:`collapse_classes`).

    Returns
    -------
    pandas.DataFrame
        One row per match: ``treated``, ``comparison``, ``baseline_category``, ``distance``.
    """
    pool = wijken.merge(classes[["WK_CODE", "KL02"]], on="WK_CODE")
    pool = pool.dropna(subset=["KL02", "P_N_W_AL", "AANT_INW"])
    pool = pool[pool["AANT_INW"] > 0].copy()
    pool["cat02"] = collapse_classes(pool["KL02"], lowest)
    pool["x_nw"] = pool["P_N_W_AL"].astype(float)
    pool["x_pop"] = np.log(pool["AANT_INW"].astype(float))
    for col in ("x_nw", "x_pop"):
        pool[col] = (pool[col] - pool[col].mean()) / pool[col].std()
    pool = pool.set_index("WK_CODE")
    candidates = pool[~pool["GM_CODE"].isin(list(programme_municipalities))]
    used: set[str] = set()
    rows = []
    for code in sorted(treated_codes):
        if code not in pool.index:
            continue  # no 2002 class or no composition: cannot be matched
        row = pool.loc[code]
        same = candidates[(candidates["cat02"] == row["cat02"])
                          & ~candidates.index.isin(list(used))]
        distance = np.hypot(same["x_nw"] - row["x_nw"], same["x_pop"] - row["x_pop"])
        for comparison, dist in distance.sort_values().iloc[:n_per_treated].items():
            used.add(comparison)
            rows.append({"treated": code, "comparison": comparison,
                         "baseline_category": int(row["cat02"]), "distance": float(dist)})
    return pd.DataFrame(rows, columns=["treated", "comparison", "baseline_category", "distance"])


def build_panel(
    classes: pd.DataFrame,
    wijken: pd.DataFrame,
    treatment: pd.DataFrame,
    *,
    n_per_treated: int = 2,
    lowest: int = LOWEST_CLASS,
) -> pd.DataFrame:
    """Build the long wijk x year analysis panel of the wijkenaanpak chapter.

    Parameters
    ----------
    classes : pandas.DataFrame
        ``load_lbm2_wijk_classes()``.
    wijken : pandas.DataFrame
        ``load_wijken_2016()``.
    treatment : pandas.DataFrame
        ``load_wijkenaanpak_treatment()`` (see :func:`programme_wijken`).
    n_per_treated : int, default 2
        Matched comparison wijken per treated wijk (broad definition, which contains the strict
        one), from municipalities outside the programme.
    lowest : int, default 2
        Classes ``1 .. lowest`` are collapsed into the lowest category.

    Returns
    -------
    pandas.DataFrame
        One row per wijk and year with a class: ``wijk``, ``gemeente_code``, ``gemeente``,
        ``year``, ``lbm_class`` (1-9), ``category`` (0..K-1, collapsed), ``baseline_category``
        (collapsed 2002 class), ``programme_city`` (wijk in one of the 18 municipalities),
        ``role`` (``treated strict``, ``treated broad only``, ``contains a Vogelaar area``,
        ``city with unplaced Vogelaar areas``, ``programme city control``, ``matched
        comparison``; see :func:`analysis_sample`),
        ``treated_strict``, ``treated_broad``, ``investment_eur_per_resident`` (0 if untreated),
        ``dose_strict``, ``dose_broad`` (investment per resident standardised over the treated
        wijken of that definition, 0 for untreated wijken). Wijken without a 2002 class are
        dropped (no baseline); other missing years are dropped row-wise.
    """
    prog = programme_wijken(treatment, wijken)
    treated_broad = prog.index[prog["treated_broad"]].tolist()
    matches = match_comparison_wijken(classes, wijken, treated_broad,
                                      prog["GM_CODE"].unique().tolist(),
                                      n_per_treated=n_per_treated, lowest=lowest)
    comparison = matches["comparison"].tolist()
    attrs = wijken.set_index("WK_CODE")
    units = pd.DataFrame(index=pd.Index(list(prog.index) + comparison, name="wijk"))
    units["gemeente_code"] = attrs.loc[units.index, "GM_CODE"].to_numpy()
    units["gemeente"] = attrs.loc[units.index, "GM_NAAM"].to_numpy()
    units["programme_city"] = units.index.isin(prog.index)
    for definition in DEFINITIONS:
        col = f"treated_{definition}"
        units[col] = prog[col].reindex(units.index, fill_value=False).astype(bool).to_numpy()
    invest = prog["investment_eur_per_resident"].reindex(units.index).astype(float)
    units["investment_eur_per_resident"] = np.where(units["treated_broad"], invest.fillna(0.0),
                                                    0.0)
    for definition in DEFINITIONS:
        treated = units[f"treated_{definition}"].to_numpy()
        dose = units["investment_eur_per_resident"].to_numpy()
        sd = dose[treated].std() if treated.sum() > 1 else 1.0
        units[f"dose_{definition}"] = np.where(
            treated, (dose - dose[treated].mean()) / (sd if sd > 0 else 1.0), 0.0)
    for col in ("contains_area", "unclean_control"):
        units[col] = prog[col].reindex(units.index, fill_value=False).astype(bool).to_numpy()
    units["role"] = np.select(
        [units["treated_strict"], units["treated_broad"], units["contains_area"],
         units["unclean_control"], units["programme_city"]],
        ["treated strict", "treated broad only", "contains a Vogelaar area",
         "city with unplaced Vogelaar areas", "programme city control"],
        default="matched comparison")
    kl = classes.set_index("WK_CODE").reindex(units.index)
    units["class_2002"] = kl["KL02"].to_numpy()
    units["baseline_category"] = collapse_classes(kl["KL02"], lowest)
    units = units[units["baseline_category"] >= 0]
    long = []
    for year in YEARS:
        part = units.copy()
        part["year"] = year
        part["lbm_class"] = kl.loc[units.index, CLASS_COLUMNS[year]].to_numpy()
        long.append(part.reset_index())
    panel = pd.concat(long, ignore_index=True).dropna(subset=["lbm_class"])
    panel["lbm_class"] = panel["lbm_class"].astype(int)
    panel["category"] = collapse_classes(panel["lbm_class"], lowest)
    return panel.sort_values(["wijk", "year"]).reset_index(drop=True)


EXCLUDED_ROLES: dict[str, tuple[str, ...]] = {
    "strict": ("treated broad only", "contains a Vogelaar area",
               "city with unplaced Vogelaar areas"),
    "broad": ("contains a Vogelaar area", "city with unplaced Vogelaar areas"),
}
"""Roles left out of each definition's sample: wijken that are neither clearly treated nor
clean controls (a broad-only wijk is partly a target area; a ``contains`` wijk holds one; an
untreated wijk of a municipality with an unplaced Vogelaar wijk may hold one)."""


def analysis_sample(panel: pd.DataFrame, definition: str) -> pd.DataFrame:
    """Select one treatment definition's rows: its treated wijken and clean controls.

    Wijken whose 2002 class is above the highest 2002 class of a broadly treated wijk are left
    out, in both definitions (common support: such wijken say nothing about wijken like the
    treated ones, and would only cost sampling time).

    Parameters
    ----------
    panel : pandas.DataFrame
        From :func:`build_panel`.
    definition : {"strict", "broad"}
        Treatment definition; :data:`EXCLUDED_ROLES` lists the roles left out.

    Returns
    -------
    pandas.DataFrame
        The kept rows, with ``treated`` and ``dose`` columns for the definition.
    """
    if definition not in EXCLUDED_ROLES:
        raise ValueError(f"definition must be one of {list(EXCLUDED_ROLES)}, "
                         f"got {definition!r}")
    out = panel[~panel["role"].isin(EXCLUDED_ROLES[definition])]
    top = panel.loc[panel["treated_broad"], "class_2002"].max()
    out = out[out["class_2002"] <= top].copy()  # common support of the 2002 class
    out["treated"] = out[f"treated_{definition}"]
    out["dose"] = out[f"dose_{definition}"]
    return out.reset_index(drop=True)


def sample_table(panel: pd.DataFrame) -> pd.DataFrame:
    """Count wijken and wijk-years by role, and treated wijken by definition.

    Returns
    -------
    pandas.DataFrame
        Index ``group`` (each role, then each definition's sample); columns ``wijken``,
        ``municipalities``, ``wijk-years``.
    """
    groups = {role: panel["role"] == role for role in (
        "treated strict", "treated broad only", "programme city control", "matched comparison",
        "contains a Vogelaar area", "city with unplaced Vogelaar areas")}
    for definition in EXCLUDED_ROLES:
        kept = set(analysis_sample(panel, definition)["wijk"])
        groups[f"sample, {definition} definition"] = panel["wijk"].isin(kept)
    rows = [{"group": name, "wijken": panel.loc[mask, "wijk"].nunique(),
             "municipalities": panel.loc[mask, "gemeente_code"].nunique(),
             "wijk-years": int(mask.sum())} for name, mask in groups.items()]
    return pd.DataFrame(rows).set_index("group")


def transition_shares(panel: pd.DataFrame, treated: str, start: int = 2008,
                      end: int = 2016) -> pd.DataFrame:
    """Share of wijken whose class rose, stayed or fell between two years, treated vs not.

    Parameters
    ----------
    panel : pandas.DataFrame
        From :func:`build_panel` (uses the uncollapsed ``lbm_class``).
    treated : str
        Treatment column, e.g. ``"treated_broad"``.
    start, end : int
        The two years.

    Returns
    -------
    pandas.DataFrame
        Index ``group`` (``treated``, ``not treated``); columns ``wijken``, ``rose``,
        ``same``, ``fell`` (shares).
    """
    wide = panel.pivot_table(index="wijk", columns="year", values="lbm_class")
    flag = panel.groupby("wijk")[treated].first()
    both = wide[[start, end]].dropna()
    change = np.sign(both[end] - both[start])
    rows = []
    for name, mask in (("treated", flag.loc[both.index]), ("not treated", ~flag.loc[both.index])):
        c = change[mask.to_numpy()]
        rows.append({"group": name, "wijken": len(c), "rose": float((c > 0).mean()),
                     "same": float((c == 0).mean()), "fell": float((c < 0).mean())})
    return pd.DataFrame(rows).set_index("group")


def _rose_share(y: np.ndarray, wijk_idx: np.ndarray, years: np.ndarray, mask: np.ndarray,
                start: int, end: int) -> np.ndarray:
    """Share of wijken (in ``mask``, by wijk) whose category rose from ``start`` to ``end``.

    ``y`` has a leading draw dim; wijken missing either year are left out.
    """
    n_wijken = wijk_idx.max() + 1
    first = np.full((y.shape[0], n_wijken), np.nan)
    last = np.full((y.shape[0], n_wijken), np.nan)
    first[:, wijk_idx[years == start]] = y[:, years == start]
    last[:, wijk_idx[years == end]] = y[:, years == end]
    keep = mask & ~np.isnan(first[0]) & ~np.isnan(last[0])
    return (last[:, keep] > first[:, keep]).mean(axis=1)


def design_ppc(idata, sample: pd.DataFrame, *, treated: str = "treated") -> pd.DataFrame:
    """Posterior predictive checks chosen for this design: class distribution, transitions.

    Test statistics, each computed on the observed classes and on every replicated data set:
    the share of wijken in the lowest three categories per year (class distribution); the
    share of wijken whose class rose 2008 -> 2016, treated and not treated, and its treated
    minus untreated difference (post-programme transitions); the same difference for
    2002 -> 2008 (the pre-trend).

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit with ``posterior_predictive`` and ``observed_data`` groups holding ``y``.
    sample : pandas.DataFrame
        The rows the model was fitted to (same order), from :func:`analysis_sample`.
    treated : str, default "treated"
        Treatment column.

    Returns
    -------
    pandas.DataFrame
        Index ``statistic``; columns ``observed``, ``replicated (mean)``, ``p-value``
        (``P(T_rep >= T_obs)``) and ``flag`` (``misfit`` outside 0.025-0.975).
    """
    observed = idata.observed_data["y"].to_numpy()[None, :]
    replicated = idata.posterior_predictive["y"].to_numpy()
    replicated = replicated.reshape(-1, replicated.shape[-1])
    wijk_idx = pd.factorize(sample["wijk"])[0]
    years = sample["year"].to_numpy()
    flag = sample.groupby("wijk", sort=False)[treated].first().to_numpy(dtype=bool)
    stats = {}
    for year in YEARS:
        rows = years == year
        stats[f"share in lowest 3 categories, {year}"] = lambda y, rows=rows: (
            y[:, rows] <= 2).mean(axis=1)
    for start, end, label in ((2008, 2016, "2008->2016"), (2002, 2008, "2002->2008 (pre-trend)")):
        def treated_share(y, s=start, e=end):
            return _rose_share(y, wijk_idx, years, flag, s, e)

        def control_share(y, s=start, e=end):
            return _rose_share(y, wijk_idx, years, ~flag, s, e)

        if end == 2016:
            stats[f"share rose {label}, treated"] = treated_share
            stats[f"share rose {label}, not treated"] = control_share
        stats[f"difference in share rose {label}"] = (
            lambda y, t=treated_share, c=control_share: t(y) - c(y))
    rows = []
    for name, func in stats.items():
        t_obs = float(func(observed)[0])
        t_rep = func(replicated)
        p_value = float(np.mean(t_rep >= t_obs))
        rows.append({"statistic": name, "observed": t_obs,
                     "replicated (mean)": float(t_rep.mean()), "p-value": p_value,
                     "flag": "" if 0.025 <= p_value <= 0.975 else "misfit"})
    return pd.DataFrame(rows).set_index("statistic")
