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
    from analysis.shared_fits import composition_model

    return composition_model()


CASES: dict[str, Callable[[], pm.Model]] = {
    "contact_meta_analysis": contact_meta_analysis,
    "registry_crossed": registry_crossed,
    "neighbourhood_composition": neighbourhood_composition,
}
