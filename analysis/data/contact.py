"""The contact studies for analysis: arms that share a control group merged, moderators coded.

The file of Paluck, Green & Green (2019) has one row per treatment-control *comparison*. Two rows
of one study that compare two treatment arms with the *same* control group are not independent
(the control group's sampling error enters both), so :func:`merge_shared_control_arms` combines
them into one comparison of the pooled treatment arms against that control group before any
model sees them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SHARED_CONTROL_KEY = ("author", "pub_date", "n_c", "sd_c")
"""Rows that agree on first author, year, control-group size and control SD share a control."""

NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve")
"""Counts written as words in the prose (larger counts stay digits, glued)."""


def count_text(n: int) -> str:
    """Write a count for the prose: a word up to twelve, digits above.

    Examples
    --------
    >>> count_text(2), count_text(0), count_text(26)
    ('two', 'no', '26')
    """
    n = int(n)
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def shared_control_arms(studies: pd.DataFrame) -> list[list[object]]:
    """Return the groups of rows (index labels) whose arms share one control group.

    Rows are grouped by :data:`SHARED_CONTROL_KEY`: the first word of ``study`` (the first
    author), the publication year, the control-group size ``n_c`` and the control SD ``sd_c``.
    Two schools of one study with their own control groups differ in ``sd_c`` and stay apart.

    Parameters
    ----------
    studies : pandas.DataFrame
        :func:`analysis.data.load_contact_studies`, any index.

    Returns
    -------
    list of list
        One list of index labels per group of two or more rows, in file order.
    """
    key = studies.assign(author=studies["study"].str.split().str[0])[list(SHARED_CONTROL_KEY)]
    groups = key.groupby(list(SHARED_CONTROL_KEY), dropna=False, sort=False).groups
    return [list(rows) for rows in groups.values() if len(rows) > 1]


def merge_shared_control_arms(studies: pd.DataFrame) -> pd.DataFrame:
    r"""Combine treatment arms that share a control group into one comparison per study.

    For arms :math:`j` with sizes :math:`n_j` and effects :math:`d_j` against one control group
    of size :math:`n_c`, the pooled treatment group has :math:`n_T = \sum_j n_j` and mean
    :math:`\sum_j n_j \bar y_j / n_T`; with the standardiser unchanged (the studies in question
    divide by the SD of the whole population at pre-test, the same for both arms) its effect is
    :math:`d = \sum_j n_j d_j / n_T`, and its variance is the file's own formula for a
    two-group :math:`d`, :math:`v = 1/n_T + 1/n_c + d^2 / (2 (n_T + n_c))`. This is the
    combined-groups approach to multiple arms (one comparison, the control group counted once).

    Parameters
    ----------
    studies : pandas.DataFrame
        :func:`analysis.data.load_contact_studies`, indexed by ``name_short`` or not.

    Returns
    -------
    pandas.DataFrame
        Same columns (and index name) plus ``n_arms``; one row per group of
        :func:`shared_control_arms`, at the position of its first arm, named by the common
        prefix of the arms' ``name_short`` (``Boisjoly 06``). Other rows are unchanged.

    Raises
    ------
    ValueError
        If the arms of a group differ in out-group, participants or days to measurement (then
        they are not one comparison and must not be merged).
    """
    out = studies.copy()
    out["n_arms"] = 1
    index_is_name = out.index.name == "name_short"
    for rows in shared_control_arms(studies):
        arms = out.loc[rows]
        for column in ("target_spelled_out", "pop_spelled_out", "days_delay", "p_a_p"):
            if arms[column].nunique() != 1:
                raise ValueError(f"arms {list(arms.index)} share a control group but differ in "
                                 f"'{column}': {list(arms[column])}; they cannot be merged")
        n_t = int(arms["n_t"].sum())
        n_c = int(arms["n_c"].iloc[0])
        d = float((arms["n_t"] * arms["d"]).sum() / n_t)
        var_d = 1 / n_t + 1 / n_c + d**2 / (2 * (n_t + n_c))
        names = [str(n) for n in (arms.index if index_is_name else arms["name_short"])]
        merged_name = _common_prefix(names)
        merged = arms.iloc[0].copy()
        merged.update({
            "study": _common_prefix(list(arms["study"])).rstrip(" (") + " (arms combined)",
            "n_t": n_t, "d": d, "var_d": var_d, "se_d": np.sqrt(var_d),
            "unstand": float((arms["n_t"] * arms["unstand"]).sum() / n_t),
            "n_arms": len(rows),
        })
        if not index_is_name:
            merged["name_short"] = merged_name
        first = out.index.get_loc(rows[0])
        out = out.drop(index=rows)
        top, bottom = out.iloc[:first], out.iloc[first:]
        row = merged.to_frame().T.astype(out.dtypes.to_dict())
        row.index = pd.Index([merged_name if index_is_name else rows[0]], name=out.index.name)
        out = pd.concat([top, row, bottom])
    return out


def _common_prefix(names: list[str]) -> str:
    """Return the longest common prefix of ``names``, cut back to a whole word."""
    prefix = names[0]
    for name in names[1:]:
        while not name.startswith(prefix):
            prefix = prefix[:-1]
    return prefix if prefix in names else prefix.rsplit(" ", 1)[0].rstrip()

MODERATORS: dict[str, str] = {
    "log_days_delay": "log of the days between the contact and the prejudice measurement "
                      "(persistence: does the effect last?)",
    "ethnic_target": "1 if the out-group is defined by race, ethnicity or foreign origin",
    "adult_participants": "1 if participants are adults or college-aged, 0 if school children",
    "publication_year": "year of publication",
    "pre_analysis_plan": "1 if the study registered a pre-analysis plan",
}
"""Moderators, with what each measures (before standardising)."""


def contact_moderators(studies: pd.DataFrame, *, standardise: bool = True) -> pd.DataFrame:
    """Return the moderators of :data:`MODERATORS` for the contact studies.

    Parameters
    ----------
    studies : pandas.DataFrame
        :func:`analysis.data.load_contact_studies` (columns ``days_delay``,
        ``target_spelled_out``, ``pop_spelled_out``, ``pub_date``, ``p_a_p``).
    standardise : bool, default True
        Centre each column and divide by its SD (ddof 0), so each coefficient is the change
        in effect per SD of the moderator and the intercept is the effect of an average study.

    Returns
    -------
    pandas.DataFrame
        Same index as ``studies``, one column per moderator.
    """
    raw = pd.DataFrame(
        {
            "log_days_delay": np.log(studies["days_delay"].to_numpy(dtype=float)),
            "ethnic_target": studies["target_spelled_out"].isin(["race", "foreigners"])
            .astype(float).to_numpy(),
            "adult_participants": studies["pop_spelled_out"]
            .isin(["adults", "college aged young adults"]).astype(float).to_numpy(),
            "publication_year": studies["pub_date"].to_numpy(dtype=float),
            "pre_analysis_plan": studies["p_a_p"].to_numpy(dtype=float),
        },
        index=studies.index,
    )
    if not standardise:
        return raw
    return (raw - raw.mean()) / raw.std(ddof=0)


DISPLAY_COLUMNS: dict[str, str] = {
    "target_spelled_out": "out-group",
    "pop_spelled_out": "participants",
    "n_t": "n treated",
    "n_c": "n control",
    "days_delay": "days to outcome",
    "d": "d",
    "se_d": "SE",
}
"""Columns of the contact studies shown to readers, with readable headings."""


def display_studies(studies: pd.DataFrame) -> pd.DataFrame:
    """Return the contact studies as a compact table for the page (readable headings)."""
    return studies[list(DISPLAY_COLUMNS)].rename(columns=DISPLAY_COLUMNS)
