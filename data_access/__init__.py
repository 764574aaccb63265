"""Everything about data, below the pages: the contract, finding and loading snapshots, the
Filters value, the queries, and the synthetic sample generator. No Streamlit in here."""

from data_access.catalogue import ROOT_VARIABLE, SnapshotInfo, find_snapshots, snapshot_root
from data_access.filters import DIMENSIONS, Filters, describe
from data_access.problems import Problem, SnapshotError
from data_access.snapshot import Snapshot, load_snapshot

__all__ = [
    "DIMENSIONS",
    "ROOT_VARIABLE",
    "Filters",
    "Problem",
    "Snapshot",
    "SnapshotError",
    "SnapshotInfo",
    "describe",
    "find_snapshots",
    "load_snapshot",
    "snapshot_root",
]
