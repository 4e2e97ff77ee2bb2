"""The wijkenaanpak on the Leefbaarometer 3.0 postcode panel: exposure, panel and checks.

The treatment of the wijkenaanpak is defined on CBS wijken of 2016
(:func:`analysis.data.treatment.load_wijkenaanpak_treatment`); the continuous Leefbaarometer 3.0
panel (2002-2022) is by four-digit postcode (PC4). The postcode x wijk address table of 2017
(:func:`analysis.data.load_pc4_wijk_addresses`) puts one on the other:

- :func:`pc4_exposure`: for every postcode, the share of its addresses inside treated wijken
  (strict and broad definitions), inside any wijk that holds a placed Vogelaar area, its
  municipality (the one holding most of its addresses) and a dose (investment per resident of
  the treated wijken covering it, address-weighted);
- :func:`build_postcode_panel`: the postcode x year panel of the postcodes of the 18
  municipalities, with a standardised baseline level and the 2023 population (a
  post-treatment cross-section, for description and weights only);
- :func:`event_changes`: changes from the reference year (2008), the outcome of the event study
  (:func:`analysis.models.build_event_study`);
- :func:`evidence_check`: the exposure of the few postcodes public sources tie to a Vogelaar
  wijk (``vogelaar_pc4_evidence``), a check of the exposure measure;
- :func:`baseline_quintile_gains`: mean change by fifth of the baseline level, the size of
  regression to the mean;
- :func:`mean_paths`: exposure-weighted mean change against the comparison postcodes, per year.

Every function takes loaded frames and never reads a file.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

YEARS: tuple[int, ...] = (2002, 2008, 2012, 2014, 2016, 2018, 2020, 2022)
"""Measurement years of the Leefbaarometer 3.0 postcode panel."""

REFERENCE_YEAR = 2008
"""Year every change is measured from: the last measurement before the programme's money
flowed, but also its first year (the 40 wijken were named in 2007, the first wijkactieplannen
grants are of 2008), so some early effects may already be in it."""

DEFINITIONS = ("strict", "broad")
"""Treatment definitions of :mod:`analysis.data.treatment` (columns ``treated_strict``,
``treated_broad``)."""


class PostcodeError(ValueError):
    """Frames that cannot make the postcode panel; the message says what and where."""


def require_columns(frame: pd.DataFrame, columns: Sequence[str], name: str,
                    error: type[ValueError] = PostcodeError) -> None:
    """Raise ``error`` naming the frame and the missing columns, if any of ``columns`` is absent."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise error(f"{name}: missing column(s) {missing}; expected at least {list(columns)}")



def lbm3_panel(lbm: pd.DataFrame, error: type[ValueError] = PostcodeError) -> pd.DataFrame:
    """Return the Leefbaarometer 3.0 scores as ``pc4, year, lbm``, checked.

    Parameters
    ----------
    lbm : pandas.DataFrame
        :func:`analysis.data.load_lbm3_pc4` (columns ``PC4``, ``jaar``, ``lbm``).
    error : type of ValueError, default PostcodeError
        What to raise (the school-funding panel raises its own error type).

    Raises
    ------
    ValueError
        ``error``, on missing columns, a duplicated postcode-year or a year outside
        :data:`YEARS`.
    """
    require_columns(lbm, ["PC4", "jaar", "lbm"], "Leefbaarometer 3.0 panel", error)
    panel = lbm[["PC4", "jaar", "lbm"]].rename(columns={"PC4": "pc4", "jaar": "year"})
    panel = panel.astype({"pc4": int, "year": int, "lbm": float})
    dup = panel.duplicated(["pc4", "year"])
    if dup.any():
        first = panel.loc[dup].iloc[0]
        raise error(f"Leefbaarometer 3.0 panel: postcode {int(first['pc4'])} has more than one "
                    f"row for year {int(first['year'])}")
    unknown = sorted(set(panel["year"]) - set(YEARS))
    if unknown:
        raise error(f"Leefbaarometer 3.0 panel: unexpected year(s) {unknown}; expected {YEARS}")
    return panel


def pc4_exposure(pc4_wijk: pd.DataFrame, treatment: pd.DataFrame) -> pd.DataFrame:
    """Exposure of every postcode to the treated wijken of the 18 municipalities.

    Parameters
    ----------
    pc4_wijk : pandas.DataFrame
        :func:`analysis.data.load_pc4_wijk_addresses` (2017 wijk codes): ``pc4, wijk_code,
        gemeente_code, addresses, share_of_pc4``.
    treatment : pandas.DataFrame
        :func:`analysis.data.treatment.load_wijkenaanpak_treatment` (2016 wijk codes): ``wijk_code,
        tier, treated_strict, treated_broad, investment_eur_per_resident``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``pc4`` (every postcode with at least one address in a wijk of the 18
        municipalities): ``gm_code`` (the 2017 municipality holding most of its addresses),
        ``share_in_programme_municipalities`` (its addresses in the 18),
        ``exposure_strict``, ``exposure_broad`` (share of its addresses inside treated wijken),
        ``exposure_placed`` (inside any wijk holding a placed Vogelaar area, tiers exact,
        partial, manual or contains), ``dose_strict``, ``dose_broad`` (investment in EUR per
        2016 resident of the treated wijken covering it, weighted by addresses; 0 if
        unexposed), ``main_wijk_code`` and ``main_wijk_share`` (the wijk holding most of its
        addresses). ``attrs['n_treatment_codes_missing']`` counts 2016 wijk codes of the
        treatment file that do not occur in the 2017 table (they would be lost).

    Raises
    ------
    PostcodeError
        On missing columns or postcode shares that do not sum to 1.
    """
    require_columns(pc4_wijk, ["pc4", "wijk_code", "gemeente_code", "addresses", "share_of_pc4"],
             "pc4_wijk_addresses_2017")
    require_columns(treatment, ["wijk_code", "tier", "treated_strict", "treated_broad",
                         "investment_eur_per_resident"], "wijkenaanpak treatment")
    table = pc4_wijk.astype({"pc4": int}).copy()
    total = table.groupby("pc4")["share_of_pc4"].sum()
    bad = total[(total - 1).abs() > 1e-3]
    if len(bad):
        raise PostcodeError(f"pc4_wijk_addresses_2017: the shares of postcode {bad.index[0]} sum "
                            f"to {bad.iloc[0]:.4f}, not 1")
    treat = treatment.set_index("wijk_code")
    missing = treatment.loc[~treatment["wijk_code"].isin(table["wijk_code"]), "wijk_code"]
    programme_gm = set(treatment["wijk_code"].str[:6].str.replace("WK", "GM", regex=False))
    table["in_programme"] = table["gemeente_code"].isin(programme_gm)
    table = table[table["pc4"].isin(table.loc[table["in_programme"], "pc4"])]
    info = treat.reindex(table["wijk_code"])
    share = table["share_of_pc4"].to_numpy()
    placed = info["tier"].isin(["exact", "partial", "manual", "contains"]).to_numpy()
    inv = info["investment_eur_per_resident"].fillna(0.0).to_numpy()
    parts = pd.DataFrame({"pc4": table["pc4"].to_numpy(),
                          "in": share * table["in_programme"].to_numpy(),
                          "placed": share * placed})
    for definition in DEFINITIONS:
        treated = info[f"treated_{definition}"].fillna(0).to_numpy()
        parts[f"exposure_{definition}"] = share * treated
        parts[f"dose_w_{definition}"] = share * treated * inv
    sums = parts.groupby("pc4").sum()
    out = pd.DataFrame(index=sums.index.rename("pc4"))
    by_gm = table.groupby(["pc4", "gemeente_code"])["addresses"].sum().reset_index()
    top_gm = by_gm.sort_values("addresses").drop_duplicates("pc4", keep="last").set_index("pc4")
    out["gm_code"] = top_gm["gemeente_code"].reindex(out.index)
    out["share_in_programme_municipalities"] = sums["in"].clip(upper=1.0)
    for definition in DEFINITIONS:
        x = sums[f"exposure_{definition}"].clip(upper=1.0)
        out[f"exposure_{definition}"] = x
        dose = sums[f"dose_w_{definition}"] / x.where(x > 0)
        out[f"dose_{definition}"] = dose.fillna(0.0)
    out["exposure_placed"] = sums["placed"].clip(upper=1.0)
    top = table.sort_values("share_of_pc4").drop_duplicates("pc4", keep="last").set_index("pc4")
    out["main_wijk_code"] = top["wijk_code"].reindex(out.index)
    out["main_wijk_share"] = top["share_of_pc4"].reindex(out.index)
    out.attrs["n_treatment_codes_missing"] = int(missing.size)
    return out


def build_postcode_panel(
    lbm: pd.DataFrame,
    exposure: pd.DataFrame,
    pc4_2023: pd.DataFrame | None = None,
    *,
    baseline_year: int = REFERENCE_YEAR,
    min_share_in_programme: float = 0.5,
) -> pd.DataFrame:
    """Postcode x year Leefbaarometer 3.0 panel of the postcodes of the 18 municipalities.

    Parameters
    ----------
    lbm : pandas.DataFrame
        :func:`analysis.data.load_lbm3_pc4` (``PC4, jaar, lbm``).
    exposure : pandas.DataFrame
        :func:`pc4_exposure`.
    pc4_2023 : pandas.DataFrame, optional
        :func:`analysis.data.load_pc4_2023`; adds ``population_2023`` (residents on 1 Jan
        2023: a **post-treatment** cross-section, for description and weights only).
    baseline_year : int, default 2008
        Year whose score is the baseline level (``baseline``; ``baseline_c`` is it centred on
        the mean of the kept postcodes and divided by their SD).
    min_share_in_programme : float, default 0.5
        Keep a postcode only if at least this share of its addresses lie in the 18
        municipalities.

    Returns
    -------
    pandas.DataFrame
        One row per kept postcode and year with a score, sorted by ``pc4, year``: ``pc4, year,
        lbm`` and the columns of ``exposure``, ``baseline``, ``baseline_c`` (and
        ``population_2023``). ``attrs``: ``n_dropped_no_baseline``, ``n_dropped_outside``,
        ``baseline_mean``, ``baseline_sd``.

    Raises
    ------
    PostcodeError
        On missing columns, duplicated postcode-years or unexpected years.
    """
    panel = lbm3_panel(lbm)
    panel = panel[panel["lbm"].notna()]
    inside = exposure[exposure["share_in_programme_municipalities"] >= min_share_in_programme]
    n_outside = int(len(exposure) - len(inside))
    panel = panel[panel["pc4"].isin(inside.index)]
    base = panel.loc[panel["year"] == baseline_year].set_index("pc4")["lbm"]
    n_no_base = int(inside.index.isin(panel["pc4"]).sum() - len(base))
    info = inside.loc[inside.index.intersection(base.index)].copy()
    info["baseline"] = base.reindex(info.index)
    mean, sd = float(info["baseline"].mean()), float(info["baseline"].std())
    info["baseline_c"] = (info["baseline"] - mean) / sd
    if pc4_2023 is not None:
        require_columns(pc4_2023, ["pc4", "aantal_inwoners"], "cbs_pc4_2023")
        pop = pc4_2023.astype({"pc4": int}).set_index("pc4")["aantal_inwoners"]
        info["population_2023"] = pop.reindex(info.index).fillna(0.0)
    out = panel.merge(info, left_on="pc4", right_index=True)
    out = out.sort_values(["pc4", "year"]).reset_index(drop=True)
    out.attrs.update(n_dropped_no_baseline=n_no_base, n_dropped_outside=n_outside,
                     baseline_mean=mean, baseline_sd=sd, baseline_year=baseline_year)
    return out


def event_changes(panel: pd.DataFrame, reference_year: int = REFERENCE_YEAR) -> pd.DataFrame:
    """Return the change of every postcode's score from the reference year, for each other year.

    Parameters
    ----------
    panel : pandas.DataFrame
        :func:`build_postcode_panel`.
    reference_year : int, default 2008
        Year every change is measured from (its rows are dropped).

    Returns
    -------
    pandas.DataFrame
        The panel's rows of other years plus ``change`` (``lbm - lbm[reference_year]``) and
        ``period`` (``"pre"``/``"post"``), sorted by ``pc4, year``.

    Raises
    ------
    PostcodeError
        If a postcode has no score in the reference year.
    """
    ref = panel.loc[panel["year"] == reference_year].set_index("pc4")["lbm"]
    missing = np.setdiff1d(panel["pc4"].unique(), ref.index)
    if len(missing):
        raise PostcodeError(f"{len(missing)} postcode(s) have no score in the reference year "
                            f"{reference_year}, e.g. {missing[:5].tolist()}")
    out = panel.loc[panel["year"] != reference_year].copy()
    out["change"] = out["lbm"] - out["pc4"].map(ref)
    out["period"] = np.where(out["year"] < reference_year, "pre", "post")
    return out.sort_values(["pc4", "year"]).reset_index(drop=True)


def evidence_check(exposure: pd.DataFrame, evidence: pd.DataFrame,
                   confidence: Sequence[str] = ("high", "medium")) -> pd.DataFrame:
    """Exposure of the postcodes that public sources tie to a Vogelaar wijk.

    Parameters
    ----------
    exposure : pandas.DataFrame
        :func:`pc4_exposure`.
    evidence : pandas.DataFrame
        :func:`analysis.data.load_vogelaar_pc4_evidence` (``gemeente, wijk, pc4,
        confidence``).
    confidence : sequence of str, default ("high", "medium")
        Evidence levels to keep (``low`` rows come from over-inclusive district lists).

    Returns
    -------
    pandas.DataFrame
        One row per (wijk, postcode): ``gemeente, wijk, pc4, confidence, exposure_strict,
        exposure_broad, exposure_placed, main_wijk_code, main_wijk_share``.
    """
    require_columns(evidence, ["gemeente", "wijk", "pc4", "confidence"], "vogelaar_pc4_evidence")
    rows = evidence[evidence["confidence"].isin(confidence)]
    rows = rows.drop_duplicates(["wijk", "pc4"])[["gemeente", "wijk", "pc4", "confidence"]]
    rows = rows.astype({"pc4": int})
    cols = ["exposure_strict", "exposure_broad", "exposure_placed", "main_wijk_code",
            "main_wijk_share"]
    return rows.merge(exposure[cols], left_on="pc4", right_index=True, how="left").reset_index(
        drop=True)


def baseline_quintile_gains(panel: pd.DataFrame, *, to_year: int = 2020,
                            baseline_year: int = REFERENCE_YEAR) -> pd.Series:
    """Mean change ``baseline_year -> to_year`` by fifth of the ``baseline_year`` level.

    Returns
    -------
    pandas.Series
        Index 1 (worst fifth) ... 5 (best fifth), LBM units.
    """
    wide = panel.pivot(index="pc4", columns="year", values="lbm")[[baseline_year, to_year]]
    wide = wide.dropna()
    fifth = pd.qcut(wide[baseline_year], 5, labels=[1, 2, 3, 4, 5])
    return (wide[to_year] - wide[baseline_year]).groupby(fifth, observed=True).mean()


def mean_paths(changes: pd.DataFrame, exposure_column: str) -> pd.DataFrame:
    """Exposure-weighted mean change of exposed postcodes and mean change of unexposed ones.

    Returns
    -------
    pandas.DataFrame
        Index ``year``; columns ``exposed``, ``comparison``, ``difference`` (LBM units, change
        from the reference year).
    """
    x = changes[exposure_column]
    rows = []
    for year, part in changes.groupby("year"):
        w = x.loc[part.index]
        exposed = float((part["change"] * w).sum() / w.sum())
        comparison = float(part.loc[w == 0, "change"].mean())
        rows.append({"year": year, "exposed": exposed, "comparison": comparison,
                     "difference": exposed - comparison})
    return pd.DataFrame(rows).set_index("year")
