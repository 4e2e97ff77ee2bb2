"""Shared fixtures: one seed, a copy of the data folder, and one real fit per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from analysis.config import DATA_DIR

TEST_SEED = 20240601


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(TEST_SEED)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ (CSV files and datapackage.json) for planting faults."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target
