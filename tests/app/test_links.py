"""Untrusted links: whatever the query string holds (unknown, malformed, huge or path-like
snapshot ids and filter values, values a bound widget cannot take), the dashboard shows the
latest snapshot with a notice, and opens only snapshots from its catalogue."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_access import Filters, find_snapshots
from data_access import queries as q
from tests.app.helpers import assert_page_ok, base_line, metrics, open_app, unescape
from ui import context

SAMPLE_IDS = {"2025-03-31", "2025-09-30", "2026-03-31", "2026-09-30"}
PATHS = ["../../etc", "/etc/passwd", "..", ".", "2026-09-30/../../..", "~root", "%2e%2e%2f", "C:\\Windows"]
HOSTILE = [*PATHS, "<script>alert(1)</script>", "**bold**", "[x](http://evil.example)", "\u202eevil", "x" * 100_000, ""]


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """Every snapshot path the dashboard asks the loader for, cached or not."""
    paths: list[str] = []
    real = context._load

    def recording(info):
        paths.append(str(info.path))
        return real(info)

    monkeypatch.setattr(context, "_load", recording)
    return paths


def catalogue_paths() -> set[str]:
    return {str(info.path) for info in find_snapshots()}


def toasts(at) -> list[str]:
    return [unescape(t.value) for t in at.toast]


def short(value: str) -> str:
    """A test id for a parameter that may be very long."""
    return value if len(value) < 40 else f"{value[:3]}...({len(value):,} characters)"


def too_long(key: str, value: str) -> str:
    """The notice for a link value longer than any the dashboard writes (dropped before use)."""
    return f"Ignored {key}={value[:40]!r} from the link: longer than any value the dashboard uses."


@pytest.mark.parametrize("wanted", [*PATHS, "<script>alert(1)</script>", "2026-09-31", "unknown", "x" * 200], ids=short)
def test_a_snapshot_the_catalogue_does_not_have_is_ignored_with_a_notice(opened, wanted):
    at = open_app(snapshot=wanted)
    assert_page_ok(at)
    assert base_line(at).endswith("as of 30 Sep 2026")
    assert toasts(at) == [f"The link asks for a snapshot that is not available ({wanted[:40]!r}); showing the latest."]
    assert set(opened) <= catalogue_paths()


def test_a_snapshot_id_longer_than_any_is_dropped_before_the_catalogue_is_asked(opened):
    at = open_app(snapshot="x" * 100_000)
    assert_page_ok(at)
    assert base_line(at).endswith("as of 30 Sep 2026")
    assert toasts(at) == [too_long("snapshot", "x" * 100_000)]
    assert set(opened) <= catalogue_paths()


def test_unknown_filter_values_are_dropped_and_known_ones_kept(latest):
    at = open_app(cohort=["rusafa", "../../etc", "x" * 100_000], region=["<img src=x>", "KZ-47"])
    assert_page_ok(at)
    assert toasts(at) == [
        too_long("cohort", "x" * 40),
        "Ignored cohort values from the link that this snapshot does not have: '../../etc'.",
        "Ignored region values from the link that this snapshot does not have: '<img src=x>'.",
    ]
    n = q.base_n(latest, Filters(cohort=("rusafa",), region=("KZ-47",)))
    assert base_line(at).startswith(f"**{n:,}** people · ")


@pytest.mark.parametrize(
    ("page", "key", "value"),
    [
        ("explorer", "rows", "<script>"),
        ("explorer", "columns", "../../etc"),
        ("progress", "stuck_days", "99999999999"),
        ("progress", "stuck_days", "-1"),
        ("progress", "stuck_days", "nan"),
        ("explorer", "stuck", "<script>"),
        ("explorer", "stuck", "1081"),
        ("explorer", "stuck", "0180"),
        ("regions", "measure", "x" * 200),
        ("present", "slide", "99"),
        ("present", "slide", "abc"),
    ],
    ids=short,
)
def test_a_value_a_page_widget_cannot_take_is_ignored_with_a_notice(page, key, value):
    at = open_app(page, **{key: value})
    assert_page_ok(at, page)
    assert toasts(at) == [f"Ignored {key}={value[:40]!r} from the link: not a value this page offers."]


@pytest.mark.parametrize(
    ("dim", "value", "notice"),
    [
        ("sex", "unknown", "sex values"),
        ("age_band", "unknown", "age band at return values"),
        ("origin", "unknown", "returned from values"),
        ("stage", "unknown", "current stage values"),
    ],
)
def test_an_unknown_value_of_any_filter_gets_the_notice(dim, value, notice):
    at = open_app(**{dim: value})
    assert_page_ok(at)
    assert toasts(at) == [f"Ignored {notice} from the link that this snapshot does not have: {value!r}."]


LINK_KEYS = [
    "snapshot", "cohort", "region", "stage", "sex", "age_band", "origin", "lang",
    "rows", "columns", "measure", "slide", "stuck", "stuck_days", "anything",
]  # fmt: skip


@pytest.mark.parametrize("key", LINK_KEYS)
def test_a_huge_value_of_any_parameter_is_dropped_at_once_with_the_notice(key):
    huge = "x" * 100_000  # took over 60 s for sex and age_band before values were bounded (issue 20)
    started = time.perf_counter()
    at = open_app(**{key: huge})
    took = time.perf_counter() - started
    assert_page_ok(at)
    assert toasts(at) == [too_long(key, huge)]
    assert key not in at.query_params or key in ("snapshot", "lang")  # rewritten with what is shown
    values = [v for vs in at.query_params.values() for v in ([vs] if isinstance(vs, str) else vs)]
    assert all(len(v) <= context.MAX_CHARACTERS for v in values)
    assert took < 20, took


def test_a_language_the_dashboard_does_not_speak_gets_the_notice():
    at = open_app(lang="zz")
    assert_page_ok(at)
    assert at.session_state["lang"] == "en"
    assert toasts(at) == ["Ignored lang='zz' from the link: not a value this page offers."]


def test_a_value_at_the_bound_is_still_looked_at():
    value = "x" * context.MAX_CHARACTERS
    at = open_app(sex=value)
    assert toasts(at) == [f"Ignored sex values from the link that this snapshot does not have: {value[:40]!r}."]


def test_too_many_values_or_parameters_are_cut_with_one_notice_each(latest):
    many = {f"p{i}": "1" for i in range(context.MAX_PARAMETERS - 1)}
    at = open_app(cohort=["rusafa"] + [f"c{i}" for i in range(100)], **many, extra="a", more="b")
    assert_page_ok(at)
    assert toasts(at) == [
        "Ignored cohort='c63' from the link: more values or parameters than a link of the dashboard holds.",
        "Ignored extra='a' from the link: more values or parameters than a link of the dashboard holds.",
        "Ignored cohort values from the link that this snapshot does not have: 'c0', 'c1', 'c10'.",
    ]
    assert base_line(at).startswith(f"**{q.base_n(latest, Filters(cohort=('rusafa',))):,}** people · ")


def test_a_value_repeated_within_the_limit_gets_no_notice():
    at = open_app(cohort="rusafa,rusafa", sex="female")
    assert_page_ok(at)
    assert toasts(at) == []


def test_comma_separated_values_past_the_limit_get_the_notice(latest):
    at = open_app(cohort="rusafa," + ",".join(["x"] * 70))  # 147 characters, 71 values
    assert toasts(at) == [
        "Ignored cohort='x' from the link: more values or parameters than a link of the dashboard holds.",
        "Ignored cohort values from the link that this snapshot does not have: 'x'.",
    ]
    assert base_line(at).startswith(f"**{q.base_n(latest, Filters(cohort=('rusafa',))):,}** people · ")


KEYS = st.sampled_from(
    ["snapshot", "cohort", "region", "stage", "sex", "age_band", "origin", "rows", "measure", "stuck_days", "stuck"]
)
VALUES = st.one_of(
    st.sampled_from([*HOSTILE, "rusafa", "KZ-47", "female", "0-4", "IQ", "2025-03-31", "Cohort", "120"]),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=300),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    params=st.dictionaries(
        st.one_of(KEYS, st.text(min_size=1, max_size=20)), st.lists(VALUES, min_size=1, max_size=4), max_size=5
    )
)
def test_any_query_string_gives_a_working_page_and_opens_only_catalogue_snapshots(opened, params):
    at = open_app(**params)
    assert_page_ok(at)
    assert "People who returned" in metrics(at) or at.info
    assert set(opened) <= catalogue_paths()
    wanted = params.get("snapshot", [None])[-1]
    if wanted not in SAMPLE_IDS:
        assert base_line(at).endswith("as of 30 Sep 2026")


def test_the_sample_ids_are_what_the_fuzzing_assumes():
    assert {Path(p).name for p in catalogue_paths()} == SAMPLE_IDS


def test_a_cleared_filter_leaves_the_link():
    """Clearing a filter takes it out of the link, so a copied link does not bring it back."""
    at = open_app(None, cohort="rusafa")
    assert at.query_params.get("cohort") == "rusafa"
    at.session_state["cohort"] = []
    at.run()
    assert "cohort" not in at.query_params
