"""Every page through AppTest: renders without exception, shows what it should, and its numbers
equal what data_access computes for the same filters."""

from __future__ import annotations

import random

import pandas as pd
import pyarrow as pa
import pytest

import charts as charts_module
from charts.regions import MEASURES
from data_access import Filters, describe
from data_access import queries as q
from data_access.access import LEVEL_VARIABLE
from data_access.catalogue import ROOT_VARIABLE
from data_access.columns import shown_columns
from data_access.filters import DIMENSIONS
from data_access.release import Access, Release
from tests import tiny
from tests.app.helpers import (
    VIEWS,
    assert_page_ok,
    base_line,
    charts,
    metrics,
    open_app,
    shown_table,
    switch,
    unescape,
)
from ui.tables import PLACEHOLDER, display_texts
from ui.tables import label as column_label


def test_overview_shows_626_people_and_the_brief_split():
    at = open_app()
    assert_page_ok(at)
    shown = metrics(at)
    assert shown["People who returned"] == "626"
    assert (shown["Men"], shown["Women"], shown["Children"]) == ("37", "158", "431")
    assert base_line(at) == "**626** people · Everyone who returned · as of 30 Sep 2026"


def test_overview_numbers_equal_the_data_layer(latest):
    at = open_app()
    assert_page_ok(at)
    figures = q.headline(latest, Filters()).set_index("label")
    for label, value in metrics(at).items():
        assert value == f"{int(figures.loc[label, 'value']):,}"
    deltas = {m.label: m.delta for m in at.metric}
    assert deltas["Case closed"] == "+42"
    assert deltas["Men"] == "no change"
    assert "Changes since the previous snapshot, 31 Mar 2026" in [c.value for c in at.caption]


def test_rusafa_is_14_children():
    at = open_app(cohort="rusafa")
    assert_page_ok(at)
    shown = metrics(at)
    assert (shown["People who returned"], shown["Children"], shown["Men"], shown["Women"]) == (
        "14",
        "14",
        "0",
        "0",
    )
    assert base_line(at) == "**14** people · Rusafa · as of 30 Sep 2026"


@pytest.mark.parametrize("page", VIEWS)
def test_every_page_renders_with_charts_that_have_alt_text(page):
    at = open_app(page)
    assert_page_ok(at, page)
    if page != "about":
        assert charts(at), f"{page} draws no chart"
        for chart in charts(at):
            assert chart.proto.alt, f"a chart on {page} has no alt text"


@pytest.mark.parametrize(
    ("dimension", "value"),
    [
        ("cohort", "jusan-2"),
        ("region", "KZ-47"),
        ("stage", "follow_up"),
        ("sex", "female"),
        ("age_band", "0-4"),
        ("origin", "IQ"),
    ],
)
def test_each_filter_sets_the_base_n_and_description(latest, dimension, value):
    at = open_app(**{dimension: value})
    assert_page_ok(at)
    filters = Filters(**{dimension: (value,)})
    n = q.base_n(latest, filters)
    assert 0 < n < 626
    assert base_line(at) == f"**{n:,}** people · {describe(filters, latest)} · as of 30 Sep 2026"
    assert metrics(at)["People who returned"] == f"{n:,}"


def test_filter_options_show_their_counts(latest):
    at = open_app(cohort="jusan-2")
    region = next(w for w in at.multiselect if w.key == "region")
    mangystau = q.option_counts(latest, Filters(cohort=("jusan-2",)), "region").set_index("code").loc["KZ-47", "people"]
    assert region.format_func("KZ-47") == f"Mangystau ({mangystau})"


def test_an_empty_selection_says_what_to_change():
    at = open_app(cohort="rusafa", sex="female", age_band="60+")
    assert_page_ok(at)
    assert "No one matches this selection" in at.info[0].value
    assert charts(at) == []


def test_reset_clears_every_filter():
    at = open_app(cohort="rusafa", region="KZ-75")
    assert metrics(at)["People who returned"] != "626"
    next(b for b in at.button if b.label == "Reset filters").click().run()
    assert metrics(at)["People who returned"] == "626"
    assert all(w.value == [] for w in at.multiselect)


def test_switching_pages_keeps_the_selection():
    at = open_app(cohort="rusafa")
    switch(at, "regions").run()
    assert_page_ok(at, "regions")
    assert base_line(at).startswith("**14** people · Rusafa")


def test_an_older_snapshot_can_be_picked(sample_snapshots):
    oldest = sample_snapshots[-1]
    at = open_app(snapshot=oldest.id)
    assert_page_ok(at)
    closed = q.headline(oldest, Filters()).set_index("measure").loc["case_closed", "value"]
    assert metrics(at)["Case closed"] == f"{closed:,}"
    assert base_line(at).endswith("as of 31 Mar 2025")


def test_regions_page_numbers(latest):
    at = open_app("regions", cohort="jusan-3")
    assert_page_ok(at, "regions")
    table = shown_table(at.dataframe[0]).set_index("Region")
    expected = q.region_summary(latest, Filters(cohort=("jusan-3",))).set_index("region_name")["people"]
    assert table["People placed"].to_dict() == {name: f"{people:,}" for name, people in expected.items()}
    assert list(table.columns) == [
        "People placed",
        "Reached school, training or work",
        "Share at school, training or work",
        "Median composite score",
        "People with a score",
    ]


def test_explorer_pivot_and_person_table(latest):
    at = open_app("explorer", rows="cohort", columns="sex")
    assert_page_ok(at, "explorer")
    pivot = shown_table(at.dataframe[0]).set_index("Cohort")
    assert list(pivot.columns) == ["Female", "Male"]
    assert (pivot.loc["Rusafa", "Female"], pivot.loc["Rusafa", "Male"]) == ("8", "6")
    assert people_page(at)["person_id"].tolist() == q.person_table(latest, Filters(), limit=50)["person_id"].tolist()


def people_page(at) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if "person_id" in df.value.columns)


def page_number(at):
    return next(n for n in at.number_input if n.key.startswith("explorer-page-"))


def test_the_person_table_pages_through_everyone_once_in_the_order_asked(latest):
    at = open_app("explorer")
    assert page_number(at).value == 1
    assert "People 1–50 of 626 (page 1 of 13); the CSV below has all of them." in [c.value for c in at.caption]
    seen = people_page(at)["person_id"].tolist()
    for number in range(2, 14):
        page_number(at).set_value(number).run()
        assert_page_ok(at, "explorer")
        seen += people_page(at)["person_id"].tolist()
    last = "People 601–626 of 626 (page 13 of 13); the CSV below has all of them."
    assert last in [c.value for c in at.caption]
    assert seen == q.person_table(latest, Filters())["person_id"].tolist()  # everyone, once, longest first
    days = q.person_table(latest, Filters())["days_in_stage"]
    assert days.is_monotonic_decreasing and len(set(seen)) == 626

    at.selectbox(key="order").set_value("id").run()  # another order starts at its first page
    assert page_number(at).value == 1 and at.query_params["order"] == "id"
    assert people_page(at)["person_id"].tolist() == sorted(latest.people["person_id"])[:50]
    page_number(at).set_value(2).run()
    next(w for w in at.multiselect if w.key == "cohort").set_value(["rusafa"]).run()  # so does a new selection
    assert people_page(at)["person_id"].tolist() == sorted(
        latest.people.loc[latest.people["cohort"] == "rusafa", "person_id"]
    )
    assert not [n for n in at.number_input if n.key.startswith("explorer-page-")]  # 14 people: one page


def test_a_charts_table_is_built_only_while_its_expander_is_open(latest):
    at = open_app("progress")
    assert not at.dataframe and [e.label for e in at.expander].count("Show data") == len(charts(at))
    at.session_state["prog-funnel-data"] = True
    at.run()
    assert_page_ok(at, "progress")
    funnel = charts(at)[0]
    assert len(at.dataframe) == 1
    drawn = pa.ipc.open_stream(funnel.proto.data.data).read_all().to_pandas()
    release = Release(latest, Access("restricted"))
    stage_ids = latest.categories("stage")
    data = release.figure(charts_module.funnel_chart, release.stage_reached, Filters(), options=(stage_ids,)).data
    # The table is the chart's own data (the browser gets only the columns the spec reads), in
    # the columns a reader reads, worded as display_texts.
    assert set(drawn.columns) < set(data.columns)
    assert drawn.astype(object).to_dict("list") == data[list(drawn.columns)].astype(object).to_dict("list")
    expected = display_texts(data, latest).set_axis([column_label(c) for c in shown_columns(data.columns)], axis=1)
    pd.testing.assert_frame_equal(shown_table(at.dataframe[0]), expected, check_dtype=False)
    assert "Rehabilitation" in expected["Track"].tolist()  # names, not codes
    assert any(unescape(c.value) == funnel.proto.alt for c in at.caption)


def test_progress_shows_one_section_at_a_time_and_keeps_it_in_the_link():
    at = open_app("progress")
    assert_page_ok(at, "progress")
    sections = at.button_group(key="section")
    assert sections.options == ["Stages", "Who is stuck", "Assessment scores", "Services"]
    drawn = {}
    for code, words in [
        ("stages", "Stages"),
        ("stuck", "Who is stuck"),
        ("scores", "Assessment scores"),
        ("services", "Services"),
    ]:
        at.button_group(key="section").set_value(code).run()
        assert_page_ok(at, f"progress?section={code}")
        drawn[words] = [chart.proto.id.split("-", 3)[-1] for chart in charts(at)]
        if code != "stages":
            assert at.query_params["section"] in ([code], code)
    assert {section: len(ids) for section, ids in drawn.items()} == {
        "Stages": 3,
        "Who is stuck": 1,
        "Assessment scores": 1,
        "Services": 2,
    }
    # The first section is the default and leaves no trace in the link.
    at.button_group(key="section").set_value("stages").run()
    assert "section" not in at.query_params and len(charts(at)) == 3
    # A link to the stuck threshold opens the section that has it; a link to a section opens it.
    assert len(charts(open_app("progress", stuck_days="90"))) == 1
    at = open_app("progress", section="services")
    assert at.button_group(key="section").value == "services" and len(charts(at)) == 2
    # A section the page does not have falls back to the first, and says so.
    at = open_app("progress", section="everything")
    assert at.button_group(key="section").value == "stages" and len(charts(at)) == 3
    assert any("section" in toast.value for toast in at.toast)


def test_about_page_shows_manifest_dictionary_and_a_clean_bill():
    at = open_app("about")
    assert_page_ok(at, "about")
    assert "The snapshot passed every check" in at.success[0].value
    assert any("person_id" in df.value["column"].tolist() for df in at.dataframe if "column" in df.value)


def test_thirty_random_selections_render_on_every_page(latest):
    rng = random.Random(2026)
    options = {
        "cohort": list(latest.cohorts["cohort_id"]),
        "region": list(latest.regions["region_code"]),
        "stage": list(latest.stages["stage_id"]),
        "sex": ["female", "male"],
        "age_band": ["0-4", "5-11", "12-17", "18-59", "60+"],
        "origin": ["SY", "IQ"],
    }
    failed = []
    for _ in range(30):
        params = {dim: rng.sample(values, rng.randint(1, 2)) for dim, values in options.items() if rng.random() < 0.35}
        failed += failures(params, VIEWS)
    assert failed == []


def failures(params: dict, views: list[str]) -> list[str]:
    """Each of `views` that does not show what it should for the selection `params` (opened
    once, then switched from view to view, as a reader does), with why; and any table on it that
    would draw a missing value as "None"."""
    at = open_app(**params)
    failed = []
    for view in views:
        if view != VIEWS[0]:
            switch(at, view).run()
        try:
            assert_page_ok(at, view)
        except AssertionError as failure:
            failed.append(f"{view} with {params}: {str(failure)[:160]}")
        if any(table.proto.placeholder != PLACEHOLDER for table in at.dataframe):
            failed.append(f"{view} with {params}: a table draws a missing value as Streamlit's 'None'")
    return failed


@pytest.mark.parametrize("level", ["restricted", "public"])
def test_every_view_shows_every_selection_of_one_value(latest, level, monkeypatch):
    """Everyone, then each cohort, region, stage, sex, age band and origin on its own, on every
    page and section and every measure of the map, at both access levels: the pairs a reader
    reaches in two clicks. With only people in custody (or in documents and benefits) selected,
    the map of shares in school or work showed the error box."""
    monkeypatch.setenv(LEVEL_VARIABLE, level)
    views = [
        *VIEWS,
        *(f"regions?measure={m}" for m in MEASURES if m != "people"),
        "regions?layout=tiles&measure=people",
    ]
    selections = [{}] + [{dimension: value} for dimension in DIMENSIONS for value in latest.categories(dimension)]
    assert [failure for params in selections for failure in failures(params, views)] == []


def test_no_snapshots_gives_a_message_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setenv(ROOT_VARIABLE, str(tmp_path))
    at = open_app()
    assert not at.exception
    assert "No usable snapshot was found" in at.error[0].value


def test_a_broken_snapshot_is_listed_and_the_good_one_still_works(monkeypatch, tmp_path):
    tiny.write(tmp_path / "2022-06-30")
    (tmp_path / "2023-01-01").mkdir()
    monkeypatch.setenv(ROOT_VARIABLE, str(tmp_path))
    at = open_app()
    assert_page_ok(at)
    assert metrics(at)["People who returned"] == "6"
    assert any("2023-01-01" in unescape(c.value) and "manifest.json: missing" in unescape(c.value) for c in at.caption)
