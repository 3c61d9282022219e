"""Shared test setup: the project root on sys.path, offline data, the bundled dataset once."""
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DLVL_OFFLINE"] = "1"  # tests always use the bundled sample: deterministic, no network
os.environ["DLVL_RESULTS"] = "off"  # every test computes its results (no folder shared between runs)
os.environ["DLVL_WARM"] = "0"  # and no server warms its default views in the background

# Property-based tests are deterministic: the same examples on every run and machine (derandomize),
# no example database carried between runs, no deadline (a shared CI machine is noisy).
settings.register_profile("ci", derandomize=True, database=None, deadline=None, max_examples=50,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("ci")


@pytest.fixture(scope="session")
def mnist():
    from core.data import load_dataset

    return load_dataset("mnist", "cpu", offline=True)
