"""analysis.inference.sampling.fit: one configuration, every backend's output in the same shape."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest

from analysis.inference.sampling import fit
from analysis.inference.settings import LOW_RANK_NUTPIE


def _model() -> pm.Model:
    with pm.Model(coords={"obs": range(20)}) as model:
        mu = pm.Normal("mu", 0.0, 1.0)
        pm.Normal("y", mu, 1.0, observed=np.linspace(-1.0, 1.0, 20), dims="obs")
    return model


def test_an_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="unknown sampler backend 'stan'"):
        fit(_model(), seed=1, backend="stan")


@pytest.mark.slow
def test_low_rank_nutpie_returns_what_pymc_returns_without_the_tuning_draws():
    idata = fit(_model(), seed=np.random.default_rng(1),
                **LOW_RANK_NUTPIE.replace(draws=200, tune=200, chains=2))
    assert {"posterior", "sample_stats", "log_likelihood"} <= set(idata.groups())
    assert not {"warmup_posterior", "warmup_sample_stats"} & set(idata.groups())
    assert idata.posterior.sizes["draw"] == 200 and idata.log_likelihood["y"].shape == (2, 200, 20)
    assert idata.attrs["sampler_backend"] == "nutpie"
    assert "low_rank_modified_mass_matrix" in idata.attrs["sampler_settings"]
