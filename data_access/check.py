"""Check snapshots the way the dashboard will, before publishing them:

    python -m data_access.check                          # every snapshot under SECOND_CHANCE_SNAPSHOTS
    python -m data_access.check /srv/snapshots           # every snapshot under a folder
    python -m data_access.check /srv/snapshots/.2026-12-31.partial   # one folder, e.g. still hidden

Each snapshot is loaded in full (checksums included) and reported as usable, with its warnings,
or unavailable, with its reasons. The exit status is 1 when any snapshot is unavailable.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from data_access.catalogue import find_snapshots, scan_folder, snapshot_root
from data_access.contract import MANIFEST_FILE
from data_access.problems import SnapshotError
from data_access.snapshot import load_snapshot


def check(folder: Path) -> tuple[bool, list[str]]:
    """Whether the snapshot in `folder` is usable, and the lines that say so."""
    info = scan_folder(folder)
    started = time.perf_counter()
    try:
        snapshot = load_snapshot(info)
    except SnapshotError as error:
        return False, [f"{info.id}: UNAVAILABLE"] + [f"  - {p}" for p in error.problems if p.severity == "error"]
    took = time.perf_counter() - started
    lines = [f"{info.id}: usable, {len(snapshot.people):,} people, loaded in {took:.2f} s"]
    lines += [f"  warning: {p}" for p in snapshot.warnings]
    return True, lines


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else snapshot_root()
    if (target / MANIFEST_FILE).exists() or any(target.glob("*.parquet")) or not target.is_dir():
        folders = [target]
    else:
        folders = [info.path for info in find_snapshots(target)]
    if not folders:
        print(f"No snapshot folders under {target}")
        return 1
    all_usable = True
    for folder in folders:
        usable, lines = check(folder)
        all_usable &= usable
        print("\n".join(lines))
    return 0 if all_usable else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
