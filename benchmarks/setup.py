"""What every benchmark run needs before it measures: the synthetic snapshot for a size (made
on demand, cached while the generator is unchanged) and the facts of the machine and the code
the figures belong to. Shared by `python -m benchmarks` and `python -m benchmarks.browser`."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-09-30"
GENERATOR = ROOT / "data_access" / "generate.py"


def generator_version() -> str:
    return hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:16]


def ensure_snapshot(data: Path, people: int) -> dict:
    """The snapshot for `people`, generated now unless a current one is cached."""
    folder = data / str(people)
    stamp = folder / "generator.json"
    if stamp.is_file() and json.loads(stamp.read_text()).get("generator") == generator_version():
        return {**json.loads(stamp.read_text()), "cached": True}
    if folder.exists():
        shutil.rmtree(folder)
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    command = [sys.executable, "-m", "data_access.generate", "--out", str(folder), "--people", str(people)]
    subprocess.run([*command, "--as-of", AS_OF], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    info = {
        "generator": generator_version(),
        "seconds": round(time.perf_counter() - start, 1),
        # The largest child so far: exact for the first generation of a run, an upper bound after.
        "peak_rss_mib": round(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024, 1),
        "rows": table_rows(folder / AS_OF),
    }
    stamp.write_text(json.dumps(info, indent=1))
    return {**info, "cached": False}


def table_rows(folder: Path) -> dict[str, int]:
    import pyarrow.parquet as pq

    return {p.stem: pq.ParquetFile(p).metadata.num_rows for p in sorted(folder.glob("*.parquet"))}


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def code_version() -> dict:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()

    return {"head": git("rev-parse", "--short", "HEAD"), "dirty": bool(git("status", "--porcelain", "--", "."))}
