"""The book's models as benchmark cases: name -> function returning a fresh PyMC model.

Each case builds the model exactly as its chapter does, from the committed data in ``data/``.
Cases whose builder is not (yet) in the package are skipped by the benchmark with a message.
"""

from __future__ import annotations

from collections.abc import Callable

import pymc as pm


def contact_meta_analysis() -> pm.Model:
    from analysis.data import load_contact_studies
    from analysis.models import build_meta_analysis

    studies = load_contact_studies()
    return build_meta_analysis(studies["d"], studies["se_d"], studies["name_short"])


def registry_crossed() -> pm.Model:
    from analysis.data import load_registry  # simulated registry (data layer)
    from analysis.models.registry import build_registry_model

    return build_registry_model(load_registry())


def neighbourhood_composition() -> pm.Model:
    from analysis.inference.shared_fits import composition_model

    return composition_model()


def wijkenaanpak_ordinal_did() -> pm.Model:
    """The ordinal difference-in-differences on the Leefbaarometer 2.0 wijk classes (strict)."""
    from analysis.data import load_lbm2_wijk_classes, load_wijken_2016
    from analysis.data.treatment import load_wijkenaanpak_treatment
    from analysis.data.wijkenaanpak import analysis_sample, build_panel
    from analysis.models import build_ordinal_did
    from analysis.models.ordinal_did import OrdinalDiDPriors, ordinal_did_design

    panel = build_panel(load_lbm2_wijk_classes(), load_wijken_2016(),
                        load_wijkenaanpak_treatment())
    design = ordinal_did_design(analysis_sample(panel, "strict"), treated="treated",
                                dose="dose", n_categories=8)
    return build_ordinal_did(design, priors=OrdinalDiDPriors())


def wijkenaanpak_event_study() -> pm.Model:
    """The event study on the Leefbaarometer 3.0 postcode panel (broad exposure)."""
    from analysis import data as book_data
    from analysis.data import postcodes as pcs
    from analysis.data.treatment import load_wijkenaanpak_treatment
    from analysis.models import EventStudyPriors, build_event_study

    exposure = pcs.pc4_exposure(book_data.load_pc4_wijk_addresses(),
                                load_wijkenaanpak_treatment())
    panel = pcs.build_postcode_panel(book_data.load_lbm3_pc4(), exposure,
                                     book_data.load_pc4_2023())
    changes = pcs.event_changes(panel)
    return build_event_study(changes["change"], changes["pc4"], changes["year"],
                             changes["exposure_broad"], changes["gm_code"],
                             reference_year=pcs.REFERENCE_YEAR, baseline=changes["baseline_c"],
                             priors=EventStudyPriors())


CASES: dict[str, Callable[[], pm.Model]] = {
    "contact_meta_analysis": contact_meta_analysis,
    "registry_crossed": registry_crossed,
    "neighbourhood_composition": neighbourhood_composition,
    "wijkenaanpak_ordinal_did": wijkenaanpak_ordinal_did,
    "wijkenaanpak_event_study": wijkenaanpak_event_study,
}

CHAPTER_BACKENDS: dict[str, str] = {  # analysis.inference.settings.LOW_RANK_NUTPIE here
    # analysis.inference.settings.COMPOSITION
    "neighbourhood_composition": "nutpie_low_rank",
    "wijkenaanpak_ordinal_did": "nutpie_low_rank",  # chapters/wijkenaanpak_wijken.md
    "wijkenaanpak_event_study": "nutpie_low_rank",  # wijkenaanpak_postcodes.md, school_funding.md
}
"""Cases whose chapter overrides the book's default backend
(``analysis.inference.settings.SAMPLER_BACKEND``); the benchmark compares each case's chapter
backend with the alternatives."""

