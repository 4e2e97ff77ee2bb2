"""Tests of :mod:`analysis.results.explorers`: the explorer predicts what the chapters predict."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from analysis.display.explorer import explorer_probability
from analysis.results.decision import predict
from analysis.results.decision_inputs import DoseScale
from analysis.results.explorers import event_study_explorer


def test_the_event_study_explorer_gives_the_prediction_of_predict_from_its_draws():
    rng = np.random.default_rng(4)
    groups = ["GM0363", "GM0599"]
    post = rng.normal(0.01, 0.004, (2, 500))
    posterior = xr.Dataset({
        "effect_post": (("chain", "draw"), post),
        "effect_sd": (("chain", "draw"), np.abs(rng.normal(0.0, 0.01, (2, 500)))),
        "theta": (("chain", "draw"), rng.normal(0.002, 0.001, (2, 500))),
        "effect_group": (("chain", "draw", "group"),
                         post[..., None] + rng.normal(0, 0.01, (2, 500, 2))),
    }, coords={"group": groups})
    scale = DoseScale(mean=300.0, sd=150.0, low=130.0, high=640.0)
    spec = event_study_explorer(posterior, {"GM0363": "Amsterdam"}, chapter="decision", title="t",
                                effect="e", scale=scale, default_dose=304.0)
    assert [c["id"] for c in spec["choices"]] == ["new", *groups]
    assert spec["choices"][1]["label"].startswith("Amsterdam")
    assert spec["inputs"][0]["default"] == 304.0 and spec["n_draws"] == 1000
    rounded = posterior.map(lambda v: v.copy(data=np.vectorize(lambda x: float(f"{x:.6g}"))(v)))
    for dose, t in [(300.0, 0.0), (600.0, 0.02)]:
        expected = predict(rounded, dose, scale, thresholds=[t], seed=1).update.prob_above(t)
        assert explorer_probability(spec, "new", t, {"dose": dose}) == pytest.approx(
            expected, abs=1e-9)
    own = posterior["effect_group"].sel(group="GM0599") + posterior["theta"] * 2.0
    assert explorer_probability(spec, "GM0599", 0.0, {"dose": 600.0}) == pytest.approx(
        float((own > 0).mean()), abs=2e-3)


def test_without_a_dose_the_explorer_has_no_input_and_no_slope():
    rng = np.random.default_rng(1)
    posterior = xr.Dataset({
        "effect_post": (("chain", "draw"), rng.normal(0, 0.01, (1, 50))),
        "effect_sd": (("chain", "draw"), np.abs(rng.normal(0, 0.01, (1, 50)))),
        "effect_group": (("chain", "draw", "group"), rng.normal(0, 0.01, (1, 50, 3))),
    }, coords={"group": ["a", "b", "c"]})
    spec = event_study_explorer(posterior, {}, chapter="pc", title="t", effect="e")
    assert spec["inputs"] == [] and "theta" not in spec["draws"]
    assert [c["label"] for c in spec["choices"]][1] == "a (one of the fitted municipalities)"
