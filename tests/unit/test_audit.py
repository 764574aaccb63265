"""The audit trail: where it may live, what a line holds, that person rows are refused when it
cannot be written (aggregates not), and the summary an administrator reads."""

from __future__ import annotations

import datetime as dt
import json
import stat

import pandas as pd
import pytest

from data_access import Filters
from data_access import queries as q
from data_access.audit import AuditLog, Auditor, AuditUnavailable, main, summarise
from data_access.release import Access, Release
from tests.conftest import SAMPLE_ROOT

AIGERIM = {"subject": "u-aigerim-001", "email": "aigerim.lead@programme.example"}


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_trail_is_configured_outside_every_snapshot_folder(tmp_path):
    assert AuditLog.from_environment({}).problem == "SECOND_CHANCE_AUDIT_LOG is not set"
    relative = AuditLog.from_environment({"SECOND_CHANCE_AUDIT_LOG": "audit.jsonl"})
    assert "is not an absolute path" in relative.problem
    inside = AuditLog.from_environment({"SECOND_CHANCE_AUDIT_LOG": str(SAMPLE_ROOT / "audit.jsonl")}, [SAMPLE_ROOT])
    assert "is inside the snapshot folder" in inside.problem
    fine = AuditLog.from_environment({"SECOND_CHANCE_AUDIT_LOG": str(tmp_path / "a.jsonl")}, [SAMPLE_ROOT])
    assert (fine.path, fine.problem, fine.unavailable()) == (tmp_path / "a.jsonl", "", "")


def test_a_person_view_is_one_json_line_with_who_what_and_which(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    auditor = Auditor(log, AIGERIM)
    auditor.person_view("stage_history", "2026-09-30", {"cohort": ["jusan-2"]}, records=1, person_id="p000123")
    (line,) = lines(log.path)
    assert line.pop("time").endswith("Z")
    assert line == {
        "action": "stage_history",
        "user": AIGERIM,
        "level": "restricted",
        "snapshot": "2026-09-30",
        "filters": {"cohort": ["jusan-2"]},
        "person_id": "p000123",
        "records": 1,
    }
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600  # the trail names people's ids: owner only


def test_the_same_table_again_in_a_session_is_not_a_new_view_but_a_download_is(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    auditor = Auditor(log, AIGERIM)
    for _ in range(3):
        auditor.person_view("person_table", "2026-09-30", {}, records=626, listing="all")
    auditor.person_view("person_table", "2026-09-30", {"sex": ["f"]}, records=158, listing="all")
    auditor.person_view("person_download", "2026-09-30", {}, records=626, listing="all", once=False)
    auditor.person_view("person_download", "2026-09-30", {}, records=626, listing="all", once=False)
    assert [(line["action"], line["records"]) for line in lines(log.path)] == [
        ("person_table", 626),
        ("person_table", 158),
        ("person_download", 626),
        ("person_download", 626),
    ]
    another_session = Auditor(log, AIGERIM)
    another_session.person_view("person_table", "2026-09-30", {}, records=626, listing="all")
    assert len(lines(log.path)) == 5


def test_the_release_records_person_rows_before_handing_them_out(tmp_path, latest):
    log = AuditLog(tmp_path / "audit.jsonl")
    release = Release(latest, Access("restricted"), auditor=Auditor(log, AIGERIM))
    rusafa = Filters(cohort=("rusafa",))
    rows = release.person_table(rusafa, limit=10)
    history = release.stage_history(rows["person_id"].iloc[0], rusafa)
    everyone = release.person_table(rusafa, download=True)
    assert len(rows) == 10 and len(everyone) == 14 and len(history) > 0
    assert [(x["action"], x["records"], x.get("person_id"), x["filters"]) for x in lines(log.path)] == [
        ("person_table", 10, None, {"cohort": ["rusafa"]}),
        ("stage_history", 1, rows["person_id"].iloc[0], {"cohort": ["rusafa"]}),
        ("person_download", 14, None, {"cohort": ["rusafa"]}),
    ]
    assert release.person_refusal() is None


def test_each_page_of_the_person_table_is_a_line_of_its_own_once_per_session(tmp_path, latest):
    log = AuditLog(tmp_path / "audit.jsonl")
    release = Release(latest, Access("restricted"), auditor=Auditor(log, AIGERIM))
    first = release.person_table(Filters(), limit=50)
    second = release.person_table(Filters(), limit=50, offset=50)
    release.person_table(Filters(), limit=50)  # back to the first page: already recorded
    by_id = release.person_table(Filters(), limit=50, order="id")
    assert [(x["rows"], x["records"], x["listing"]) for x in lines(log.path)] == [
        ("longest 1-50", 50, "all"),
        ("longest 51-100", 50, "all"),
        ("id 1-50", 50, "all"),
    ]
    everyone = q.person_table(latest, Filters())  # the line gives back exactly the rows shown
    assert pd.concat([first, second])["person_id"].tolist() == everyone["person_id"].tolist()[:100]
    assert by_id["person_id"].tolist() == sorted(everyone["person_id"])[:50]


def test_without_a_writable_trail_person_rows_are_refused_and_aggregates_are_not(tmp_path, latest):
    folder = tmp_path / "audit.jsonl"
    folder.mkdir()  # a folder where the file should be: unwritable even for root
    release = Release(latest, Access("restricted"), auditor=Auditor(AuditLog(folder), AIGERIM))
    assert "the trail cannot be written" in release.person_refusal()
    with pytest.raises(AuditUnavailable, match="Figures and charts keep working"):
        release.person_table(Filters())
    with pytest.raises(AuditUnavailable):
        release.stage_history("p000001")
    assert release.headline(Filters())["value"].iloc[0] == 626
    unset = Release(
        latest, Access("restricted"), auditor=Auditor(AuditLog(problem="SECOND_CHANCE_AUDIT_LOG is not set"))
    )
    with pytest.raises(AuditUnavailable):
        unset.person_table(Filters())


def test_a_fixed_restricted_server_without_a_trail_works_as_before(latest):
    release = Release(latest, Access("restricted"))
    assert release.person_refusal() is None
    assert len(release.person_table(Filters())) == 626


LOG = [
    {"time": "2026-11-23T08:00:00Z", "action": "sign_in", "user": AIGERIM},
    {"time": "2026-11-23T08:01:00Z", "action": "person_table", "user": AIGERIM, "records": 626},
    {"time": "2026-11-23T08:02:00Z", "action": "stage_history", "user": AIGERIM, "person_id": "p1", "records": 1},
    {"time": "2026-11-23T08:03:00Z", "action": "stage_history", "user": AIGERIM, "person_id": "p1", "records": 1},
    {"time": "2026-11-23T23:59:59+06:00", "action": "stage_history", "user": AIGERIM, "person_id": "p2", "records": 1},
    {"time": "2026-11-24T09:00:00Z", "action": "person_download", "user": AIGERIM, "records": 14},
    {"time": "2026-11-24T09:30:00Z", "action": "refused", "user": {"subject": "u-olga", "email": "olga@x.example"}},
    {
        "time": "2026-11-30T10:00:00Z",
        "action": "person_table",
        "user": {"subject": "u-d", "email": "d@p.example"},
        "records": 5,
    },
    {"time": "2026-11-16T10:00:00Z", "action": "person_table", "user": AIGERIM, "records": 99},
]


def test_the_summary_counts_person_records_per_user_and_day():
    text = [json.dumps(x) for x in LOG] + ["not json", '{"action": "person_table"}', ""]
    summary = summarise(text)
    who = "aigerim.lead@programme.example (u-aigerim-001)"
    day = {k[0].isoformat(): v for k, v in summary.views.items() if k[1] == who}
    assert day["2026-11-23"]["records"] == 629 and day["2026-11-23"]["views"] == 4
    assert summary.people[(dt.date(2026, 11, 23), who)] == {"p1", "p2"}
    assert day["2026-11-24"]["person_download"] == 1
    assert summary.unreadable == [10, 11]
    assert summary.sessions["olga@x.example (u-olga)"]["refused"] == 1


def test_who_looked_at_person_records_last_week(tmp_path, capsys):
    path = tmp_path / "audit.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in LOG) + "\n")
    assert main([str(path), "--since", "2026-11-23", "--until", "2026-11-29"]) == 0
    out = capsys.readouterr().out
    assert "2026-11-23 to 2026-11-29" in out
    rows = [line.split() for line in out.splitlines() if line.startswith("2026-")]
    assert rows == [
        ["2026-11-23", "aigerim.lead@programme.example", "(u-aigerim-001)", "4", "629", "2", "1", "0"],
        ["2026-11-24", "aigerim.lead@programme.example", "(u-aigerim-001)", "1", "14", "0", "0", "1"],
    ]
    assert "aigerim.lead@programme.example (u-aigerim-001): 643" in out
    assert "olga@x.example (u-olga): 0 signed in, 0 signed out, 1 refused" in out


def test_the_summary_of_a_missing_log_is_a_message(tmp_path, capsys):
    assert main([str(tmp_path / "none.jsonl")]) == 2
    assert "Cannot read" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(tmp_path / "none.jsonl"), "--since", "last week"])


def test_a_remembered_page_of_people_is_still_a_line_for_every_session(tmp_path, latest, monkeypatch):
    """A page of people is remembered like the other tables (a million people are not sorted
    again for a selection seen before), but every session that is shown it writes its own line,
    and a session whose trail fails gets nothing from the memory either."""
    made = []
    person_table = q.person_table
    monkeypatch.setattr(q, "person_table", lambda *a, **k: made.append(k) or person_table(*a, **k))
    log = AuditLog(tmp_path / "audit.jsonl")
    chosen = Filters(cohort=("jusan-2",))
    pages = [
        Release(latest, Access("restricted"), auditor=Auditor(log, person)).person_table(chosen, limit=50, offset=50)
        for person in (AIGERIM, {"subject": "u-other-002", "email": "other@programme.example"})
    ]
    assert len(made) == 1 and pages[0].equals(pages[1])
    assert [(x["user"]["subject"], x["rows"]) for x in lines(log.path)] == [
        ("u-aigerim-001", "longest 51-100"),
        ("u-other-002", "longest 51-100"),
    ]
    broken = tmp_path / "broken.jsonl"
    broken.mkdir()
    with pytest.raises(AuditUnavailable):
        Release(latest, Access("restricted"), auditor=Auditor(AuditLog(broken), AIGERIM)).person_table(
            chosen, limit=50, offset=50
        )
