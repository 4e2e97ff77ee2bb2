"""Model-ready tables for the concentration chapters: wijken with covariates, Amsterdam buurten.

Everything here is pandas only: it joins the curated files of ``data/`` (through
:mod:`analysis.data`), handles the municipal mergers between 2019 and 2024 explicitly, and
standardises covariates. The model builders live in :mod:`analysis.models.neighbourhood`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.config import DATA_DIR
from analysis.data import (
    load_amsterdam_2019,
    load_municipal_housing,
    load_municipalities,
    load_rotterdamwet,
    load_vogelaar,
    load_wijken,
)

MERGERS_2019_2024: dict[str, tuple[str, ...]] = {
    "GM1979": ("GM0003", "GM0010", "GM0024"),  # Eemsdelta (2021): Appingedam, Delfzijl, Loppersum
    "GM1980": ("GM0398", "GM0416"),  # Dijk en Waard (2022): Heerhugowaard, Langedijk
    "GM1982": ("GM0756", "GM1684", "GM0786", "GM0815", "GM1702"),  # Land van Cuijk (2022):
    # Boxmeer, Cuijk, Grave, Mill en Sint Hubert, Sint Anthonis
    "GM1991": ("GM1685", "GM0856"),  # Maashorst (2022): Landerd, Uden
    "GM1992": ("GM0501", "GM0530", "GM0614"),  # Voorne aan Zee (2023): Brielle,
    # Hellevoetsluis, Westvoorne
}
"""2024 municipalities formed by a merger after 2019, with their 2019 predecessor codes.

Their 2019 housing values are the dwelling-weighted means of the predecessors (a test checks
that the predecessors' 2019 population is within 10 % of the 2024 population; Dijk en
Waard grew 6 %). Three other
2019 municipalities were absorbed into a continuing municipality (Beemster into Purmerend,
Weesp into Amsterdam, Haaren split over four) and are not added: the continuing
municipality keeps its own 2019 value.
"""

COVARIATES: tuple[str, ...] = (
    "log_population",
    "pct_outside_europe",
    "income_median",
    "pct_rental_2019",
    "woz_2019",
)
"""Municipal covariates of the composition model (standardised before use)."""

HOUSING_COVARIATES: tuple[str, ...] = ("pct_rental_2019", "woz_2019")
"""The covariates that describe the housing mix (moved in the chapter 3 scenarios)."""


@dataclass(frozen=True)
class CompositionData:
    """Wijken and their municipalities, ready for :func:`build_composition_model`.

    Attributes
    ----------
    wijken : pandas.DataFrame
        One row per populated wijk: ``wijk_code``, ``gemeente_code``, ``n`` (sum of the three
        origin counts), ``y`` (origin outside Europe), ``municipality_idx``, ``size_z`` (log
        ``n`` minus the log of the median wijk size, over the SD of log ``n``); ``attrs`` holds
        ``size_reference`` (the median wijk size, residents) and ``size_scale``.
    municipalities : pandas.DataFrame
        Index ``gemeente_code`` (sorted); raw covariates, flags ``vogelaar`` and
        ``rotterdamwet``, ``income_imputed`` and ``housing_from_merger`` notes.
    covariates : pandas.DataFrame
        Standardised covariates (same index, columns :data:`COVARIATES`).
    scale : pandas.DataFrame
        Mean and SD used for standardising each covariate (rows ``mean``, ``sd``).
    """

    wijken: pd.DataFrame
    municipalities: pd.DataFrame
    covariates: pd.DataFrame
    scale: pd.DataFrame


def housing_2019_by_2024_code(data_dir=DATA_DIR) -> pd.DataFrame:
    """Return 2019 % rental and mean WOZ for every 2024 municipality, mergers aggregated.

    Returns
    -------
    pandas.DataFrame
        Index ``gemeente_code`` (2024 codes); columns ``pct_rental_2019``, ``woz_2019``,
        ``dwellings_2019``, ``population_2019``, ``housing_from_merger`` (bool).

    Raises
    ------
    ValueError
        If a 2024 municipality has no 2019 row and is not in :data:`MERGERS_2019_2024`.
    """
    housing = load_municipal_housing(data_dir)
    housing = housing[housing["year"] == 2019].set_index("gm_code")
    codes = load_municipalities(data_dir)["gemeente_code"]
    rows = {}
    for code in codes:
        if code in housing.index:
            part = housing.loc[[code]]
            merged = False
        elif code in MERGERS_2019_2024:
            part = housing.loc[list(MERGERS_2019_2024[code])]
            merged = True
        else:
            raise ValueError(
                f"cbs_kwb2012_2017_2019_gemeente_housing.csv: no 2019 row for municipality "
                f"{code!r} and it is not a known merger; add it to MERGERS_2019_2024"
            )
        rows[code] = {
            "pct_rental_2019": _weighted_mean(part["pct_rental"], part["dwellings"]),
            "woz_2019": _weighted_mean(part["woz_mean_k_eur"], part["dwellings"]),
            "dwellings_2019": float(part["dwellings"].sum()),
            "population_2019": float(part["population"].sum()),
            "housing_from_merger": merged,
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "gemeente_code"
    return frame


def composition_data(data_dir=DATA_DIR) -> CompositionData:
    """Join the 2024 wijken with their municipality's covariates and standardise them.

    Wijken whose three origin counts sum to 0 carry no information and are dropped (they are
    counted in ``wijken.attrs['n_dropped_empty']``). Municipalities of the model without 2024
    income or without a 2019 WOZ value get the mean of that covariate (standardised value 0),
    flagged in ``income_imputed`` / ``woz_imputed``.

    Returns
    -------
    CompositionData
    """
    wijken = load_wijken(data_dir).copy()
    wijken["n"] = wijken[["origin_netherlands", "origin_europe_excl_nl",
                          "origin_outside_europe"]].sum(axis=1)
    n_all = len(wijken)
    wijken = wijken[wijken["n"] > 0].reset_index(drop=True)
    wijken["y"] = wijken["origin_outside_europe"]

    gemeenten = load_municipalities(data_dir).set_index("gemeente_code").sort_index()
    housing = housing_2019_by_2024_code(data_dir)
    munis = pd.DataFrame(index=gemeenten.index)
    munis["gemeente_naam"] = gemeenten["gemeente_naam"]
    munis["population"] = gemeenten["population_2024"]
    munis["origin_outside_europe"] = gemeenten["origin_outside_europe"]
    munis["log_population"] = np.log(gemeenten["population_2024"])
    munis["pct_outside_europe"] = gemeenten["pct_origin_outside_europe"]
    munis["income_median"] = gemeenten["income_median_standardised_k_eur"]
    munis["income_imputed"] = munis["income_median"].isna()
    munis = munis.join(housing)
    munis["woz_imputed"] = munis["woz_2019"].isna()
    munis["vogelaar"] = munis.index.isin(load_vogelaar(data_dir)["gemeente_code_2024"])
    rotterdamwet = load_rotterdamwet(data_dir)
    rotterdamwet = rotterdamwet[rotterdamwet["applied_wbmgp_per_sources"] == "yes"]
    munis["rotterdamwet"] = munis.index.isin(rotterdamwet["gemeente_code_2024"])
    munis = munis.loc[sorted(wijken["gemeente_code"].unique())]

    raw = munis[list(COVARIATES)].astype(float)
    scale = pd.DataFrame({"mean": raw.mean(), "sd": raw.std()}).T
    covariates = ((raw - scale.loc["mean"]) / scale.loc["sd"]).fillna(0.0)
    wijken["municipality_idx"] = munis.index.get_indexer(wijken["gemeente_code"])
    log_n = np.log(wijken["n"].astype(float))
    size_centre, size_scale = float(log_n.median()), float(log_n.std())
    wijken["size_z"] = (log_n - size_centre) / size_scale
    wijken.attrs["n_dropped_empty"] = n_all - len(wijken)
    wijken.attrs["size_reference"] = float(np.exp(size_centre))
    wijken.attrs["size_scale"] = size_scale
    return CompositionData(wijken=wijken, municipalities=munis, covariates=covariates,
                           scale=scale)


AMSTERDAM_PREDICTORS: tuple[str, ...] = (
    "pct_rental_housing_corporation",
    "pct_households_low_income",
)
"""Buurt predictors of the Amsterdam model: corporation rental share, low-income households."""


def amsterdam_buurten(data_dir=DATA_DIR, *, min_population: int = 200) -> pd.DataFrame:
    """Return Amsterdam's 2019 buurten with within- and between-wijk predictor components.

    Keeps buurten with at least ``min_population`` inhabitants and both predictors present
    (CBS suppresses shares in small buurten); the number and population of the buurten left
    out are in ``attrs``. For each predictor ``x`` the columns ``x_between`` (mean over the
    wijk's kept buurten, standardised over buurten) and ``x_within`` (buurt minus wijk mean,
    same scale) are added; ``wijk_idx`` indexes the sorted wijk codes.

    Returns
    -------
    pandas.DataFrame
        One row per kept buurt: ``region_code``, ``region_name``, ``wijk_code``, ``n``
        (population), ``y`` (non-western migration background), the raw predictors, their
        components and ``wijk_idx``; ``attrs`` holds ``n_dropped``, ``population_dropped``,
        ``scale`` (the SD of each raw predictor over kept buurten, in percentage points) and
        ``centre`` (its mean).
    """
    buurten = load_amsterdam_2019(data_dir, level="buurt")
    keep = (buurten["population"] >= min_population) & buurten[
        list(AMSTERDAM_PREDICTORS)].notna().all(axis=1)
    kept = buurten[keep].copy().reset_index(drop=True)
    kept["n"] = kept["population"].astype(int)
    kept["y"] = kept["migr_nonwestern"].clip(upper=kept["n"]).astype(int)
    centre, scale = {}, {}
    for col in AMSTERDAM_PREDICTORS:
        centre[col] = float(kept[col].mean())
        scale[col] = float(kept[col].std())
        wijk_mean = kept.groupby("wijk_code")[col].transform("mean")
        kept[col + "_between"] = (wijk_mean - centre[col]) / scale[col]
        kept[col + "_within"] = (kept[col] - wijk_mean) / scale[col]
    wijk_codes = sorted(kept["wijk_code"].unique())
    kept["wijk_idx"] = pd.Index(wijk_codes).get_indexer(kept["wijk_code"])
    kept.attrs.update(
        n_dropped=int((~keep).sum()),
        population_dropped=int(buurten.loc[~keep, "population"].sum()),
        population_total=int(buurten["population"].sum()),
        centre=centre,
        scale=scale,
    )
    return kept[["region_code", "region_name", "wijk_code", "n", "y", *AMSTERDAM_PREDICTORS,
                 *[c + s for c in AMSTERDAM_PREDICTORS for s in ("_between", "_within")],
                 "wijk_idx"]]


def _weighted_mean(values: pd.Series, weights: pd.Series) -> float:
    """Weighted mean over the rows where ``values`` is present (NaN if none)."""
    present = values.notna() & weights.notna()
    if not present.any():
        return float("nan")
    return float(np.average(values[present], weights=weights[present]))
