"""The two neighbourhood fits the concentration chapters share, run once per build and cached.

:func:`composition_workflow` (wijken in municipalities, chapters on concentration, income
mixing and motives) and :func:`amsterdam_workflow` (buurten in wijken, chapters on housing
stock and income mixing) each run the book's checking pipeline (:func:`analysis.inference.workflow.
run_workflow`) with the book's seed; the result is cached in ``_build/fits`` under a hash of
the data, the code and the settings (:mod:`analysis.inference.fitcache`), so the second chapter that
asks for a fit loads the first one's checked result instead of sampling again.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import xarray as xr

from analysis.config import SEED
from analysis.data import concentration
from analysis.data.concentration import (
    AMSTERDAM_PREDICTORS,
    CompositionData,
    amsterdam_buurten,
    composition_data,
)
from analysis.inference import fitcache, workflow
from analysis.inference.settings import COMPOSITION
from analysis.inference.workflow import PriorCheck, WorkflowResult, run_workflow
from analysis.models import neighbourhood
from analysis.models.neighbourhood import build_buurt_model, build_composition_model
from analysis.results import segregation
from analysis.results.segregation import grouped_dissimilarity

COMPOSITION_PRIOR_CHECK = PriorCheck(
    "rho", bound=0.5, prob=0.9,
    reason="a between-wijk share of more than half of all variance in origin would mean "
           "near-complete separation, which no Dutch municipality shows",
)
AMSTERDAM_PRIOR_CHECK = PriorCheck(
    "alpha", bound=2.0, prob=0.95,
    reason="a wijk differing from the city by more than 2 logits (e.g. 27 % vs 88 %) beyond "
           "what its housing predicts is implausible",
)


def composition_model(data: CompositionData | None = None) -> pm.Model:
    """Build the beta-binomial composition model over all 2024 wijken, as chapter 1 fits it.

    Wijk size (``size_z``) enters both the mean share and the ICC: without it, every wijk's
    share came from one Beta per municipality whatever its size, and the D this implied for a
    municipality of few, unequal wijken (Rotterdam: 19 wijken, four of them with fewer than
    100 residents) lay far above its observed D.
    """
    data = data if data is not None else composition_data()
    w = data.wijken
    return build_composition_model(w["y"], w["n"], w["municipality_idx"], data.covariates,
                                   wijk=w["wijk_code"], size=w["size_z"])


CHECKED_GROUPS = ("posterior_predictive", "observed_data", "log_likelihood", "log_prior",
                  "prior_predictive")
"""InferenceData groups of a shared fit that only the workflow's checks read (posterior
predictive p-values, PSIS-LOO, power-scaling sensitivity). Their tables are kept in the
:class:`~analysis.inference.workflow.WorkflowResult`; the cached fit drops the arrays (each
draws x wijken or buurten), so ``_build/fits`` stays small. ``posterior``, ``prior`` (the
prior predictive check's figure) and ``sample_stats`` stay."""

COMPOSITION_RAW = ("u",)
"""Raw draws of the composition fit's municipal mean-share effects; chapters read ``mu`` (``v``,
the ICC's, stays: the concentration chapter and the scenarios read ``sigma_v * v``)."""
AMSTERDAM_RAW = ("alpha_z", "zeta")
"""Raw draws of the Amsterdam fit's wijk intercepts and slopes (``alpha`` and ``slope_within``,
which the chapters read, stay)."""


def drop_checked_arrays(result: WorkflowResult, *, raw: tuple[str, ...] = (),
                        **replacements: xr.Dataset) -> WorkflowResult:
    """Drop :data:`CHECKED_GROUPS` from a checked fit, optionally adding smaller replacements.

    Parameters
    ----------
    result : analysis.inference.workflow.WorkflowResult
        A fit whose checks have run (their tables are in ``result``).
    raw : tuple of str, optional
        Standard-normal draws of a non-centred parameterisation that no chapter reads (the
        deterministic they scale, e.g. ``mu`` for ``u``, is kept); dropped from ``posterior``
        and ``prior``.
    **replacements : xarray.Dataset
        Groups to add after dropping (e.g. ``posterior_predictive`` holding municipal D
        instead of wijk counts).

    Returns
    -------
    analysis.inference.workflow.WorkflowResult
        The same object, its ``notes["slimmed"]`` saying what was dropped.
    """
    idata = result.idata
    dropped = [group for group in CHECKED_GROUPS if group in idata.groups()]
    for group in dropped:
        delattr(idata, group)
    for group in ("posterior", "prior"):
        if group in idata.groups():
            setattr(idata, group, getattr(idata, group).drop_vars(
                [name for name in raw if name in getattr(idata, group)]))
    if replacements:
        idata.add_groups(**replacements)
    added = "".join(f"; {group} now holds {', '.join(map(str, ds.data_vars))}"
                    for group, ds in replacements.items())
    dropped_raw = f"; dropped the raw draws {', '.join(raw)}" if raw else ""
    result.notes["slimmed"] = (f"dropped {', '.join(dropped)} after the checks{dropped_raw}"
                               f"{added}")
    return result


def slim_composition_result(result: WorkflowResult, data: CompositionData) -> WorkflowResult:
    """Replace the wijk-level predictive arrays of the composition fit by municipal D.

    What the chapters still need from the replicated counts is each municipality's
    dissimilarity index, computed here once
    (:func:`analysis.results.segregation.grouped_dissimilarity`) and kept as
    ``posterior_predictive["D"]`` (and ``observed_data["D"]``); the rest of
    :data:`CHECKED_GROUPS` is dropped (:func:`drop_checked_arrays`).
    """
    idata = result.idata
    w = data.wijken
    n_munis = len(data.covariates)
    y_rep = idata.posterior_predictive["y"].transpose("chain", "draw", "wijk")
    d_rep = grouped_dissimilarity(y_rep.to_numpy(), w["n"].to_numpy(),
                                  w["municipality_idx"].to_numpy(), n_munis)
    d_obs = grouped_dissimilarity(w["y"].to_numpy()[None, :], w["n"].to_numpy(),
                                  w["municipality_idx"].to_numpy(), n_munis)[0]
    municipality = idata.posterior["municipality"].values
    replicated = xr.Dataset({"D": (("chain", "draw", "municipality"), d_rep)},
                            coords={"chain": y_rep["chain"].values, "draw": y_rep["draw"].values,
                                    "municipality": municipality})
    observed = xr.Dataset({"D": (("municipality",), d_obs)}, coords={"municipality": municipality})
    return drop_checked_arrays(result, raw=COMPOSITION_RAW, posterior_predictive=replicated,
                               observed_data=observed)


def composition_workflow() -> WorkflowResult:
    """Run (or load) the checked beta-binomial composition fit over all 2024 wijken."""
    key = fitcache.fit_key(
        "composition",
        resources=["cbs_kwb2024_wijk_population_origin",
                   "cbs_gemeente_2024_population_origin_households_income",
                   "cbs_kwb2012_2017_2019_gemeente_housing", "vogelaar_krachtwijken_2007",
                   "rotterdamwet_municipalities"],
        modules=[concentration, neighbourhood, workflow, segregation],
        settings={"prior_check": COMPOSITION_PRIOR_CHECK, "fit": COMPOSITION,
                  "size": "log wijk size in mu and rho",
                  "slim": ("municipal D", CHECKED_GROUPS, COMPOSITION_RAW)},
    )

    def run() -> WorkflowResult:
        data = composition_data()
        return slim_composition_result(run_workflow(
            lambda: composition_model(data),
            label="concentration: beta-binomial composition model",
            seed=np.random.default_rng(SEED),
            var_names=["a", "b", "c", "d", "b_size", "d_size", "sigma_u", "sigma_v"],
            prior_var_names=["a", "b", "c", "d", "b_size", "d_size", "sigma_u", "sigma_v"],
            prior_check=COMPOSITION_PRIOR_CHECK,
            **COMPOSITION,
        ), data)

    return fitcache.cached("composition", key, run)


def amsterdam_workflow() -> WorkflowResult:
    """Run (or load) the checked buurt-in-wijk fit for Amsterdam 2019."""
    key = fitcache.fit_key(
        "amsterdam",
        resources=["cbs_kwb2019_amsterdam_wijk_buurt_housing_origin"],
        modules=[concentration, neighbourhood, workflow],
        settings={"prior_check": AMSTERDAM_PRIOR_CHECK, "slim": (CHECKED_GROUPS, AMSTERDAM_RAW)},
    )

    def run() -> WorkflowResult:
        data = amsterdam_buurten()
        predictors = list(AMSTERDAM_PREDICTORS)
        within = data[[p + "_within" for p in predictors]].set_axis(predictors, axis=1)
        between = data[[p + "_between" for p in predictors]].set_axis(predictors, axis=1)
        return drop_checked_arrays(run_workflow(
            lambda: build_buurt_model(data["y"], data["n"], data["wijk_idx"], within, between,
                                      wijk=sorted(data["wijk_code"].unique()),
                                      buurt=data["region_code"]),
            label="housing_stock: Amsterdam buurt-in-wijk model",
            seed=np.random.default_rng(SEED),
            var_names=["a", "beta_within", "gamma_between", "sigma_wijk", "tau_within", "rho"],
            prior_var_names=["a", "beta_within", "gamma_between", "sigma_wijk", "tau_within",
                             "rho"],
            prior_check=AMSTERDAM_PRIOR_CHECK,
        ), raw=AMSTERDAM_RAW)

    return fitcache.cached("amsterdam", key, run)
