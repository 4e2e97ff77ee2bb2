"""analysis/shared_fits.py: the slimmed composition fit keeps municipal D and drops wijk arrays."""

from __future__ import annotations

import arviz as az
import numpy as np
import pandas as pd
import pytest

from analysis.concentration import CompositionData
from analysis.segregation import dissimilarity
from analysis.shared_fits import slim_composition_result
from analysis.workflow import WorkflowResult


def test_slim_result_keeps_municipal_d_of_the_replicated_counts(rng):
    wijken = pd.DataFrame({"y": [1, 2, 3, 4], "n": [10, 10, 10, 10],
                           "municipality_idx": [0, 0, 1, 1]})
    covariates = pd.DataFrame({"x": [0.0, 1.0]}, index=["GM0001", "GM0002"])
    data = CompositionData(wijken=wijken, municipalities=covariates, covariates=covariates,
                           scale=covariates)
    y_rep = rng.integers(1, 9, size=(2, 5, 4))
    idata = az.from_dict(posterior={"rho": rng.random((2, 5, 2))},
                         posterior_predictive={"y": y_rep},
                         log_likelihood={"y": np.zeros((2, 5, 4))},
                         prior_predictive={"y": np.zeros((1, 5, 4))},
                         observed_data={"y": wijken["y"].to_numpy()},
                         coords={"municipality": list(covariates.index)},
                         dims={"rho": ["municipality"], "y": ["wijk"]})
    result = WorkflowResult(label="test", idata=idata, observed="y", prior_check=None,
                            convergence=None, ppc=None, loo=None, pareto_k=None,
                            sensitivity=None)
    slim = slim_composition_result(result, data).idata
    assert "log_likelihood" not in slim.groups() and "prior_predictive" not in slim.groups()
    assert list(slim.posterior_predictive.data_vars) == ["D"]
    x = y_rep[1, 3, 2:]
    assert float(slim.posterior_predictive["D"].sel(municipality="GM0002")[1, 3]) == \
        pytest.approx(dissimilarity(x, 10 - x))
    assert float(slim.observed_data["D"].sel(municipality="GM0001")) == \
        pytest.approx(dissimilarity([1, 2], [9, 8]))
