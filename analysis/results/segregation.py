r"""Residential segregation indices (Massey & Denton 1988) per municipality, pure pandas/numpy.

The indices describe how one group (here: inhabitants whose origin country is outside Europe)
is spread over the spatial units (wijken or buurten) of a municipality. For units
:math:`i = 1, \dots, n` with group count :math:`x_i`, comparison-group count :math:`y_i` and
total :math:`t_i` (totals :math:`X, Y, T`; group share :math:`P = X / T`):

* dissimilarity (Duncan & Duncan 1955): :math:`D = \tfrac12 \sum_i |x_i / X - y_i / Y|`;
* isolation: :math:`{}_xP_x = \sum_i (x_i / X)(x_i / t_i)`;
* exposure to the rest: :math:`{}_xP_y = \sum_i (x_i / X)(y_i / t_i)` with :math:`y = t - x`;
* entropy (Theil's information index): :math:`H = \sum_i t_i (E - E_i) / (E T)`, where
  :math:`E = -P \ln P - (1 - P) \ln (1 - P)` and :math:`E_i` is the same for unit :math:`i`.

Units with total 0 carry no weight and are dropped (CBS rounding can leave 5 persons of one
origin in a unit of population 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

GROUP = "origin_outside_europe"
"""Column of the group whose segregation is measured."""
REFERENCE = "origin_netherlands"
"""Column of the comparison group for :func:`dissimilarity` against the native-origin group."""
TOTAL = "population"
"""Column of the unit total."""

INDEX_COLUMNS = (
    "dissimilarity",
    "dissimilarity_vs_netherlands",
    "isolation",
    "exposure",
    "entropy",
)
"""Index columns returned by :func:`segregation_indices`."""


def dissimilarity(group: np.ndarray, other: np.ndarray) -> float:
    r"""Return Duncan's dissimilarity index D of two groups over spatial units.

    Parameters
    ----------
    group, other : array_like
        Counts of the two groups per unit (same length).

    Returns
    -------
    float
        :math:`\tfrac12 \sum_i |x_i / X - y_i / Y|`, in [0, 1]: the share of either group that
        would have to move for both to be spread alike. NaN if either group is empty.

    Examples
    --------
    >>> dissimilarity([10, 0], [0, 10])
    1.0
    """
    x, y = _as_float(group), _as_float(other)
    if x.sum() <= 0 or y.sum() <= 0:
        return float("nan")
    return float(0.5 * np.abs(x / x.sum() - y / y.sum()).sum())


def grouped_dissimilarity(group: np.ndarray, total: np.ndarray, unit_group: np.ndarray,
                          n_groups: int | None = None) -> np.ndarray:
    r"""Return D of the group against everyone else for every municipality, over sample axes.

    The vectorised form of :func:`dissimilarity` for many replicated data sets at once (e.g.
    posterior predictive counts of every wijk): the last axis of ``group`` runs over the units,
    any leading axes (chain, draw) are kept.

    Parameters
    ----------
    group : array_like
        Group counts, shape ``(..., n_units)``.
    total : array_like
        Unit totals, shape ``(n_units,)`` (the same in every replicate).
    unit_group : array_like of int
        Municipality index ``0..n_groups-1`` of each unit.
    n_groups : int, optional
        Number of municipalities (``max(unit_group) + 1`` by default).

    Returns
    -------
    numpy.ndarray
        Shape ``(..., n_groups)``: :math:`\tfrac12 \sum_i |x_i / X - y_i / Y|` with
        :math:`y_i = t_i - x_i`; NaN where either group is empty.

    Examples
    --------
    >>> grouped_dissimilarity([[10, 0, 3, 3]], [10, 10, 6, 6], [0, 0, 1, 1]).round(3)
    array([[1., 0.]])
    """
    x = np.asarray(group, dtype=float)
    t = np.asarray(total, dtype=float)
    idx = np.asarray(unit_group, dtype=int)
    if x.shape[-1] != t.size or idx.size != t.size:
        raise ValueError(f"group has {x.shape[-1]} units, total {t.size}, unit_group {idx.size}")
    k = int(idx.max()) + 1 if n_groups is None else int(n_groups)
    lead = x.shape[:-1]
    flat = x.reshape(-1, t.size)
    member = np.zeros((t.size, k))
    member[np.arange(t.size), idx] = 1.0
    x_tot = flat @ member
    y_tot = t @ member - x_tot
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.abs(flat / x_tot[:, idx] - (t - flat) / y_tot[:, idx])
        d = 0.5 * (np.nan_to_num(gap) @ member)
    d[(x_tot <= 0) | (y_tot <= 0)] = np.nan
    return d.reshape(*lead, k)


def isolation(group: np.ndarray, total: np.ndarray) -> float:
    r"""Return the isolation index xPx: the group share in the unit of an average member.

    Parameters
    ----------
    group, total : array_like
        Group count and total population per unit; units with total 0 are ignored.

    Returns
    -------
    float
        :math:`\sum_i (x_i / X)(x_i / t_i)`, in [0, 1].

    Examples
    --------
    >>> isolation([10, 0], [20, 20])
    0.5
    """
    x, t = _populated(group, total)
    if x.sum() <= 0:
        return float("nan")
    return float(((x / x.sum()) * (x / t)).sum())


def exposure(group: np.ndarray, total: np.ndarray) -> float:
    r"""Return the exposure index xPy of the group to everyone else (y = total - group).

    Parameters
    ----------
    group, total : array_like
        Group count and total population per unit; units with total 0 are ignored.

    Returns
    -------
    float
        :math:`\sum_i (x_i / X)((t_i - x_i) / t_i)`; equals ``1 - isolation``.

    Examples
    --------
    >>> exposure([10, 0], [20, 20])
    0.5
    """
    x, t = _populated(group, total)
    if x.sum() <= 0:
        return float("nan")
    return float(((x / x.sum()) * ((t - x) / t)).sum())


def entropy(group: np.ndarray, total: np.ndarray) -> float:
    r"""Return Theil's entropy (information theory) index H for two groups.

    Parameters
    ----------
    group, total : array_like
        Group count and total population per unit; units with total 0 are ignored.

    Returns
    -------
    float
        :math:`H = \sum_i t_i (E - E_i) / (E T)` in [0, 1]: 0 when every unit has the
        municipality's mix, 1 when every unit holds one group only.

    Examples
    --------
    >>> entropy([10, 0], [10, 10])
    1.0
    """
    x, t = _populated(group, total)
    share = x.sum() / t.sum()
    big_e = _binary_entropy(np.asarray(share))
    if big_e <= 0:
        return float("nan")
    unit_e = _binary_entropy(x / t)
    return float((t * (big_e - unit_e)).sum() / (big_e * t.sum()))


def segregation_indices(
    units: pd.DataFrame,
    *,
    by: str = "gemeente_code",
    group: str = GROUP,
    total: str = TOTAL,
    reference: str = REFERENCE,
) -> pd.DataFrame:
    """Compute every index per municipality from a table of spatial units.

    Parameters
    ----------
    units : pandas.DataFrame
        One row per wijk or buurt, with columns ``by``, ``group``, ``total`` and ``reference``
        (e.g. :func:`analysis.data.load_wijken`). A ``gemeente_naam`` column is carried along.
    by : str, default "gemeente_code"
        Column identifying the municipality.
    group, total, reference : str
        Columns of the group count, the unit total and the comparison group for
        ``dissimilarity_vs_netherlands``.

    Returns
    -------
    pandas.DataFrame
        One row per municipality: ``n_units``, ``n_units_populated``, ``population``, the group
        count and share (%), and the indices of :data:`INDEX_COLUMNS` (``dissimilarity`` and
        ``exposure`` compare the group with everyone else).

    Examples
    --------
    >>> from analysis.data import load_wijken
    >>> table = segregation_indices(load_wijken())
    >>> round(table.loc["GM0363", "dissimilarity"], 3)  # Amsterdam, over wijken
    0.271
    """
    rows = {}
    names = units.groupby(by)["gemeente_naam"].first() if "gemeente_naam" in units else None
    for code, part in units.groupby(by, sort=True):
        x = part[group].to_numpy(dtype=float)
        t = part[total].to_numpy(dtype=float)
        populated = t > 0
        xp, tp = x[populated], t[populated]
        rows[code] = {
            "gemeente_naam": None if names is None else names[code],
            "n_units": len(part),
            "n_units_populated": int(populated.sum()),
            "population": int(tp.sum()),
            group: int(xp.sum()),
            "pct_" + group.removeprefix("origin_"): 100 * xp.sum() / tp.sum(),
            "dissimilarity": dissimilarity(xp, tp - xp),
            "dissimilarity_vs_netherlands": dissimilarity(
                xp, part[reference].to_numpy(dtype=float)[populated]
            ),
            "isolation": isolation(xp, tp),
            "exposure": exposure(xp, tp),
            "entropy": entropy(xp, tp),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = by
    return table


def municipal_segregation(wijken: pd.DataFrame, buurten: pd.DataFrame) -> pd.DataFrame:
    """Stack :func:`segregation_indices` over wijken and over buurten, with a ``unit`` column.

    Parameters
    ----------
    wijken, buurten : pandas.DataFrame
        :func:`analysis.data.load_wijken` and :func:`analysis.data.load_buurten`.

    Returns
    -------
    pandas.DataFrame
        Index ``(gemeente_code, unit)``; columns as in :func:`segregation_indices`.
    """
    parts = [
        segregation_indices(frame).assign(unit=unit)
        for unit, frame in (("wijk", wijken), ("buurt", buurten))
    ]
    return pd.concat(parts).set_index("unit", append=True).sort_index()


def _as_float(values: np.ndarray) -> np.ndarray:
    """Return values as a 1-d float array."""
    return np.asarray(values, dtype=float).ravel()


def _populated(group: np.ndarray, total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return group and total counts of the units with total > 0."""
    x, t = _as_float(group), _as_float(total)
    keep = t > 0
    return x[keep], t[keep]


def _binary_entropy(p: np.ndarray) -> np.ndarray:
    """Return -p ln p - (1-p) ln(1-p), with 0 ln 0 = 0."""
    p = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(p > 0, p * np.log(p), 0.0)
        rest = np.where(p < 1, (1 - p) * np.log1p(-p), 0.0)
    return -(own + rest)
