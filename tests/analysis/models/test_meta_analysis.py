"""The meta-analysis builder: classical and exact references, and recovery with real fits."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.data import load_contact_studies, load_published_effects
from analysis.data.evidence import MTO_PRIOR_SD, mto_earnings
from analysis.inference.diagnostics import check_convergence
from analysis.inference.sampling import BACKENDS, fit
from analysis.models import build_meta_analysis, exact_posterior, random_effects_dl
from analysis.models.meta_analysis import (
    SUBGROUP_DIM,
    build_subgroup_effects,
    unpooled_posterior,
)


def test_dersimonian_laird_matches_published_check_values():
    # Reference: DerSimonian-Laird on the same 27 studies, computed independently for
    # ../shared/data/PROVENANCE.md: pooled d 0.393, SE 0.082, tau^2 0.137, Q 173.0, I^2 85 %.
    studies = load_contact_studies()
    result = random_effects_dl(studies["d"], studies["var_d"] ** 0.5)
    assert result["mean"] == pytest.approx(0.393, abs=5e-4)
    assert result["se"] == pytest.approx(0.082, abs=5e-4)
    assert result["tau2"] == pytest.approx(0.137, abs=5e-4)
    assert result["q"] == pytest.approx(173.0, abs=0.05)
    assert result["fe_mean"] == pytest.approx(0.285, abs=5e-4)


def test_dersimonian_laird_two_studies_by_hand():
    # y = (0, 1), v = (1, 1): FE mean 0.5, Q = 0.5 < df = 1 so tau^2 = 0, SE = sqrt(1/2).
    result = random_effects_dl(np.array([0.0, 1.0]), np.array([1.0, 1.0]))
    assert result["mean"] == pytest.approx(0.5, rel=1e-12)
    assert result["tau2"] == 0.0
    assert result["se"] == pytest.approx(np.sqrt(0.5), rel=1e-12)


def test_exact_posterior_with_tiny_tau_prior_is_conjugate_normal():
    # With tau fixed near 0 the posterior of mu is the conjugate normal: precision
    # 1/0.5^2 + sum(1/v), mean sum(y/v)/precision (closed form, by hand).
    from analysis.models import MetaAnalysisPriors

    y, se = np.array([0.2, 0.4, 0.9]), np.array([0.1, 0.2, 0.3])
    exact = exact_posterior(y, se, MetaAnalysisPriors(mu_sd=0.5, tau_sd=1e-6))
    precision = 1 / 0.25 + np.sum(1 / se**2)
    assert exact["mu_mean"] == pytest.approx(np.sum(y / se**2) / precision, rel=1e-4)
    assert exact["mu_sd"] == pytest.approx(precision**-0.5, rel=1e-4)


@pytest.mark.parametrize(
    ("se", "message"),
    [([0.1, -0.1, 0.2], "standard error"), ([0.1, 0.0, 0.2], "standard error")],
)
def test_builder_rejects_non_positive_standard_errors(se, message):
    with pytest.raises(ValueError, match=message):
        build_meta_analysis([0.1, 0.2, 0.3], se, ["a", "b", "c"])


def test_builder_uses_study_dims_and_noncentred_parameters():
    model = build_meta_analysis([0.1, 0.2, 0.3], [0.1, 0.1, 0.1], ["a", "b", "c"])
    assert model.named_vars_to_dims["theta"] == ("study",)
    assert {"mu", "tau", "z"} <= {v.name for v in model.free_RVs}


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_mcmc_agrees_with_exact_posterior_on_contact_studies(backend):
    # Every selectable NUTS backend must reproduce the quadrature posterior within 4 MCSE.
    studies = load_contact_studies()
    model = build_meta_analysis(studies["d"], studies["se_d"], studies["name_short"])
    idata = fit(model, seed=1, backend=backend)
    assert idata.attrs["sampler_backend"] == backend
    check_convergence(idata, ["mu", "tau"], label=f"test ({backend})")
    exact = exact_posterior(studies["d"], studies["se_d"])
    for name in ("mu", "tau"):
        draws = idata.posterior[name]
        import arviz as az

        mcse = float(az.mcse(idata, var_names=[name])[name])
        assert abs(float(draws.mean()) - exact[f"{name}_mean"]) < 4 * mcse + 1e-3, name
        assert float(draws.std()) == pytest.approx(exact[f"{name}_sd"], rel=0.1), name


def test_unknown_backend_is_refused_before_sampling():
    studies = load_contact_studies()
    model = build_meta_analysis(studies["d"], studies["se_d"], studies["name_short"])
    with pytest.raises(ValueError, match="unknown sampler backend 'stan'"):
        fit(model, seed=1, backend="stan")


@pytest.mark.slow
def test_builder_recovers_known_mean_and_spread(rng):
    # 60 simulated studies, true mu = 0.3, tau = 0.25; the 94 % HDIs must cover the truth.
    import arviz as az

    k, mu, tau = 60, 0.3, 0.25
    se = rng.uniform(0.05, 0.3, k)
    y = rng.normal(mu + tau * rng.standard_normal(k), se)
    model = build_meta_analysis(y, se, [f"s{i}" for i in range(k)])
    idata = fit(model, seed=2, chains=2, draws=800, tune=800)
    hdi = az.hdi(idata, var_names=["mu", "tau"], hdi_prob=0.94)
    assert hdi["mu"][0] < mu < hdi["mu"][1]
    assert hdi["tau"][0] < tau < hdi["tau"][1]


def test_subgroup_model_has_one_independent_effect_per_subgroup():
    mto = mto_earnings(load_published_effects())
    model = build_subgroup_effects(mto["effect_size"], mto["standard_error"], mto.index,
                                   prior_sd=MTO_PRIOR_SD)
    assert [v.name for v in model.free_RVs] == ["theta"]  # no mu, no tau: nothing pooled
    assert model.coords[SUBGROUP_DIM] == tuple(mto.index)
    # log density at theta = y: sum of the three normal priors N(y | 0, 3) and likelihoods at 0
    point = {"theta": mto["effect_size"].to_numpy()}
    expected = (stats.norm.logpdf(mto["effect_size"], 0, MTO_PRIOR_SD).sum()
                + stats.norm.logpdf(0, 0, mto["standard_error"]).sum())
    assert float(model.compile_logp()(point)) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"standard_error": [1.0, 0.0]}, "finite number > 0"),
    ({"subgroup": ["a", "a"]}, "unique"),
    ({"subgroup": ["a"]}, "same length"),
    ({"prior_sd": 0.0}, "prior_sd must be > 0"),
])
def test_subgroup_model_rejects_bad_inputs(kwargs, message):
    args = {"effect_size": [1.0, 2.0], "standard_error": [1.0, 1.0], "subgroup": ["a", "b"],
            "prior_sd": 3.0}
    with pytest.raises(ValueError, match=message):
        build_subgroup_effects(**{**args, **kwargs})


def test_unpooled_posterior_by_hand():
    # y = 2, s = 1, prior sd 1: precision 2, mean 1, sd 1/sqrt(2), shrinkage 1/2
    exact = unpooled_posterior(np.array([2.0]), np.array([1.0]), prior_sd=1.0)
    assert exact.loc[0, "mean"] == pytest.approx(1.0)
    assert exact.loc[0, "sd"] == pytest.approx(2**-0.5)
    assert exact.loc[0, "shrinkage"] == pytest.approx(0.5)
