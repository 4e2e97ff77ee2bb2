"""Municipal grants for integration and neighbourhoods: names, programme types and outcomes.

The annexes of the *Besluit decentralisatie- en integratie-uitkeringen* print municipalities
by name, in many spellings ("Den Haag" and "'s-Gravenhage", "Hengelo O", "Bergen NH",
"Capelle a/d IJssel") and include municipalities that had merged away before 2016 as well as
provinces and total rows. This module turns the loaded frames into the data of the chapter
``chapters/municipal_grants.md``:

- :func:`normalise_name` and :func:`harmonise_names`: printed names to CBS 2016 codes by a
  documented rule (normalised spelling, then a short table of abbreviations and renames,
  :data:`NAME_ALIASES`); everything else is listed as unmatched, never guessed;
- :func:`prepare_grants`: one row per grant cell with its CBS code (or the reason it has
  none) and programme type (:data:`PROGRAMME_TYPES`);
- :func:`money_balance`, :func:`unmatched_table`: where the money went (matched to a 2016
  municipality, a province, a name not in the 2016 list), with totals that add up;
- :func:`allocation_table`: who received each programme, from the data;
- :func:`municipal_liveability`: population-weighted municipal means of the Leefbaarometer 3.0
  postcode panel on the 2016 municipal map;
- :func:`municipality_frame`: one row per 2016 municipality with grants per resident by type,
  the liveability change and the covariates the model needs.

No merger table is used: none is sourced in the repository, so the money of municipalities that
merged before 2016 is reported as unmatched instead of being assigned to a successor.
Every function takes validated frames (the loaders of :mod:`analysis.data`) and never reads a
file itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

PROGRAMME_TYPES: dict[str, str] = {
    "Wijkactieplannen": "neighbourhood",
    "Bewonersinitiatieven wijken": "neighbourhood",
    "Leefbaarheid en veiligheid": "neighbourhood",
    "Herbestemming aandachtswijken": "neighbourhood",
    "Investeringsbudget stedelijke vernieuwing (ISV)": "neighbourhood",
    "Taalcoaches": "integration",
    "Deltaplan inburgering": "integration",
    "Uitvoering Wet inburgering": "integration",
    "Uitvoeringskosten inburgering": "integration",
    "Innovatietrajecten inburgering": "integration",
    "Participatie van vrouwen uit etnische minderheden": "integration",
}
"""Programme type of each annex title; every other title is ``"cohesion"`` (social cohesion,
youth, anti-discrimination, poverty and health programmes)."""

TYPES: tuple[str, ...] = ("neighbourhood", "integration", "cohesion")
"""Programme types, in the order used by the model."""

PROVINCES: frozenset[str] = frozenset({
    "Drenthe", "Flevoland", "Fryslân", "Gelderland", "Limburg", "Noord-Brabant",
    "Noord-Holland", "Overijssel", "Zeeland", "Zuid-Holland",
})
"""Province names that occur as recipients (ISV); "Groningen" and "Utrecht" are also
municipalities and are read as such (the province rows of those two were merged away in the
de-duplicated programme file; see the chapter)."""

NAME_ALIASES: dict[str, str] = {
    # abbreviations and short forms of the same municipality (normalised form -> CBS 2016 name)
    "den haag": "'s-Gravenhage",
    "den bosch": "'s-Hertogenbosch",
    "hengelo o": "Hengelo",
    "montfoort u": "Montfoort",
    "nuenen c a": "Nuenen, Gerwen en Nederwetten",
    "capelle a d ijssel": "Capelle aan den IJssel",
    "alphen a d rijn": "Alphen aan den Rijn",
    "valkenburg a d geul": "Valkenburg aan de Geul",
    "haarlemmerliede spaarnw": "Haarlemmerliede en Spaarnwoude",
    "kollumerland en nwkruisl": "Kollumerland en Nieuwkruisland",
    "kollumeland nieuwkruisl": "Kollumerland en Nieuwkruisland",
    # misprint in the annex
    "delftzijl": "Delfzijl",
}
"""Printed names (after :func:`normalise_name`) that are a spelling of a 2016 municipality.

Only abbreviations, a misprint and two renames without boundary change; a municipality that
merged with others is never mapped to its successor here."""

STATUS_ORDER: tuple[str, ...] = ("matched", "not a 2016 municipality", "province")
"""Where a grant's money ends up in :func:`money_balance`."""


def normalise_name(name: str) -> str:
    """Return a comparable form of a municipality name.

    Lower case, accents removed, typographic apostrophes and non-breaking spaces replaced,
    punctuation (``-``, ``/``, ``.``, ``(``, ``)``, ``,``) turned into spaces, whitespace
    collapsed.

    Examples
    --------
    >>> normalise_name("’s-Gravenhage"), normalise_name("Bergen (NH.)")
    ("'s gravenhage", 'bergen nh')
    >>> normalise_name("Súdwest-Fryslân")
    'sudwest fryslan'
    """
    text = unicodedata.normalize("NFKD", str(name).replace("\u2019", "'").replace("\xa0", " "))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[-/.(),]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def harmonise_names(names: Iterable[str], gemeenten: pd.DataFrame) -> pd.DataFrame:
    """Match printed recipient names to CBS 2016 municipality codes.

    Parameters
    ----------
    names : iterable of str
        Names as printed (``eenheid``); duplicates are allowed.
    gemeenten : pandas.DataFrame
        ``load_municipalities_2016()`` (``GM_CODE``, ``GM_NAAM``).

    Returns
    -------
    pandas.DataFrame
        Index ``eenheid`` (unique printed names); columns ``GM_CODE``, ``GM_NAAM`` (missing
        when unmatched) and ``match``: ``"normalised"`` (same name after
        :func:`normalise_name`), ``"alias"`` (:data:`NAME_ALIASES`), ``"province"``,
        ``"total"`` (a total row), ``"list"`` (an annex that only lists names) or
        ``"not a 2016 municipality"``.

    Raises
    ------
    ValueError
        If two 2016 municipalities share a normalised name, or an alias points to a name that
        is not a 2016 municipality.

    Examples
    --------
    >>> harmonise_names(["Den Haag", "Hengelo O"], load_municipalities_2016())  # doctest: +SKIP
    """
    lookup = pd.Series(gemeenten["GM_CODE"].to_numpy(),
                       index=[normalise_name(n) for n in gemeenten["GM_NAAM"]])
    if lookup.index.has_duplicates:
        dupes = sorted(set(lookup.index[lookup.index.duplicated()]))
        raise ValueError(f"gemeenten: normalised names are not unique: {dupes}")
    for alias, target in NAME_ALIASES.items():
        if normalise_name(target) not in lookup.index:
            raise ValueError(f"NAME_ALIASES[{alias!r}] = {target!r} is not a 2016 municipality")
    names_by_code = gemeenten.set_index("GM_CODE")["GM_NAAM"]
    rows = []
    for name in pd.unique(pd.Series(list(names), dtype=object)):
        key = normalise_name(name)
        code, match = None, "not a 2016 municipality"
        if str(name).startswith("LIST:"):
            match = "list"
        elif key == "totaal":
            match = "total"
        elif name in PROVINCES or key.startswith("dronten namens alle"):
            match = "province"
        elif key in lookup.index:
            code, match = lookup[key], "normalised"
        elif key in NAME_ALIASES:
            code, match = lookup[normalise_name(NAME_ALIASES[key])], "alias"
        rows.append({"eenheid": name, "GM_CODE": code,
                     "GM_NAAM": names_by_code.get(code) if code else None, "match": match})
    return pd.DataFrame(rows).set_index("eenheid")


def programme_type(titel: str) -> str:
    """Return the programme type of an annex title (:data:`PROGRAMME_TYPES`, else cohesion)."""
    return PROGRAMME_TYPES.get(titel, "cohesion")


def prepare_grants(programmes: pd.DataFrame, gemeenten: pd.DataFrame) -> pd.DataFrame:
    """Attach CBS 2016 codes and programme types to the grant cells.

    Total rows and list-only rows carry no allocation of their own and are dropped (a total
    repeats the cells above it); every other cell is kept, matched or not.

    Parameters
    ----------
    programmes : pandas.DataFrame
        ``load_grant_programmes()``.
    gemeenten : pandas.DataFrame
        ``load_municipalities_2016()``.

    Returns
    -------
    pandas.DataFrame
        The grant cells with ``GM_CODE``, ``GM_NAAM``, ``match``, ``status`` (one of
        :data:`STATUS_ORDER`) and ``type``.
    """
    names = harmonise_names(programmes["eenheid"], gemeenten)
    grants = programmes.join(names, on="eenheid")
    grants = grants[~grants["match"].isin(["total", "list"])].copy()
    grants["status"] = np.where(grants["GM_CODE"].notna(), "matched",
                                np.where(grants["match"] == "province", "province",
                                         "not a 2016 municipality"))
    grants["type"] = grants["titel"].map(programme_type)
    grants["bedrag_eur"] = grants["bedrag_eur"].fillna(0.0)
    return grants.reset_index(drop=True)


def money_balance(grants: pd.DataFrame) -> pd.DataFrame:
    """Money and printed names by matching status, with a total row that adds up.

    Parameters
    ----------
    grants : pandas.DataFrame
        Output of :func:`prepare_grants`.

    Returns
    -------
    pandas.DataFrame
        Index ``status`` (:data:`STATUS_ORDER` then ``"total"``); columns ``names`` (distinct
        printed names), ``cells``, ``eur`` and ``share`` of all money.
    """
    table = (grants.groupby("status")
             .agg(names=("eenheid", "nunique"), cells=("bedrag_eur", "size"),
                  eur=("bedrag_eur", "sum"))
             .reindex(list(STATUS_ORDER)).fillna(0))
    table.loc["total"] = [grants["eenheid"].nunique(), len(grants), grants["bedrag_eur"].sum()]
    table["share"] = table["eur"] / table.loc["total", "eur"]
    return table.astype({"names": int, "cells": int})


def unmatched_table(grants: pd.DataFrame) -> pd.DataFrame:
    """List the printed names that are not 2016 municipalities, with their money and programmes.

    Returns
    -------
    pandas.DataFrame
        Index ``eenheid``; columns ``status``, ``eur``, ``programmes`` (titles, ``; ``-joined),
        sorted by money, largest first.
    """
    left = grants[grants["status"] != "matched"]
    table = left.groupby("eenheid").agg(
        status=("status", "first"), eur=("bedrag_eur", "sum"),
        programmes=("titel", lambda s: "; ".join(sorted(set(s)))),
    )
    return table.sort_values(["eur", "status"], ascending=[False, True])


def allocation_table(grants: pd.DataFrame, gemeenten: pd.DataFrame,
                     vogelaar_codes: Sequence[str]) -> pd.DataFrame:
    """Who received each programme, from the matched cells.

    Parameters
    ----------
    grants : pandas.DataFrame
        Output of :func:`prepare_grants`.
    gemeenten : pandas.DataFrame
        ``load_municipalities_2016()`` (``GM_CODE``, ``AANT_INW``, ``P_N_W_AL``).
    vogelaar_codes : sequence of str
        CBS codes of the 18 municipalities of the wijkenaanpak.

    Returns
    -------
    pandas.DataFrame
        Index ``titel``; columns ``type``, ``years``, ``recipients`` (2016 municipalities),
        ``eur`` (matched), ``eur_per_resident_cv`` (coefficient of variation of the amount per
        2016 resident across recipients: near 0 when money is proportional to population),
        ``rho_nonwestern`` (Spearman correlation of the amount per resident with the share of
        non-western residents among recipients, missing below 5 recipients),
        ``share_vogelaar`` (share of recipients among the 18) and ``allocation``: ``"broad"``
        (at least 100 municipalities), ``"Vogelaar municipalities only"`` (every recipient one
        of the 18) or ``"selected list"``.
    """
    matched = grants[grants["status"] == "matched"]
    population = gemeenten.set_index("GM_CODE")["AANT_INW"]
    nonwestern = gemeenten.set_index("GM_CODE")["P_N_W_AL"]
    vogelaar = set(vogelaar_codes)
    rows = []
    for titel, cells in matched.groupby("titel"):
        per_muni = cells.groupby("GM_CODE")["bedrag_eur"].sum()
        per_muni = per_muni[per_muni > 0]
        per_res = per_muni / population.reindex(per_muni.index)
        recipients = set(per_muni.index)
        n = len(recipients)
        in_vogelaar = len(recipients & vogelaar)
        if n >= 100:
            allocation = "broad"
        elif recipients <= vogelaar:
            allocation = "Vogelaar municipalities only"
        else:
            allocation = "selected list"
        years = sorted(int(y) for y in cells["jaar"].dropna().unique())
        rho = (per_res.rank().corr(nonwestern.reindex(per_res.index).rank())
               if n >= 5 else np.nan)
        rows.append({
            "titel": titel, "type": programme_type(titel),
            "years": f"{years[0]}-{years[-1]}" if len(years) > 1 else
            (str(years[0]) if years else "-"),
            "recipients": n, "eur": float(per_muni.sum()),
            "eur_per_resident_cv": float(per_res.std() / per_res.mean()) if n > 1 else np.nan,
            "rho_nonwestern": float(rho), "share_vogelaar": in_vogelaar / n if n else np.nan,
            "allocation": allocation,
        })
    table = pd.DataFrame(rows).set_index("titel")
    return table.sort_values(["type", "eur"], ascending=[True, False])


def municipal_liveability(
    lbm: pd.DataFrame, pc4_population: pd.DataFrame, pc4_wijk: pd.DataFrame,
    gemeenten: pd.DataFrame, years: Sequence[int] = (2008, 2016),
) -> pd.DataFrame:
    """Population-weighted municipal means of the Leefbaarometer 3.0 postcode scores.

    A postcode's weight in a municipality is its 2023 population times the share of its
    addresses (2017 address table) that lie in that municipality, so postcodes split between
    municipalities count in each with their share. The 2017 table carries 2017 municipality
    codes; all but the municipalities that merged on 1 January 2017 are 2016 codes, and
    addresses under a code that is not a 2016 code are dropped (reported in ``attrs``).

    Parameters
    ----------
    lbm : pandas.DataFrame
        ``load_lbm3_pc4()`` (``PC4``, ``jaar``, ``lbm``).
    pc4_population : pandas.DataFrame
        ``load_pc4_2023()`` (``pc4``, ``aantal_inwoners``): post-treatment weights.
    pc4_wijk : pandas.DataFrame
        ``load_pc4_wijk_addresses()`` (``pc4``, ``gemeente_code``, ``addresses``).
    gemeenten : pandas.DataFrame
        ``load_municipalities_2016()`` (``GM_CODE``).
    years : sequence of int, default (2008, 2016)
        Measurement years to return, one column ``lbm_<year>`` each.

    Returns
    -------
    pandas.DataFrame
        Index ``GM_CODE``; columns ``lbm_<year>``, ``n_pc4`` and ``weight`` (2023 residents
        allocated). ``attrs["dropped_addresses"]``, ``attrs["dropped_codes"]`` and
        ``attrs["missing_municipalities"]`` say what did not fit the 2016 map.
    """
    cells = (pc4_wijk.groupby(["pc4", "gemeente_code"], as_index=False)["addresses"].sum())
    cells["share"] = cells["addresses"] / cells.groupby("pc4")["addresses"].transform("sum")
    valid = cells["gemeente_code"].isin(gemeenten["GM_CODE"])
    dropped_codes = sorted(cells.loc[~valid, "gemeente_code"].unique())
    dropped_addresses = int(cells.loc[~valid, "addresses"].sum())
    cells = cells[valid]
    population = pc4_population.set_index("pc4")["aantal_inwoners"]
    cells = cells.assign(weight=cells["share"] * population.reindex(cells["pc4"]).to_numpy())
    cells = cells[cells["weight"] > 0]
    wide = lbm[lbm["jaar"].isin(years)].pivot(index="PC4", columns="jaar", values="lbm")
    cells = cells.join(wide, on="pc4", how="inner").dropna(subset=list(years))
    out = pd.DataFrame({
        f"lbm_{year}": cells.groupby("gemeente_code").apply(
            lambda c, y=year: np.average(c[y], weights=c["weight"]), include_groups=False)
        for year in years
    })
    out["n_pc4"] = cells.groupby("gemeente_code")["pc4"].nunique()
    out["weight"] = cells.groupby("gemeente_code")["weight"].sum()
    out.index.name = "GM_CODE"
    out.attrs.update(dropped_addresses=dropped_addresses, dropped_codes=dropped_codes,
                     missing_municipalities=sorted(set(gemeenten["GM_CODE"]) - set(out.index)))
    return out


def municipality_frame(grants: pd.DataFrame, liveability: pd.DataFrame,
                       gemeenten: pd.DataFrame, *, start: int = 2008,
                       end: int = 2016) -> pd.DataFrame:
    """One row per 2016 municipality with an outcome: grants by type, change and covariates.

    Parameters
    ----------
    grants : pandas.DataFrame
        Output of :func:`prepare_grants` (only matched cells are used).
    liveability : pandas.DataFrame
        Output of :func:`municipal_liveability` with columns ``lbm_<start>``, ``lbm_<end>``.
    gemeenten : pandas.DataFrame
        ``load_municipalities_2016()``.
    start, end : int
        Years of the liveability change ``lbm_<end> - lbm_<start>``.

    Returns
    -------
    pandas.DataFrame
        Index ``GM_CODE``; columns ``GM_NAAM``, ``population`` (2016, post-treatment),
        ``eur_<type>`` (all years summed), ``eur_pr_<type>`` (per 2016 resident),
        ``x_<type>`` (``log1p`` of it), ``baseline`` (``lbm_<start>``), ``change``,
        ``nonwestern`` (% non-western 2016), ``log_population``, ``urbanity`` (CBS class
        1 = very strongly urban ... 5 = not urban).
    """
    matched = grants[grants["status"] == "matched"]
    eur = (matched.pivot_table(index="GM_CODE", columns="type", values="bedrag_eur",
                               aggfunc="sum")
           .reindex(columns=list(TYPES)).fillna(0.0))
    base = gemeenten.set_index("GM_CODE")
    frame = pd.DataFrame({
        "GM_NAAM": base["GM_NAAM"],
        "population": base["AANT_INW"].astype(float),
        "nonwestern": base["P_N_W_AL"].astype(float),
        "urbanity": base["STED"],
    })
    for kind in TYPES:
        frame[f"eur_{kind}"] = eur[kind].reindex(frame.index).fillna(0.0)
        frame[f"eur_pr_{kind}"] = frame[f"eur_{kind}"] / frame["population"]
        frame[f"x_{kind}"] = np.log1p(frame[f"eur_pr_{kind}"])
    frame["baseline"] = liveability[f"lbm_{start}"]
    frame["change"] = liveability[f"lbm_{end}"] - liveability[f"lbm_{start}"]
    frame["log_population"] = np.log(frame["population"])
    frame = frame.dropna(subset=["change", "urbanity", "nonwestern"])
    frame["urbanity"] = frame["urbanity"].astype(int)
    return frame


COVARIATES: tuple[str, ...] = ("baseline", "nonwestern", "log_population")
"""Covariates of the model, standardised by :func:`model_inputs`."""


def model_inputs(frame: pd.DataFrame) -> dict[str, object]:
    """Arrays for :func:`analysis.models.build_grants_model` from :func:`municipality_frame`.

    The outcome is the liveability change in hundredths of an LBM point; grants are
    ``log(1 + EUR per resident)`` by type (:data:`TYPES`); the covariates are standardised
    (mean 0, SD 1); urbanity classes 1-5 become indices 0-4.

    Returns
    -------
    dict
        Keyword arguments of ``build_grants_model``: ``y, grants, covariates, urbanity_idx,
        municipality, urbanity_labels``.
    """
    grants = frame[[f"x_{k}" for k in TYPES]].set_axis(list(TYPES), axis=1)
    covariates = frame[list(COVARIATES)]
    covariates = (covariates - covariates.mean()) / covariates.std()
    labels = sorted(frame["urbanity"].unique())
    return {
        "y": 100.0 * frame["change"].to_numpy(),
        "grants": grants.reset_index(drop=True),
        "covariates": covariates.reset_index(drop=True),
        "urbanity_idx": frame["urbanity"].map({u: i for i, u in enumerate(labels)}).to_numpy(),
        "municipality": frame["GM_NAAM"].tolist(),
        "urbanity_labels": [str(u) for u in labels],
    }


def concentration_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Rank-correlate grants per resident with concentration and baseline (all municipalities).

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`municipality_frame`.

    Returns
    -------
    pandas.DataFrame
        Index ``type`` (:data:`TYPES`); columns ``recipients`` (municipalities with money of
        that type), ``eur_total``, ``rho_nonwestern`` and ``rho_baseline`` (Spearman
        correlations of EUR per resident with % non-western 2016 and with the 2008 liveability
        level, over all municipalities, zeros included).
    """
    rows = []
    for kind in TYPES:
        per_res = frame[f"eur_pr_{kind}"]
        rows.append({
            "type": kind,
            "recipients": int((per_res > 0).sum()),
            "eur_total": float(frame[f"eur_{kind}"].sum()),
            "rho_nonwestern": float(per_res.rank().corr(frame["nonwestern"].rank())),
            "rho_baseline": float(per_res.rank().corr(frame["baseline"].rank())),
        })
    return pd.DataFrame(rows).set_index("type")


def ppc_by_group(observed: np.ndarray, replicated: np.ndarray,
                 groups: np.ndarray | pd.Series) -> pd.DataFrame:
    """Posterior predictive p-values of the group means and SDs of the outcome.

    Parameters
    ----------
    observed : numpy.ndarray, shape (n,)
        Observed outcomes.
    replicated : numpy.ndarray, shape (S, n)
        Replicated outcomes, one row per posterior draw.
    groups : array-like, shape (n,)
        Group label of each observation (e.g. urbanity class).

    Returns
    -------
    pandas.DataFrame
        Index ``group``; columns ``n``, ``observed_mean``, ``p_mean``, ``observed_sd``,
        ``p_sd`` (``P(T(y_rep) >= T(y))``) and ``flag`` ("misfit" outside 0.025-0.975).
    """
    groups = np.asarray(groups)
    rows = []
    for group in sorted(pd.unique(groups)):
        mask = groups == group
        y, rep = observed[mask], replicated[:, mask]
        p_mean = float(np.mean(rep.mean(axis=1) >= y.mean()))
        p_sd = float(np.mean(rep.std(axis=1) >= y.std())) if mask.sum() > 1 else np.nan
        bad = [p for p in (p_mean, p_sd) if np.isfinite(p) and not 0.025 <= p <= 0.975]
        rows.append({"group": group, "n": int(mask.sum()), "observed_mean": float(y.mean()),
                     "p_mean": p_mean, "observed_sd": float(y.std()), "p_sd": p_sd,
                     "flag": "misfit" if bad else ""})
    return pd.DataFrame(rows).set_index("group")


def repeated_keys_table(programmes: pd.DataFrame, long: pd.DataFrame) -> pd.DataFrame:
    """Annexes that print one (municipality, column) key more than once in a single version.

    Some annexes hold several tables under one title (ISV: municipalities, provinces and a
    table of additions; others an original and an amended table). The de-duplicated programme
    file keeps one value per (title, annex, municipality, column), so for these annexes its
    total can differ from the sum over the annex's latest version. This table shows where.

    Parameters
    ----------
    programmes : pandas.DataFrame
        ``load_grant_programmes()``.
    long : pandas.DataFrame
        ``load_grants_long()`` (``version, titel, bijlage, eenheid, kolom, bedrag_eur``).

    Returns
    -------
    pandas.DataFrame
        Index ``titel``; columns ``repeated_keys`` (keys printed more than once with different
        amounts in the latest version), ``eur_latest_version`` (sum of all cells of the latest
        version, total rows excluded) and ``eur_programme_file`` (sum in the programme file);
        only titles with repeated keys.
    """
    cells = long[long["titel"].isin(set(programmes["titel"])) & (long["eenheid"] != "Totaal")]
    latest = cells.groupby(["titel", "bijlage"])["version"].transform("max")
    cells = cells[cells["version"] == latest]
    keys = cells.groupby(["titel", "bijlage", "eenheid", "kolom"])["bedrag_eur"].nunique()
    repeated = keys[keys > 1].groupby(level="titel").size()
    kept = programmes[programmes["eenheid"] != "Totaal"].groupby("titel")["bedrag_eur"].sum()
    table = pd.DataFrame({
        "repeated_keys": repeated,
        "eur_latest_version": cells.groupby("titel")["bedrag_eur"].sum().reindex(repeated.index),
        "eur_programme_file": kept.reindex(repeated.index),
    })
    table.index.name = "titel"
    return table.sort_values("eur_latest_version", ascending=False)


def least_squares_check(frame: pd.DataFrame) -> pd.DataFrame:
    """Unpooled least-squares grant coefficients with classical standard errors.

    The same mean structure as the Bayesian model (grants by type, standardised covariates,
    urbanity classes as dummies), fitted by ordinary least squares: an exact, prior-free
    reference, e.g. for other outcome windows.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`municipality_frame`.

    Returns
    -------
    pandas.DataFrame
        Index ``type`` (:data:`TYPES`); columns ``coef`` and ``se`` (hundredths of an LBM
        point per unit of ``log(1 + EUR per resident)``).
    """
    inputs = model_inputs(frame)
    dummies = pd.get_dummies(pd.Series(inputs["urbanity_idx"]), drop_first=True, dtype=float)
    design = np.column_stack([np.ones(len(frame)), inputs["grants"], inputs["covariates"],
                              dummies])
    y = inputs["y"]
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    dof = len(y) - design.shape[1]
    cov = resid @ resid / dof * np.linalg.inv(design.T @ design)
    k = len(TYPES)
    return pd.DataFrame({"coef": coef[1:1 + k], "se": np.sqrt(np.diag(cov))[1:1 + k]},
                        index=pd.Index(list(TYPES), name="type"))
