"""Shared test setup: the project root on sys.path, offline data, the bundled dataset once."""
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DLVL_OFFLINE"] = "1"  # tests always use the bundled sample: deterministic, no network


@pytest.fixture(scope="session")
def mnist():
    from core.data import load_dataset

    return load_dataset("mnist", "cpu", offline=True)
