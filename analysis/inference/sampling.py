"""Fit PyMC models with NUTS, with the settings of :mod:`analysis.inference.settings`."""

from __future__ import annotations

import os
import time

import arviz as az
import numpy as np
import pymc as pm

from analysis.inference.settings import DEFAULT, SAMPLER_BACKEND

BACKENDS = ("pymc", "nutpie", "numpyro", "blackjax")
"""The NUTS implementations :func:`fit` accepts (all through :func:`pymc.sample`)."""


def fit(
    model: pm.Model,
    *,
    seed: int | np.random.Generator,
    backend: str | None = None,
    progressbar: bool = False,
    **overrides: object,
) -> az.InferenceData:
    """Draw posterior samples with NUTS and return them with pointwise log-likelihoods.

    Parameters
    ----------
    model : pymc.Model
        The model to fit.
    seed : int or numpy.random.Generator
        Random seed (pass the chapter's ``rng``); the same seed gives the same draws.
    backend : {"pymc", "nutpie", "numpyro", "blackjax"}, optional
        NUTS implementation; defaults to
        :data:`analysis.inference.settings.SAMPLER_BACKEND`, or to the environment variable
        ``BOOK_SAMPLER`` when set.
    progressbar : bool, default False
        Show PyMC's progress bar (off in notebooks, where it would clutter the page).
    **overrides
        Replace entries of :data:`analysis.inference.settings.DEFAULT` (e.g. ``draws=2000``,
        or a model family's settings: ``**EVENT_STUDY``).

    Returns
    -------
    arviz.InferenceData
        Groups ``posterior``, ``sample_stats``, ``log_likelihood`` and ``observed_data``;
        ``idata.attrs`` records the backend, the sampler settings and the wall time in seconds.

    Examples
    --------
    >>> idata = fit(model, seed=rng)  # doctest: +SKIP
    """
    backend = backend or os.environ.get("BOOK_SAMPLER", SAMPLER_BACKEND)
    kwargs = {**DEFAULT, **overrides}
    if backend not in BACKENDS:
        raise ValueError(f"unknown sampler backend {backend!r}; choose one of {BACKENDS}")
    if backend in ("numpyro", "blackjax"):
        kwargs.pop("cores", None)
        # NumPyro spreads the chains over the host devices (XLA_FLAGS gives two); BlackJAX's
        # pmap needs one device per chain, so its chains are vectorised on one device instead.
        method = "parallel" if backend == "numpyro" else "vectorized"
        kwargs.setdefault("nuts_sampler_kwargs", {"chain_method": method})
    start = time.perf_counter()
    idata = pm.sample(
        model=model,
        nuts_sampler=backend,
        random_seed=seed,
        progressbar=progressbar,
        idata_kwargs={"log_likelihood": True},
        **kwargs,
    )
    for group in ("warmup_posterior", "warmup_sample_stats"):  # nutpie keeps the tuning draws;
        if group in idata.groups():  # PyMC's NUTS discards them, and no chapter reads them
            delattr(idata, group)
    if "log_likelihood" not in idata.groups():  # nutpie's path ignores idata_kwargs
        pm.compute_log_likelihood(idata, model=model, progressbar=False)
    idata.attrs["sampler_backend"] = backend
    idata.attrs["sampler_settings"] = repr({k: v for k, v in kwargs.items()})
    idata.attrs["sampling_wall_time_s"] = round(time.perf_counter() - start, 2)
    return idata
