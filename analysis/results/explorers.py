"""Posterior explorers of the real-data chapters: which draws a page ships, and how they combine.

:func:`event_study_explorer` serves every chapter fitted with
:func:`analysis.models.event_study.build_event_study` and a municipality-varying effect (the
wijkenaanpak postcode chapter, the decision chapter with its dose slope, the school-funding
chapter). The page's formula is that of :mod:`analysis.display.explorer`: a new
municipality's effect is ``effect_post + theta * q + effect_sd * eps`` (the predictive
mixture of :func:`analysis.results.decision.predict`); a municipality in the fit has its own
estimated effect ``effect_group + theta * q`` and no spread.
"""

from __future__ import annotations

from collections.abc import Mapping

from analysis.display.explorer import (
    DEFAULT_DRAWS,
    ExplorerChoice,
    ExplorerInput,
    explorer_spec,
)
from analysis.results.decision_inputs import EFFECT_UNIT, MAX_DOSE_EUR, DoseScale

DRAW_BUDGET = 40_000
"""Numbers an explorer ships at most (draws x vectors, ~400 kB of JSON): a chapter with many
municipalities keeps fewer than :data:`~analysis.display.explorer.DEFAULT_DRAWS` draws."""


def event_study_explorer(
    posterior, names: Mapping[str, str], *, chapter: str, title: str, effect: str,
    unit: str = EFFECT_UNIT, scale: DoseScale | None = None, default_dose: float | None = None,
    group_label: str = "one of the fitted municipalities",
) -> dict:
    """Return the explorer's spec of an event study: a new municipality or one in the fit.

    Parameters
    ----------
    posterior : xarray.Dataset
        Posterior of the event study with ``effect_post``, ``effect_sd`` and ``effect_group``
        (dimension ``group``), and ``theta`` when ``scale`` is given.
    names : mapping of str to str
        Display names of the groups (municipality names by ``GM_CODE``).
    chapter, title, effect, unit : str
        The chapter's name, the explorer's heading, what the effect is, its unit.
    scale : DoseScale, optional
        The fit's standardisation of the dose; with it the reader can choose a dose.
    default_dose : float, optional
        Dose the explorer starts at (EUR per resident), rounded to a euro.
    group_label : str
        How a group in the fit is described in the menu.

    Returns
    -------
    dict
        The spec (:func:`analysis.display.explorer.explorer_spec`), thinned to
        :data:`~analysis.display.explorer.DEFAULT_DRAWS` draws, or fewer when the vectors
        (one per municipality) would exceed :data:`DRAW_BUDGET` numbers.
    """
    dose = scale is not None
    names_used = ("effect_post", "effect_sd", "theta") if dose else ("effect_post", "effect_sd")
    draws = {name: posterior[name].to_numpy() for name in names_used}
    choices = [ExplorerChoice("new", "A municipality not in the fit (new)", "effect_post",
                              "effect_sd")]
    for code in posterior["effect_group"].coords["group"].to_numpy():
        key = f"effect_group[{code}]"
        draws[key] = posterior["effect_group"].sel(group=code).to_numpy()
        choices.append(ExplorerChoice(str(code), f"{names.get(code, code)} ({group_label})", key))
    inputs = []
    if dose:
        start = scale.mean if default_dose is None else default_dose
        inputs.append(ExplorerInput(
            "dose", "Dose (EUR per resident)", "theta", centre=scale.mean, scale=scale.sd,
            low=0.0, high=MAX_DOSE_EUR, step=1.0, default=float(round(start)),
            fitted_low=scale.low, fitted_high=scale.high))
    n_draws = min(DEFAULT_DRAWS, DRAW_BUDGET // len(draws))
    return explorer_spec(chapter=chapter, unit=unit, draws=draws, choices=choices,
                         inputs=inputs, title=title, effect=effect, n_draws=n_draws,
                         threshold=(0.0, -1.0, 1.0, 0.005))
