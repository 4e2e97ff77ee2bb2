"""The shared checking pipeline (analysis/inference/workflow.py), with real small fits."""

from __future__ import annotations

from types import SimpleNamespace

import arviz as az
import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr
from scipy import stats

from analysis.inference.diagnostics import ConvergenceError
from analysis.inference.workflow import (
    PriorCheck,
    PriorPredictiveError,
    WorkflowResult,
    check_prior_predictive,
    compare_models,
    pareto_k_table,
    run_workflow,
)
from analysis.models import (
    MetaAnalysisPriors,
    build_meta_analysis,
    marginal_log_likelihood,
    simulate_meta_analysis,
)
from analysis.results.findings import reproducibility_footer

LABEL = "test_chapter: meta-analysis"
THETA_CHECK = PriorCheck("theta", bound=2.0, prob=0.95, reason="|d| > 2 is implausible")


@pytest.fixture(scope="module")
def simulated():
    """Ten SIMULATED studies (truth drawn from the priors with seed 11)."""
    return simulate_meta_analysis(np.random.default_rng(11), n_studies=10)


@pytest.fixture(scope="module")
def result(simulated) -> WorkflowResult:
    _, data = simulated
    return run_workflow(
        lambda: build_meta_analysis(**data), label=LABEL, seed=np.random.default_rng(12),
        var_names=["mu", "tau"], prior_check=THETA_CHECK, prior_var_names=["mu", "tau"],
        loo_log_likelihood=marginal_log_likelihood, prior_draws=500, chains=2, simulated=True,
    )


# --- prior predictive check (no fitting) ----------------------------------------------------

def test_check_prior_predictive_share_is_the_share_of_draws_inside_the_bound():
    # 1,000 draws of which exactly 930 lie inside |x| < 2 (by construction)
    values = np.r_[np.zeros(930), np.full(70, 3.0)].reshape(1, 1000)
    prior = az.from_dict(prior={"x": values})
    table = check_prior_predictive(prior, "x", bound=2.0, prob=0.93, label=LABEL)
    assert table.loc["prior predictive", "share"] == pytest.approx(0.93, abs=1e-12)
    with pytest.raises(PriorPredictiveError,
                       match=r"^test_chapter: meta-analysis: failed the prior predictive check: "
                             r"only 93\.0% of prior draws of 'x' have \|x\| < 2 \(needs >= 95%\)"):
        check_prior_predictive(prior, "x", bound=2.0, prob=0.95, label=LABEL)


def test_run_workflow_absurd_prior_fails_prior_check_before_fitting(simulated):
    _, data = simulated
    absurd = MetaAnalysisPriors(mu_sd=10.0, tau_sd=10.0)
    with pytest.raises(PriorPredictiveError,
                       match=r"^test_chapter: meta-analysis: failed the prior predictive check"):
        run_workflow(lambda: build_meta_analysis(**data, priors=absurd), label=LABEL, seed=1,
                     var_names=["mu"], prior_check=THETA_CHECK)


def test_check_prior_predictive_unknown_variable_names_it():
    prior = az.from_dict(prior={"x": np.zeros((1, 10))})
    with pytest.raises(PriorPredictiveError, match=r"no variable 'theta'"):
        check_prior_predictive(prior, "theta", label=LABEL)


# --- Pareto-k table (no fitting) ------------------------------------------------------------

def test_pareto_k_table_counts_each_band_and_names_flagged_observations():
    k = xr.DataArray([0.1, 0.69, 0.71, 0.95, 1.3], dims="study",
                     coords={"study": ["a", "b", "c", "d", "e"]})
    table = pareto_k_table(SimpleNamespace(pareto_k=k))
    assert table["count"].tolist() == [2, 2, 1]
    assert table["observations"].tolist() == ["", "c, d", "e"]


# --- the whole pipeline on a real fit -------------------------------------------------------

@pytest.mark.slow
def test_run_workflow_returns_every_check(result):
    assert list(result.summary().index) == [
        "prior predictive", "convergence gate", "posterior predictive", "PSIS-LOO",
        "prior sensitivity",
    ]
    for group in ("prior", "prior_predictive", "posterior", "posterior_predictive",
                  "log_likelihood", "log_prior", "observed_data", "constant_data"):
        assert group in result.idata.groups(), group
    assert result.convergence["passed"].all()
    assert result.pareto_k["count"].sum() == 10
    assert list(result.sensitivity.index) == ["mu", "tau"]
    assert set(result.sensitivity.columns) == {"prior", "likelihood", "diagnosis"}
    assert list(result.ppc.index) == ["mean", "sd", "min", "max"]
    assert result.ppc["p-value"].between(0, 1).all()
    assert result.idata.attrs["workflow_label"] == LABEL


@pytest.mark.slow
def test_marginal_log_likelihood_matches_scipy_normal_with_variance_se2_plus_tau2(result,
                                                                                  simulated):
    _, data = simulated
    post = result.idata.posterior.isel(chain=0, draw=5)
    expected = stats.norm.logpdf(
        data["effect_size"], loc=float(post["mu"]),
        scale=np.sqrt(data["standard_error"] ** 2 + float(post["tau"]) ** 2),
    )
    got = marginal_log_likelihood(result.idata).isel(chain=0, draw=5).to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    explicit = marginal_log_likelihood(result.idata, data["standard_error"])
    np.testing.assert_allclose(explicit.isel(chain=0, draw=5).to_numpy(), expected, rtol=1e-10)


@pytest.mark.slow
def test_loo_uses_the_marginal_likelihood_and_compare_reports_it(result):
    marginal = az.loo(az.InferenceData(
        posterior=result.idata.posterior,
        log_likelihood=marginal_log_likelihood(result.idata).to_dataset()))
    assert result.loo.elpd_loo == pytest.approx(marginal.elpd_loo, rel=1e-12)
    table = compare_models({"same model": result, "copy": result})
    assert table["elpd_loo"].to_numpy() == pytest.approx([marginal.elpd_loo] * 2, rel=1e-12)
    assert table["weight"].sum() == pytest.approx(1.0)


@pytest.mark.slow
def test_plots_use_the_checked_quantity_and_stamp_simulated_data(result):
    fig = result.plot_prior_predictive(xlabel="d")
    ax = fig.axes[0]
    assert "|theta| < 2" in ax.get_title()
    assert any(t.get_text() == "SIMULATED DATA" for t in ax.texts)
    plt.close(fig)
    fig = result.plot_ppc(num_pp_samples=20)
    assert "effect_size" in fig.axes[0].get_title()
    plt.close(fig)


@pytest.mark.slow
def test_prior_sensitivity_flags_a_prior_that_dominates_one_imprecise_study():
    """One study with SE 5: the data say almost nothing, so mu's posterior is its prior."""
    result = run_workflow(
        lambda: build_meta_analysis([0.3, -0.2], [5.0, 5.0], ["a", "b"]), label=LABEL,
        seed=np.random.default_rng(3), var_names=["mu"], prior_check=THETA_CHECK,
        prior_var_names=["mu", "tau"], prior_draws=200, chains=2,
    )
    row = result.sensitivity.loc["mu"]
    assert row["prior"] > 0.05 > row["likelihood"]
    assert row["diagnosis"] == "strong prior / weak likelihood"
    assert result.prior_sensitive == ["mu"]
    assert "prior-sensitive: mu" in result.summary().loc["prior sensitivity", "result"]


@pytest.mark.slow
def test_centred_model_on_tiny_data_fails_the_convergence_gate_naming_label():
    """Three imprecise studies and the centred parameterisation: the funnel causes divergences."""
    with pytest.raises(ConvergenceError,
                       match=r"^test_chapter: meta-analysis: the fit failed the convergence gate"
                             r"[\s\S]*divergences"):
        run_workflow(
            lambda: build_meta_analysis([0.1, 0.5, -0.2], [0.6, 0.8, 0.7], ["a", "b", "c"],
                                        centered=True),
            label=LABEL, seed=np.random.default_rng(4), var_names=["mu", "tau"],
            prior_check=THETA_CHECK, prior_draws=200, chains=2,
        )


def test_reproducibility_footer_reports_chapter_wall_time():
    table = reproducibility_footer(started=0.0)
    assert float(table.loc["chapter wall time s", "value"]) > 0


def test_the_count_of_high_pareto_k_does_not_depend_on_the_order_of_the_bands():
    loo = SimpleNamespace(pareto_k=xr.DataArray([0.1, 0.8, 1.3, 0.2, 0.9], dims="obs_id"))
    table = pareto_k_table(loo)
    for order in (table, table.iloc[::-1], table.iloc[[1, 0, 2]]):
        assert WorkflowResult.n_high_pareto_k.fget(SimpleNamespace(pareto_k=order)) == 3
