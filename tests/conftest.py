from __future__ import annotations

from pathlib import Path

import pytest

from data_access import Filters, find_snapshots, load_snapshot
from tests import tiny

SAMPLE_ROOT = Path(__file__).resolve().parent.parent / "sample_data" / "snapshots"


@pytest.fixture(scope="session")
def tiny_snapshot(tmp_path_factory):
    return load_snapshot(tiny.write(tmp_path_factory.mktemp("tiny") / "2022-06-30"))


@pytest.fixture(scope="session")
def sample_infos():
    return find_snapshots(SAMPLE_ROOT)


@pytest.fixture(scope="session")
def sample_snapshots(sample_infos):
    """The committed sample snapshots, newest first."""
    return [load_snapshot(info) for info in sample_infos]


@pytest.fixture(scope="session")
def latest(sample_snapshots):
    return sample_snapshots[0]


@pytest.fixture
def everyone():
    return Filters()
