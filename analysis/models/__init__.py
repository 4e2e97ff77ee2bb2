"""Model builders, one per model family, shared by every chapter."""

from analysis.models.event_study import (
    EventStudyError,
    EventStudyPriors,
    build_event_study,
    exposure_contrast,
    simulate_design,
    simulate_event_study,
    unit_log_likelihood,
)
from analysis.models.grants import (
    GrantsPriors,
    build_grants_model,
    simulate_grants,
    simulation_design,
)
from analysis.models.meta_analysis import (
    MetaAnalysisPriors,
    build_meta_analysis,
    exact_posterior,
    marginal_log_likelihood,
    new_study_effect,
    random_effects_dl,
    simulate_meta_analysis,
)
from analysis.models.neighbourhood import (
    BuurtPriors,
    CompositionPriors,
    build_buurt_model,
    build_composition_model,
    simulate_buurt,
    simulate_composition,
)
from analysis.models.ordinal_did import OrdinalDiDPriors, build_ordinal_did

__all__ = [
    "BuurtPriors",
    "CompositionPriors",
    "build_buurt_model",
    "build_composition_model",
    "simulate_buurt",
    "simulate_composition",
    "MetaAnalysisPriors",
    "build_meta_analysis",
    "exact_posterior",
    "marginal_log_likelihood",
    "new_study_effect",
    "random_effects_dl",
    "simulate_meta_analysis",
    "EventStudyError",
    "EventStudyPriors",
    "build_event_study",
    "exposure_contrast",
    "simulate_design",
    "simulate_event_study",
    "unit_log_likelihood",
    "GrantsPriors",
    "build_grants_model",
    "simulate_grants",
    "simulation_design",
    "OrdinalDiDPriors",
    "build_ordinal_did",
]
