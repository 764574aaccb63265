"""The audit trail: who signed in, out or was refused, and who looked at person-level data.

One JSON object per line, appended to the file `SECOND_CHANCE_AUDIT_LOG` names (never inside a
snapshot folder):

    {"time": "2026-11-30T09:14:03.512Z", "action": "stage_history",
     "user": {"subject": "u-4f1c", "email": "a.lead@programme.example"}, "level": "restricted",
     "snapshot": "2026-09-30", "filters": {"cohort": ["jusan-2"]}, "person_id": "p000123", "records": 1}

Actions: `sign_in`, `sign_out`, `refused` (with a `reason`: not authorised, session expired or
idle), and the person-level views `person_table` (the explorer's person table: `records` rows
shown, `listing` everyone or the people counted as stuck, `rows` the page: its order and
range, as `longest 51-100`), `stage_history` (one person's
history: `person_id`) and `person_download` (the person CSV: `records` rows). The snapshot and
filters of a table view give back exactly the rows that were shown.

A person-level view is written before its rows are handed out; if the line cannot be written the
rows are not shown (`AuditUnavailable`), while the aggregates keep working. On a server that signs
staff in the trail is required; a server fixed at the restricted level keeps one when the variable
is set (and then refuses person rows without it working).

`python -m data_access.audit LOG [--days 7 | --since DATE --until DATE]` summarises a log: who
viewed how many person records, by day.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from i18n import _

AUDIT_VARIABLE = "SECOND_CHANCE_AUDIT_LOG"
"""Path of the audit trail file (JSON lines); its folder must exist."""
PERSON_VIEWS = ("person_table", "stage_history", "person_download")
"""Actions that show person-level rows."""
SESSION_ACTIONS = ("sign_in", "sign_out", "refused")

_write_lock = threading.Lock()


class AuditUnavailable(Exception):
    """The audit trail cannot be written, so person-level rows may not be shown."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(
            _(
                "Person-level data is not available right now: every view of it must be recorded in the audit "
                "trail, and the trail cannot be written. Figures and charts keep working. Tell whoever runs this "
                "server (the reason is in its log)."
            )
        )


@dataclass(frozen=True)
class AuditLog:
    """The audit trail file, or why there is none (`problem`: a configuration that cannot be used)."""

    path: Path | None = None
    problem: str = ""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str], snapshot_roots: Iterable[Path] = ()) -> AuditLog:
        """The file `SECOND_CHANCE_AUDIT_LOG` names; a problem when it is not set or lies inside a
        snapshot folder (which the dashboard only reads, and which is handed around)."""
        text = environ.get(AUDIT_VARIABLE, "").strip()
        if not text:
            return cls(problem=f"{AUDIT_VARIABLE} is not set")
        path = Path(text).expanduser()
        if not path.is_absolute():
            return cls(problem=f"{AUDIT_VARIABLE}={text[:80]!r} is not an absolute path")
        resolved = path.resolve()
        for root in snapshot_roots:
            if resolved.is_relative_to(Path(root).expanduser().resolve()):
                return cls(problem=f"{AUDIT_VARIABLE}={text[:80]!r} is inside the snapshot folder {root}")
        return cls(path=path)

    @property
    def configured(self) -> bool:
        return self.path is not None

    def unavailable(self) -> str:
        """Why no line can be appended now ("" when one can): the file is opened for appending
        (created, readable by its owner only, if missing) and closed, writing nothing."""
        if self.path is None:
            return self.problem
        try:
            os.close(os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600))
        except OSError as error:
            return f"{self.path} cannot be written: {error.strerror or error}"
        return ""

    def append(self, record: Mapping) -> None:
        """Write `record` as one line, with the time first; `AuditUnavailable` if it cannot be."""
        if self.path is None:
            raise AuditUnavailable(self.problem)
        now = dt.datetime.now(dt.UTC)
        line = {"time": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"), **record}
        data = (json.dumps(line, ensure_ascii=False, separators=(", ", ": "), default=str) + "\n").encode()
        try:
            with _write_lock:
                descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(descriptor, data)  # one write of a whole line, appended
                    os.fsync(descriptor)
                finally:
                    os.close(descriptor)
        except OSError as error:
            raise AuditUnavailable(f"{self.path} cannot be written: {error.strerror or error}") from error


@dataclass
class Auditor:
    """The audit trail of one session: its user, and the person views it has recorded already (a
    rerun of the same table, when another widget changes, is not a new view)."""

    log: AuditLog
    user: Mapping[str, str] = field(default_factory=dict)
    recorded: set = field(default_factory=set)

    def unavailable(self) -> str:
        return self.log.unavailable()

    def event(self, action: str, **fields) -> None:
        """A sign-in, sign-out or refusal; raises `AuditUnavailable` like any line."""
        self.log.append({"action": action, "user": dict(self.user), **fields})

    def person_view(
        self,
        action: str,
        snapshot: str,
        filters: Mapping[str, list[str]],
        *,
        records: int,
        person_id: str | None = None,
        listing: str | None = None,
        rows: str | None = None,
        once: bool = True,
    ) -> None:
        """Record a person-level view before its rows are shown; `once`: not again in this session.
        `rows`: which rows of a listing were shown (its order and range, as `longest 51-100`)."""
        key = (action, snapshot, json.dumps(filters, sort_keys=True), person_id, listing, rows)
        if once and key in self.recorded:
            return
        record = {"action": action, "user": dict(self.user), "level": "restricted", "snapshot": snapshot}
        record["filters"] = dict(filters)
        if listing is not None:
            record["listing"] = listing
        if rows is not None:
            record["rows"] = rows
        if person_id is not None:
            record["person_id"] = person_id
        record["records"] = int(records)
        self.log.append(record)
        if once:
            self.recorded.add(key)


# -- the summary -------------------------------------------------------------------------------


@dataclass
class Summary:
    """What a log says about person-level views per day and user, and the session lines."""

    views: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    people: dict = field(default_factory=lambda: defaultdict(set))
    sessions: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    unreadable: list[int] = field(default_factory=list)
    lines: int = 0


def _user(record: Mapping) -> str:
    user = record.get("user") if isinstance(record.get("user"), Mapping) else {}
    email, subject = str(user.get("email") or ""), str(user.get("subject") or "")
    if email and subject:
        return f"{email} ({subject})"
    return email or subject or "(not signed in)"


def summarise(lines: Iterable[str], since: dt.date | None = None, until: dt.date | None = None) -> Summary:
    """Person-level views per (day, user): views, person records and distinct people whose
    history was opened, and sign-ins, sign-outs and refusals per user. Lines that are not
    audit records are counted by number, never guessed at."""
    summary = Summary()
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        summary.lines += 1
        try:
            record = json.loads(text)
            day = dt.datetime.fromisoformat(str(record["time"]).replace("Z", "+00:00")).astimezone(dt.UTC).date()
            action = str(record["action"])
        except (ValueError, KeyError, TypeError, AttributeError):
            summary.unreadable.append(number)
            continue
        if (since and day < since) or (until and day > until):
            continue
        user = _user(record)
        if action in PERSON_VIEWS:
            counts = summary.views[(day, user)]
            counts["views"] += 1
            counts[action] += 1
            records = record.get("records", 1)
            counts["records"] += records if isinstance(records, int) and records >= 0 else 0
            if action == "stage_history" and record.get("person_id"):
                summary.people[(day, user)].add(str(record["person_id"]))
        elif action in SESSION_ACTIONS:
            summary.sessions[user][action] += 1
    return summary


def report(summary: Summary, source: str, since: dt.date | None, until: dt.date | None) -> str:
    span = f"{since or 'the first line'} to {until or 'the last line'}" if since or until else "every day in the log"
    out = [f"Person-level views in {source}, {span} (days in UTC):", ""]
    if summary.views:
        header = ("day", "user", "views", "person records", "histories (people)", "tables", "downloads")
        rows = [
            (
                day.isoformat(),
                user,
                f"{c['views']:,}",
                f"{c['records']:,}",
                f"{len(summary.people.get((day, user), ())):,}",
                f"{c['person_table']:,}",
                f"{c['person_download']:,}",
            )
            for (day, user), c in sorted(summary.views.items())
        ]
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            cells = zip(row, widths, strict=True)
            out.append("  ".join(v.ljust(w) if i < 2 else v.rjust(w) for i, (v, w) in enumerate(cells)).rstrip())
        totals: dict[str, int] = defaultdict(int)
        for (_day, user), c in summary.views.items():
            totals[user] += c["records"]
        out += ["", "Person records viewed, per user:"]
        out += [f"  {user}: {n:,}" for user, n in sorted(totals.items(), key=lambda item: (-item[1], item[0]))]
    else:
        out.append("No person-level views.")
    if summary.sessions:
        out += ["", "Sign-ins, sign-outs and refusals, per user:"]
        for user, counts in sorted(summary.sessions.items()):
            out.append(
                f"  {user}: {counts['sign_in']:,} signed in, {counts['sign_out']:,} signed out, "
                f"{counts['refused']:,} refused"
            )
    if summary.unreadable:
        shown = ", ".join(map(str, summary.unreadable[:10])) + (" …" if len(summary.unreadable) > 10 else "")
        out += ["", f"{len(summary.unreadable):,} line(s) are not audit records and were skipped: line {shown}"]
    return "\n".join(out)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-23") from error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m data_access.audit",
        description="Summarise an audit trail: who viewed how many person records, by day (UTC).",
    )
    parser.add_argument("log", type=Path, help="the audit trail file (SECOND_CHANCE_AUDIT_LOG)")
    parser.add_argument("--days", type=int, help="only the last N days, today included (7: the last week)")
    parser.add_argument("--since", type=_date, help="only from this day (YYYY-MM-DD)")
    parser.add_argument("--until", type=_date, help="only up to this day, included (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    since, until = args.since, args.until
    if args.days is not None:
        if args.days < 1:
            parser.error("--days must be 1 or more")
        until = until or dt.datetime.now(dt.UTC).date()
        since = until - dt.timedelta(days=args.days - 1)
    try:
        with args.log.open(encoding="utf-8", errors="replace") as handle:
            summary = summarise(handle, since, until)
    except OSError as error:
        print(f"Cannot read {args.log}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(report(summary, str(args.log), since, until))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
