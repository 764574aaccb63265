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


def check(folder: Path, root: Path | None = None) -> tuple[bool, list[str]]:
    """Whether the snapshot in `folder` is usable, and the lines that say so (a folder of `root`
    that is a link to elsewhere is not)."""
    info = scan_folder(folder, root)
    started = time.perf_counter()
    try:
        snapshot = load_snapshot(info)
    except SnapshotError as error:
        return False, [f"{info.id}: UNAVAILABLE"] + [f"  - {p}" for p in error.problems if p.severity == "error"]
    except Exception as error:  # a loader bug on odd data: say so, and check the other snapshots
        return False, [
            f"{info.id}: UNAVAILABLE",
            f"  - unexpected error, please report it: {type(error).__name__}: {error}",
        ]
    took = time.perf_counter() - started
    size = (
        f"{len(snapshot.people):,} people"
        if snapshot.kind == "records"
        else f"{len(snapshot.aggregates['cells']):,} cells"
    )
    lines = [f"{info.id}: usable, {size}, loaded in {took:.2f} s"]
    lines += [f"  warning: {p}" for p in snapshot.warnings]
    lines += [f"  notice: {p}" for p in snapshot.notices]
    return True, lines


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else snapshot_root()
    if (target / MANIFEST_FILE).exists() or any(target.glob("*.parquet")) or not target.is_dir():
        folders, root = [target], None
    else:
        folders, root = [info.path for info in find_snapshots(target)], target
    if not folders:
        print(f"No snapshot folders under {target}")
        return 1
    all_usable = True
    for folder in folders:
        usable, lines = check(folder, root)
        all_usable &= usable
        print("\n".join(lines))
    return 0 if all_usable else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
