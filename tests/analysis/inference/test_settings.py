"""analysis.inference.settings: one settings object per model family, unpacked into fit()."""

from __future__ import annotations

import inspect

import pytest

from analysis.inference import settings
from analysis.inference.sampling import fit
from analysis.inference.settings import (
    COMPOSITION,
    DEFAULT,
    EVENT_STUDY,
    LOW_RANK_NUTPIE,
    SBC,
    SamplerSettings,
)


def test_settings_unpack_to_the_keyword_arguments_that_are_set():
    assert dict(DEFAULT) == {"draws": 1000, "tune": 1000, "chains": 4, "cores": 2,
                             "target_accept": 0.9}
    assert dict(SBC) == {"draws": 300, "tune": 300, "chains": 1, "cores": 1}
    assert {**EVENT_STUDY, "draws": 5}["draws"] == 5
    with pytest.raises(KeyError):
        SBC["target_accept"]


def test_a_family_changes_only_what_it_says():
    assert COMPOSITION.nuts_sampler_kwargs == LOW_RANK_NUTPIE.nuts_sampler_kwargs
    assert (COMPOSITION.draws, COMPOSITION.tune, COMPOSITION.target_accept) == (800, 600, 0.8)
    assert COMPOSITION.chains == DEFAULT.chains and COMPOSITION.backend == "nutpie"
    assert LOW_RANK_NUTPIE.replace(draws=7).draws == 7 and LOW_RANK_NUTPIE.draws == 1000


def test_every_family_passes_only_arguments_fit_and_pymc_sample_accept():
    import pymc as pm

    accepted = (set(inspect.signature(fit).parameters)
                | set(inspect.signature(pm.sample).parameters)
                | {"target_accept"})  # passed on to the NUTS step by pm.sample
    families = [v for v in vars(settings).values() if isinstance(v, SamplerSettings)]
    assert len(families) >= 9
    for family in families:
        assert set(family) <= accepted, family
