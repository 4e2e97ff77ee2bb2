"""analysis.inference.shared_fits: the slimmed composition fit keeps municipal D only."""

from __future__ import annotations

import arviz as az
import numpy as np
import pandas as pd
import pytest

from analysis.data.concentration import CompositionData
from analysis.inference.shared_fits import drop_checked_arrays, slim_composition_result
from analysis.inference.workflow import WorkflowResult
from analysis.results.segregation import dissimilarity


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


def test_dropping_checked_arrays_keeps_posterior_prior_and_sample_stats(rng):
    idata = az.from_dict(posterior={"m": rng.random((2, 5, 3))},
                         prior={"m": rng.random((1, 5, 3))},
                         sample_stats={"diverging": np.zeros((2, 5), dtype=bool)},
                         posterior_predictive={"y": rng.integers(0, 9, (2, 5, 3))},
                         log_likelihood={"y": np.zeros((2, 5, 3))},
                         observed_data={"y": np.ones(3)})
    idata.add_groups(log_prior={"m": np.zeros((2, 5, 3))})
    result = WorkflowResult(label="test", idata=idata, observed="y", prior_check=None,
                            convergence=None, ppc=None, loo=None, pareto_k=None,
                            sensitivity=None)
    slim = drop_checked_arrays(result)
    assert set(slim.idata.groups()) == {"posterior", "prior", "sample_stats"}
    assert "log_likelihood" in slim.notes["slimmed"] and "log_prior" in slim.notes["slimmed"]


def test_raw_non_centred_draws_go_from_posterior_and_prior_and_the_rest_stays(rng):
    idata = az.from_dict(posterior={"u": rng.normal(size=(2, 5, 3)), "mu": rng.random((2, 5, 3))},
                         prior={"u": rng.normal(size=(1, 5, 3)), "mu": rng.random((1, 5, 3))})
    result = WorkflowResult(label="test", idata=idata, observed="y", prior_check=None,
                            convergence=None, ppc=None, loo=None, pareto_k=None,
                            sensitivity=None)
    slim = drop_checked_arrays(result, raw=("u",))
    assert list(slim.idata.posterior.data_vars) == ["mu"]
    assert list(slim.idata.prior.data_vars) == ["mu"]
    assert "raw draws u" in slim.notes["slimmed"]
