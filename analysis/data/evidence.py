"""Published evidence as cited facts: row selection, quote tables and the MTO earnings subset.

The rows of ``data/published_effects_dispersal.csv`` are facts transcribed from their sources
(quote + source per row), on many scales. This module picks rows by id, shows them with their
quote and citation, and selects the few rows that share a scale and come from disjoint samples,
and fits them *unpooled* (:func:`build_subgroup_effects`): the MTO subgroups differ in age at
the move, the very thing the exposure hypothesis says matters, so they are not exchangeable
draws from one population and a hierarchical mean over them describes no population.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.data import DataError

MTO_EARNINGS_ROWS: dict[int, str] = {
    25: "children under 13 at assignment",
    26: "children 13-18 at assignment",
    29: "adults (parents), years 1-10",
}
"""The MTO earnings rows of the dispersal chapter, by ``id``, with a subgroup label.

Each is a treatment-on-the-treated (TOT) effect of the experimental (low-poverty) voucher on
annual individual earnings in US dollars, in three *disjoint* groups of people. Left out, and
why: row 1 repeats row 25 (same estimate, no SE); row 30 (adults, years 1-2) is part of the same
adults' years 1-10 (row 29); rows 12-20 re-analyse the same MTO adults (Aliprantis & Richter
2020) as LATEs or ITTs within subsets, so they overlap row 29.
"""


MTO_PRIOR_SD = 3.0
"""SD (thousand USD per year) of the normal prior of each MTO subgroup's earnings effect.

About 95 % of its mass lies within twice this value: an annual earnings effect of a housing
voucher beyond that would be a large share of the control groups' earnings of about ten
thousand dollars a year.
"""


def select_rows(effects: pd.DataFrame, ids: Sequence[int]) -> pd.DataFrame:
    """Return the rows with the given ``id`` values, in the order given.

    Parameters
    ----------
    effects : pandas.DataFrame
        The published effects table (``load_published_effects()``).
    ids : sequence of int
        Row ids to select.

    Returns
    -------
    pandas.DataFrame
        The selected rows, indexed by ``id``.

    Raises
    ------
    DataError
        If an id is not in the table (names the missing ids).

    Examples
    --------
    >>> select_rows(load_published_effects(), [25, 26])  # doctest: +SKIP
    """
    table = effects.set_index("id")
    missing = [i for i in ids if i not in table.index]
    if missing:
        raise DataError(
            f"published_effects_dispersal.csv: column 'id': rows {missing} not found; "
            f"expected ids between {table.index.min()} and {table.index.max()}"
        )
    return table.loc[list(ids)]


def cited_facts(effects: pd.DataFrame, ids: Sequence[int]) -> pd.DataFrame:
    """Return a citable table of rows: estimate with unit, design, the verbatim quote, source.

    Parameters
    ----------
    effects : pandas.DataFrame
        The published effects table.
    ids : sequence of int
        Row ids to show, in this order.

    Returns
    -------
    pandas.DataFrame
        Index ``id``; columns ``programme``, ``design``, ``outcome``, ``estimate`` (number and
        unit as published, with the SE where stated), ``quote`` and ``source``.
    """
    rows = select_rows(effects, ids)
    estimate = [_format_estimate(r) for _, r in rows.iterrows()]
    return pd.DataFrame(
        {
            "programme": rows["programme"],
            "design": rows["design"],
            "outcome": rows["outcome"],
            "estimate": estimate,
            "quote": rows["quote"],
            "source": rows["citation"],
        },
        index=rows.index,
    )


def mto_earnings(effects: pd.DataFrame) -> pd.DataFrame:
    """Return the MTO earnings rows that can be pooled, in thousands of US dollars per year.

    Parameters
    ----------
    effects : pandas.DataFrame
        The published effects table.

    Returns
    -------
    pandas.DataFrame
        Index ``subgroup`` (see :data:`MTO_EARNINGS_ROWS`); columns ``id``, ``effect_size`` and
        ``standard_error`` (thousand USD per year), ``price_year`` and ``citation``.

    Raises
    ------
    DataError
        If a selected row is not an MTO earnings estimate in USD with a positive SE (the file
        changed in a way the pooling would silently get wrong).
    """
    rows = select_rows(effects, list(MTO_EARNINGS_ROWS))
    for row_id, row in rows.iterrows():
        if not str(row["programme"]).startswith("Moving to Opportunity"):
            raise DataError(f"published_effects_dispersal.csv: row id {row_id}, column "
                            f"'programme': expected an MTO row, got {row['programme']!r}")
        if not str(row["unit"]).startswith("USD per year"):
            raise DataError(f"published_effects_dispersal.csv: row id {row_id}, column 'unit': "
                            f"expected 'USD per year ...', got {row['unit']!r}")
        if not np.isfinite(row["se"]) or row["se"] <= 0:
            raise DataError(f"published_effects_dispersal.csv: row id {row_id}, column 'se': "
                            f"expected a standard error > 0, got {row['se']!r}")
    return pd.DataFrame(
        {
            "id": rows.index,
            "effect_size": rows["estimate"].astype(float).to_numpy() / 1000.0,
            "standard_error": rows["se"].to_numpy(dtype=float) / 1000.0,
            "price_year": rows["unit"].str.extract(r"\((\d{4}) USD\)")[0].to_numpy(),
            "citation": rows["citation"].to_numpy(),
        },
        index=pd.Index(list(MTO_EARNINGS_ROWS.values()), name="subgroup"),
    )


def control_mean_usd(effects: pd.DataFrame, row_id: int) -> float:
    """Return the control-group mean in USD stated in a row's ``comparison`` text.

    Raises
    ------
    DataError
        If the row's ``comparison`` states no ``control mean USD <number>``.
    """
    text = str(select_rows(effects, [row_id])["comparison"].iloc[0])
    found = re.search(r"control mean USD ([\d,]+(?:\.\d+)?)", text)
    if found is None:
        raise DataError(f"published_effects_dispersal.csv: row id {row_id}, column "
                        f"'comparison': no 'control mean USD <number>' in {text!r}")
    return float(found.group(1).replace(",", ""))


def estimate_of(effects: pd.DataFrame, row_id: int) -> float:
    """Return the numeric estimate of one row (for gluing a cited number into the prose).

    Raises
    ------
    DataError
        If the row's estimate is empty or not a single number (e.g. ``"4 to 5"``).
    """
    value = select_rows(effects, [row_id])["estimate"].iloc[0]
    try:
        return float(value)
    except (TypeError, ValueError):
        raise DataError(
            f"published_effects_dispersal.csv: row id {row_id}, column 'estimate': expected one "
            f"number, got {value!r}"
        ) from None


def difference_of_independent(
    a: float, se_a: float, b: float, se_b: float
) -> dict[str, float]:
    """Return the difference ``a - b`` of two independent estimates, its SE and z-score.

    Parameters
    ----------
    a, b : float
        Estimates from disjoint samples.
    se_a, se_b : float
        Their standard errors (> 0).

    Returns
    -------
    dict
        ``difference``, ``se`` (``sqrt(se_a**2 + se_b**2)``) and ``z``.
    """
    if se_a <= 0 or se_b <= 0:
        raise ValueError("standard errors must be > 0")
    se = float(np.hypot(se_a, se_b))
    return {"difference": a - b, "se": se, "z": (a - b) / se}


def _format_estimate(row: pd.Series) -> str:
    """Format a row's estimate with its unit and, when stated, its SE."""
    estimate = row["estimate"]
    if pd.isna(estimate) or str(estimate).strip() == "":
        return str(row["unit"])
    text = f"{estimate} {row['unit']}"
    if pd.notna(row.get("se")):
        text += f" (SE {row['se']:g})"
    return text
