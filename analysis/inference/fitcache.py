"""Share one expensive, checked fit between chapters: a build-local cache keyed by a hash.

The key hashes the checksums of the data files used, the source of the modules that build and
check the model (always including this module, :mod:`analysis.inference.shared_fits`, the sampler,
the diagnostics, the workflow and the configuration), the sampler settings, the seed and any
model settings. A chapter that needs a
fit another chapter already ran loads it instead of sampling the same model again; any change
to the data, the code or the settings gives a new key and a fresh fit. Every call of
:func:`cached` is logged in :data:`FIT_LOG` (sampled or loaded, and the key); the chapter's
findings file records that log, so a reproduction can show that it sampled.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import os
import pickle
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType

from analysis import config
from analysis.config import SEED
from analysis.data import load_datapackage
from analysis.inference.settings import DEFAULT, SAMPLER_BACKEND
from analysis.io import write_atomic

FIT_DIR = config.FIT_DIR
"""Folder of cached fits (``_build/fits``; ``BOOK_FIT_DIR`` redirects it; ``nox -s clean``
deletes it)."""

KEY_MODULES = ("analysis.inference.fitcache", "analysis.inference.shared_fits",
               "analysis.inference.sampling", "analysis.inference.diagnostics",
               "analysis.inference.workflow", "analysis.inference.settings",
               "analysis.config")
"""Modules whose source enters every key: the pipeline that samples, checks and stores a fit."""

FIT_LOG: list[dict[str, str]] = []
"""Fits this process used, in order: ``{"name", "key", "source": "sampled" | "loaded"}``."""


def fit_key(name: str, *, resources: Sequence[str], modules: Sequence[ModuleType],
            settings: Mapping[str, object] | None = None) -> str:
    """Return a 16-character hash identifying a fit.

    Parameters
    ----------
    name : str
        Name of the fit.
    resources : sequence of str
        Data resources (``data/datapackage.json`` names) the fit reads; their sha256 enter.
    modules : sequence of module
        Modules whose source code enters (model builder, data preparation), besides
        :data:`KEY_MODULES`, which always do.
    settings : mapping, optional
        Model settings (priors, thresholds); JSON-serialisable via ``repr``.
    """
    checksums = {r["name"]: r["sha256"] for r in load_datapackage()["resources"]}
    missing = [r for r in resources if r not in checksums]
    if missing:
        raise KeyError(f"fit {name!r}: unknown data resources {missing}")
    payload = {
        "name": name,
        "data": {r: checksums[r] for r in resources},
        "code": {m.__name__: hashlib.sha256(inspect.getsource(m).encode()).hexdigest()
                 for m in [*map(importlib.import_module, KEY_MODULES), *modules]},
        "sampler": repr(dict(DEFAULT)),
        "backend": os.environ.get("BOOK_SAMPLER", SAMPLER_BACKEND),
        "seed": SEED,
        "settings": repr(dict(settings or {})),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def cached(name: str, key: str, run: Callable[[], object], *,
           fit_dir: Path | None = None) -> object:
    """Return the cached result of ``run`` for ``(name, key)``, running and storing it if absent.

    The result (e.g. an :class:`analysis.inference.workflow.WorkflowResult`) is pickled to
    ``<fit_dir>/<name>-<key>.pkl`` atomically; the file is only ever read back by this book's
    own build. Storing a new fit deletes older fits of the same ``name`` (other keys), so the
    cache holds one fit per name instead of growing with every code change. ``fit_dir``
    defaults to :data:`FIT_DIR`.
    """
    path = Path(fit_dir if fit_dir is not None else FIT_DIR) / f"{name}-{key}.pkl"
    if path.is_file():
        with path.open("rb") as handle:
            result = pickle.load(handle)  # noqa: S301 - written by this function only
        FIT_LOG.append({"name": name, "key": key, "source": "loaded", "folder": str(path.parent)})
        return result
    result = run()
    FIT_LOG.append({"name": name, "key": key, "source": "sampled", "folder": str(path.parent)})
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, pickle.dumps(result))
    for stale in path.parent.glob(f"{name}-*.pkl"):
        if stale != path and stale.stem.removeprefix(f"{name}-").isalnum():
            stale.unlink(missing_ok=True)
    return result
