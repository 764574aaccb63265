"""Finding snapshots: one folder per as-of date under a root folder, newest first.

Only the manifest is read here, so listing stays cheap however large the tables are. Each access
level has its own root: `SECOND_CHANCE_RESTRICTED_SNAPSHOTS` / `SECOND_CHANCE_PUBLIC_SNAPSHOTS`
when set, else `SECOND_CHANCE_SNAPSHOTS` (one folder, for a server that runs at one fixed level),
else the committed sample (`sample_data/snapshots`, and `sample_data/public` for the public level).
A server that signs staff in serves both levels, so it needs the two apart (`data_access.access`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from data_access.contract import ACCESS_LEVELS, KINDS, MANIFEST_FIELDS, MANIFEST_FILE, SCHEMA_VERSION
from data_access.integrity import OutsideFolder, file_problems, footer_problems, open_file, present
from data_access.problems import Problem, problem
from i18n import N_
from i18n import format as fmt

log = logging.getLogger("second_chance.catalogue")

ROOT_VARIABLE = "SECOND_CHANCE_SNAPSHOTS"
DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "sample_data" / "snapshots"
PUBLIC_ROOT = DEFAULT_ROOT.parent / "public"


LEVEL_ROOT_VARIABLES = {
    "restricted": "SECOND_CHANCE_RESTRICTED_SNAPSHOTS",
    "public": "SECOND_CHANCE_PUBLIC_SNAPSHOTS",
}
"""The folder of each level's snapshots, for a server that serves both (sign-in)."""


def snapshot_root(access_level: str = "restricted", environ: Mapping[str, str] | None = None) -> Path:
    """The folder of snapshot folders that a session at `access_level` opens: the level's own
    variable, else `SECOND_CHANCE_SNAPSHOTS`, else the committed sample."""
    environ = os.environ if environ is None else environ
    level = "public" if access_level == "public" else "restricted"
    for variable in (LEVEL_ROOT_VARIABLES[level], ROOT_VARIABLE):
        value = environ.get(variable, "").strip()
        if value:
            return Path(value).expanduser()
    return PUBLIC_ROOT if level == "public" else DEFAULT_ROOT


@dataclass(frozen=True)
class SnapshotInfo:
    """What the catalogue knows of a snapshot folder before loading its tables."""

    id: str
    path: Path
    as_of: dt.date | None
    country: str = ""
    access_level: str = ""
    kind: str = "records"
    manifest: dict = field(default_factory=dict, compare=False, repr=False)
    problems: tuple[Problem, ...] = ()

    @property
    def usable(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    @property
    def label(self) -> str:
        return fmt.date(self.as_of) if self.as_of else self.id


def read_manifest(folder: Path) -> SnapshotInfo:
    """Read and check a snapshot folder's manifest; never raises for bad content."""
    folder = Path(folder)
    manifest, refusal = _manifest_object(folder)
    if manifest is None:
        message, params = refusal
        return SnapshotInfo(folder.name, folder, None, problems=(problem("error", MANIFEST_FILE, message, **params),))
    messages: list[tuple] = [
        ("required field '{field}' is missing ({meaning})", {"field": f.name, "meaning": f.meaning})
        for f in MANIFEST_FIELDS
        if f.required and f.name not in manifest
    ]
    messages += _version_problems(manifest)
    as_of, as_of_problem = _as_of(manifest)
    messages += as_of_problem
    level, kind = manifest.get("access_level"), manifest.get("kind", "records")
    if "access_level" in manifest and level not in ACCESS_LEVELS:
        messages.append(
            (
                "access_level must be one of {values}, found {found}",
                {"values": ", ".join(ACCESS_LEVELS), "found": repr(str(level)[:40])},
            )
        )
    if kind not in KINDS:
        messages.append(
            ("kind must be one of {values}, found {found}", {"values": ", ".join(KINDS), "found": repr(str(kind)[:40])})
        )
    elif kind == "aggregates" and level != "public":
        messages.append(("a snapshot of aggregates must have access_level 'public'", {}))
    return SnapshotInfo(
        id=folder.name,
        path=folder,
        as_of=as_of,
        country=str(manifest.get("country", ""))[:8],
        access_level=level if level in ACCESS_LEVELS else "",
        kind=kind if kind in KINDS else "records",
        manifest=manifest,
        problems=tuple(problem("error", MANIFEST_FILE, message, **params) for message, params in messages),
    )


MANIFEST_BYTES = 16 * 1024 * 1024
"""A manifest larger than this is not read (the sample's are 2 kB; long notes fit many times over)."""


def _manifest_object(folder: Path) -> tuple[dict | None, tuple]:
    """The manifest as a JSON object, or None and why not (a message template and its values).
    A byte-order mark before the JSON, as some Windows editors write, is accepted."""
    missing = N_(
        "missing: the folder is still being copied, or is not a snapshot (a snapshot's manifest.json is written last)"
    )
    if not present(folder, MANIFEST_FILE):
        return None, (missing, {})
    try:
        with open_file(folder, MANIFEST_FILE) as fh:
            raw = fh.read(MANIFEST_BYTES + 1)
    except OutsideFolder as refused:
        return None, (refused.problem.message, {})
    except OSError:
        return None, (missing, {})
    if len(raw) > MANIFEST_BYTES:
        return None, (
            N_("is larger than {limit} bytes; a manifest holds fields and notes, not data: re-export the snapshot"),
            {"limit": f"{MANIFEST_BYTES:,}"},
        )
    try:
        manifest = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        return None, ("is not valid JSON ({reason}); re-export the snapshot", {"reason": str(exc)[:160]})
    if not isinstance(manifest, dict):
        return None, ("must be a JSON object with the fields of the data contract", {})
    return manifest, ("", {})


def _version_problems(manifest: dict) -> list[tuple]:
    if "schema_version" not in manifest:
        return []
    version = manifest["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return [("schema_version must be a whole number, found {found}", {"found": repr(version)})]
    if version > SCHEMA_VERSION:
        return [
            (
                "schema_version {version} is newer than this dashboard understands ({supported}); "
                "upgrade the dashboard to load it",
                {"version": version, "supported": SCHEMA_VERSION},
            )
        ]
    return []


def _as_of(manifest: dict) -> tuple[dt.date | None, list[tuple]]:
    if "as_of" not in manifest:
        return None, []
    try:
        return dt.date.fromisoformat(str(manifest["as_of"])), []
    except ValueError:
        found = repr(str(manifest["as_of"])[:40])
        return None, [("as_of must be a date like 2026-09-30, found {found}", {"found": found})]


def admit(infos: list[SnapshotInfo], access_level: str) -> list[SnapshotInfo]:
    """`infos` as a server at `access_level` may open them (order kept): the public level opens
    only public snapshots of aggregates, the restricted level only snapshots of person records.
    Any other becomes unavailable, with the reason."""
    public = access_level == "public"
    refused = problem(
        "error",
        MANIFEST_FILE,
        N_(
            "not a public snapshot of aggregates: this server runs at the public access level, which opens only "
            "snapshots made by python -m data_access.publish"
        )
        if public
        else N_(
            "a public snapshot of aggregates: this server runs at the restricted level, which opens snapshots "
            "of person records; open it with SECOND_CHANCE_ACCESS=public"
        ),
    )

    def allowed(info: SnapshotInfo) -> bool:
        return info.kind == "aggregates" if public else info.kind == "records"

    return [i if allowed(i) or not i.usable else replace(i, problems=(*i.problems, refused)) for i in infos]


def scan_folder(folder: Path, root: Path | None = None) -> SnapshotInfo:
    """The manifest, then the checks that read no rows: the files the manifest lists are there
    with their sizes (a folder still being copied fails here), then every table's Parquet footer
    (missing or unreadable tables, missing columns, wrong types, empty tables, more rows or bytes
    than this server's limits). With `root`, a folder that is really elsewhere (a link out of
    `root`) is refused before anything in it is read."""
    folder = Path(folder)
    if root is not None and folder.resolve().parent != Path(root).resolve():
        outside = problem(
            "error",
            folder.name[:80],
            "is a link to a folder outside the snapshots folder; only folders inside it are opened",
        )
        return SnapshotInfo(folder.name, folder, None, problems=(outside,))
    info = read_manifest(folder)
    if not info.usable:
        return info
    problems = file_problems(info.path, info.manifest, checksums=False) or footer_problems(info.path, info.kind)
    return replace(info, problems=info.problems + tuple(problems))


def find_snapshots(root: Path | None = None) -> list[SnapshotInfo]:
    """Every snapshot folder under `root`, newest as-of date first; broken ones last.

    Folders whose names start with '.' (being written, or set aside) are skipped.
    """
    root = Path(root) if root is not None else snapshot_root()
    if not root.is_dir():
        return []
    infos = [scan_folder(p, root) for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith(".")]
    _log_changes(root, infos)
    return sorted(infos, key=lambda i: (not i.usable, -(i.as_of.toordinal() if i.as_of else 0), i.id))


_last_seen: dict[Path, dict[str, tuple[Problem, ...]]] = {}
_last_seen_lock = threading.Lock()


def _log_changes(root: Path, infos: list[SnapshotInfo]) -> None:
    """Log a folder when it first appears or its problems change (re-scans are frequent)."""
    now = {info.id: tuple(p for p in info.problems if p.severity == "error") for info in infos}
    with _last_seen_lock:
        before = _last_seen.get(root, {})
        _last_seen[root] = now
    for snapshot_id, errors in now.items():
        if snapshot_id in before and before[snapshot_id] == errors:
            continue
        if errors:
            log.warning("snapshot %s under %s is unavailable: %s", snapshot_id, root, "; ".join(map(str, errors)))
        else:
            log.info("snapshot %s under %s is available", snapshot_id, root)
    for snapshot_id in before.keys() - now.keys():
        log.info("snapshot %s under %s is gone", snapshot_id, root)
