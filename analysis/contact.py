"""Study-level moderators of the contact meta-analysis that map to the SCP's distinctions."""

from __future__ import annotations

import numpy as np
import pandas as pd

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
