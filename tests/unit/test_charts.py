"""Chart builders: what each chart draws, from hand-made query tables with exact values."""

from __future__ import annotations

import gettext
import html
import io
import json
import re

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema.core import load_schema
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

import charts
import i18n
from charts import theme
from charts.export import svg as render_svg
from charts.figure import _spec_words, heading, records
from data_access import Filters, load_snapshot
from data_access.release import Access, Release
from tests.conftest import SAMPLE_ROOT

COHORT_IDS = ["jusan-1", "jusan-2", "rusafa"]
COHORT_NAMES = {"jusan-1": "Jusan-1", "jusan-2": "Jusan-2", "rusafa": "Rusafa"}
STAGES = [
    ("arrival", "Arrival & screening", 1, "rehabilitation"),
    ("custody", "Custody (sentence)", 2, "justice"),
    ("placement", "Family placement", 3, "rehabilitation"),
    ("closed", "Case closed", 4, "exit"),
]
STAGE_IDS = [stage for stage, *_ in STAGES]


def arrivals_table() -> pd.DataFrame:
    rows = [
        ("jusan-1", "2019-01-06", "SY", "Syria", "child", 30),
        ("jusan-1", "2019-01-06", "SY", "Syria", "man", 6),
        ("jusan-1", "2019-01-06", "SY", "Syria", "woman", 11),
        ("jusan-2", "2019-05-07", "SY", "Syria", "child", 156),
        ("jusan-2", "2019-05-07", "SY", "Syria", "man", 16),
        ("jusan-2", "2019-05-07", "SY", "Syria", "woman", 59),
        ("rusafa", "2019-11-27", "IQ", "Iraq", "child", 14),
        ("rusafa", "2019-11-27", "IQ", "Iraq", "man", 0),
        ("rusafa", "2019-11-27", "IQ", "Iraq", "woman", 0),
    ]
    frame = pd.DataFrame(rows, columns=["cohort", "arrival_date", "origin_country", "origin_name", "group", "people"])
    frame.insert(1, "cohort_name", frame["cohort"].map(COHORT_NAMES))
    frame.insert(2, "operation", frame["cohort"].str.split("-").str[0].str.capitalize())
    frame["arrival_date"] = pd.to_datetime(frame["arrival_date"])
    frame["arrival_label"] = frame["arrival_date"].dt.strftime("%-d %b %Y")
    frame.insert(7, "group_label", frame["group"].map({"man": "Men", "woman": "Women", "child": "Children"}))
    return frame


def stage_distribution(people: list[int]) -> pd.DataFrame:
    frame = pd.DataFrame(STAGES, columns=["stage", "stage_label", "order", "track"])
    frame["people"] = people
    frame["share"] = frame["people"] / sum(people)
    return frame


def stage_reached(people: list[int], base: int) -> pd.DataFrame:
    return stage_distribution(people).assign(share=[n / base for n in people])


def pyramid_table() -> pd.DataFrame:
    bands = ["0-4", "5-11", "12-17", "18-59", "60+"]
    people = {"female": [94, 94, 29, 156, 2], "male": [106, 86, 22, 37, 0]}
    return pd.DataFrame(
        [(band, sex, people[sex][i]) for i, band in enumerate(bands) for sex in ("female", "male")],
        columns=["age_band", "sex", "people"],
    )


def occupancy_table(people_per_month: list[list[int]]) -> pd.DataFrame:
    rows = []
    for month_index, counts in enumerate(people_per_month):
        month = pd.Timestamp(2019, 1 + month_index, 1)
        for (stage, label, order, track), people in zip(STAGES, counts, strict=True):
            rows.append((month, stage, label, order, track, people))
    return pd.DataFrame(rows, columns=["month", "stage", "stage_label", "order", "track", "people"])


def milestone_table(cohorts: list[str]) -> pd.DataFrame:
    rows = []
    for cohort in cohorts:
        for milestone, label in (("placement", "Family placement"), ("school_work", "School, training or work")):
            for months, reached in enumerate((0, 20, 40)):
                rows.append((cohort, COHORT_NAMES[cohort], milestone, label, months, reached, 50, reached / 50))
    return pd.DataFrame(
        rows,
        columns=["cohort", "cohort_name", "milestone", "milestone_label", "months", "reached", "base", "share"],
    )


def time_in_stage_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "stage": ["arrival", "custody", "placement", "documents", "school_work"],
            "stage_label": [
                "Arrival & screening",
                "Custody (sentence)",
                "Family placement",
                "Documents & benefits",
                "School, training or work",
            ],
            "order": [1, 2, 3, 4, 5],
            "track": ["rehabilitation", "justice", "rehabilitation", "rehabilitation", "rehabilitation"],
            "counts_as_stuck": [True, False, True, True, False],
            "people": [0, 14, 111, 9, 120],
            "median_days": [float("nan"), 2481.5, 400.0, 90.0, 2000.0],
            "p75_days": [float("nan"), 2512.75, 610.0, 200.0, 2100.0],
            "stuck": [0, 0, 90, 3, 0],
            "threshold_days": [180, 180, 180, 180, 180],
        }
    )


def scores_table() -> pd.DataFrame:
    rows = []
    for period, base in (("2019-01-01", 0.30), ("2019-07-01", 0.40)):
        for i, (dimension, label) in enumerate(
            [
                ("composite", "Composite (mean of available dimensions)"),
                ("economic", "Economic"),
                ("psychosocial", "Psychosocial"),
                ("social", "Social"),
            ]
        ):
            median = round(base + i / 100, 2)
            rows.append((pd.Timestamp(period), dimension, label, 100, median, median - 0.1, median + 0.1))
    return pd.DataFrame(rows, columns=["period", "dimension", "dimension_label", "n", "median", "q1", "q3"])


def services_month_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": pd.to_datetime(["2019-01-01", "2019-01-01", "2019-02-01"]),
            "service_type": ["psychosocial", "education", "education"],
            "sessions": [95, 141, 76],
            "people": [38, 21, 10],
        }
    )


def services_type_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "service_type": ["psychosocial", "legal", "education"],
            "sessions": [2826, 273, 11907],
            "people": [375, 110, 317],
            "months": [12, 12, 12],
        }
    )


def region_summary_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": ["KZ-27", "KZ-15", "KZ-47"],
            "region_name": ["West Kazakhstan", "Aktobe", "Mangystau"],
            "name_ru": ["Западно-Казахстанская область", "Актюбинская область", "Мангистауская область"],
            "name_kk": ["Батыс Қазақстан облысы", "Ақтөбе облысы", "Маңғыстау облысы"],
            "grid_row": [0, 0, 2],
            "grid_col": [0, 1, 0],
            "people": [29, 59, 0],
            "reached_school_work": [25, 48, 0],
            "share_school_work": [25 / 29, 48 / 59, float("nan")],
            "median_composite": [0.6625, 0.5925, float("nan")],
            "scored": [28, 58, 0],
        }
    )


def region_stage_table() -> pd.DataFrame:
    rows = [
        (region, name, stage, label, order, people)
        for (region, name), counts in {
            ("KZ-27", "West Kazakhstan"): [0, 1, 11, 14],
            ("KZ-15", "Aktobe"): [0, 0, 16, 28],
        }.items()
        for (stage, label, order, _), people in zip(STAGES, counts, strict=True)
    ]
    return pd.DataFrame(rows, columns=["region", "region_name", "stage", "stage_label", "order", "people"])


def counts_by_table(dimensions: list[str]) -> pd.DataFrame:
    if dimensions == ["sex"]:
        return pd.DataFrame({"sex": ["female", "male"], "people": [375, 251], "sex_label": ["Female", "Male"]})
    rows = [
        (cohort, group, people)
        for cohort, counts in {"jusan-1": (6, 11, 30), "rusafa": (0, 0, 14)}.items()
        for group, people in zip(("man", "woman", "child"), counts, strict=True)
    ]
    frame = pd.DataFrame(rows, columns=["cohort", "group", "people"])
    frame["cohort_label"] = frame["cohort"].map(COHORT_NAMES)
    frame["group_label"] = frame["group"].map({"man": "Men", "woman": "Women", "child": "Children"})
    return frame


def unaccompanied_table() -> pd.DataFrame:
    rows = [("jusan-1", False, 28), ("jusan-1", True, 2), ("rusafa", False, 0), ("rusafa", True, 14)]
    frame = pd.DataFrame(rows, columns=["cohort", "unaccompanied", "people"])
    frame.insert(1, "cohort_label", frame["cohort"].map(COHORT_NAMES))
    frame.insert(3, "unaccompanied_label", frame["unaccompanied"].map({True: "Unaccompanied", False: "With a parent"}))
    return frame


def views(spec: dict) -> list[dict]:
    """Every unit view of a spec: the layers of a layered chart, or the chart itself."""
    return spec.get("layer", [spec])


def marks(spec: dict) -> list[str]:
    return [view["mark"]["type"] if isinstance(view["mark"], dict) else view["mark"] for view in views(spec)]


def encoding(spec: dict, mark: str) -> dict:
    view = next(v for v in views(spec) if (v["mark"]["type"] if isinstance(v["mark"], dict) else v["mark"]) == mark)
    return view["encoding"]


def all_figures() -> dict[str, charts.Figure]:
    return {
        "arrivals": charts.arrivals_chart(arrivals_table(), COHORT_IDS),
        "arrivals_timeline": charts.arrivals_timeline_chart(arrivals_table()),
        "pyramid": charts.pyramid_chart(pyramid_table()),
        "stage": charts.stage_chart(stage_distribution([0, 14, 338, 274]), STAGE_IDS),
        "funnel": charts.funnel_chart(stage_reached([626, 14, 612, 274], 626), STAGE_IDS),
        "occupancy": charts.occupancy_chart(occupancy_table([[40, 6, 1, 0], [0, 6, 41, 0]]), STAGE_IDS),
        "milestone": charts.milestone_chart(milestone_table(["jusan-1", "rusafa"]), COHORT_IDS),
        "time_in_stage": charts.time_in_stage_chart(time_in_stage_table()),
        "scores": charts.scores_chart(scores_table()),
        "services": charts.services_chart(services_month_table()),
        "services_type": charts.services_type_chart(services_type_table()),
        "tiles": charts.region_tiles_chart(region_summary_table(), "share_school_work"),
        "heatmap": charts.region_stage_heatmap(region_stage_table()),
        "pivot": charts.pivot_chart(counts_by_table(["cohort", "group"]), ["cohort", "group"]),
        "unaccompanied": charts.unaccompanied_chart(unaccompanied_table()),
    }


# --- what every chart promises ---------------------------------------------------------------


@pytest.mark.parametrize("name", list(all_figures()))
def test_spec_is_a_template_without_data(name):
    fig = all_figures()[name]
    text = json.dumps(fig.spec)
    assert "data" not in fig.spec and "datasets" not in fig.spec
    assert '"data"' not in text, "a layer with its own data would not see the table passed beside the spec"
    assert fig.spec["config"] is theme.config()
    assert fig.spec["config"].items() >= theme.CONFIG.items()
    assert fig.spec["title"] == heading(fig.title, fig.subtitle)
    for width in (360, 600, 1000):
        text = fig.to_dict(width=width)["title"]["text"]
        assert (" ".join(text) if isinstance(text, list) else text) == fig.title


@pytest.mark.parametrize("name", list(all_figures()))
def test_to_dict_inlines_exactly_the_aggregate_table(name):
    fig = all_figures()[name]
    values = fig.to_dict()["data"]["values"]
    assert len(values) == len(fig.data)
    assert set(values[0]) == set(fig.data.columns)


@pytest.mark.parametrize("name", list(all_figures()))
def test_spec_is_valid_vega_lite(name):
    """freeze() skips Altair's schema check for speed; this is where it happens."""
    validate_jsonschema(all_figures()[name].to_dict(width=800), load_schema())


@pytest.mark.parametrize("name", list(all_figures()))
def test_spec_compiles_to_vega(name):
    vlc = pytest.importorskip("vl_convert")
    vega = vlc.vegalite_to_vega(all_figures()[name].to_dict(width=800))
    assert vega["marks"]


def _fields_read(spec: dict, available: set[str]) -> list[tuple[str, str]]:
    """(channel, field) pairs that a view reads but its data, after its transforms, lacks."""
    available = set(available)
    for step in spec.get("transform", []):
        if "aggregate" in step:
            available = set(step.get("groupby", [])) | {a["as"] for a in step["aggregate"]}
        for key in ("joinaggregate", "window"):
            available |= {a["as"] for a in step.get(key, [])}
        if "as" in step and isinstance(step["as"], str):
            available.add(step["as"])
    missing = []
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in spec.get(key, []):
            missing += _fields_read(child, available)
    if "spec" in spec:
        missing += _fields_read(spec["spec"], available)
    for channel, definition in spec.get("encoding", {}).items():
        for item in definition if isinstance(definition, list) else [definition]:
            field = item.get("field") if isinstance(item, dict) else None
            if isinstance(field, str) and field not in available:
                missing.append((channel, field))
    return missing


@pytest.mark.parametrize("name", list(all_figures()))
def test_every_field_a_chart_reads_exists_after_its_transforms(name):
    """A tooltip or encoding naming a column that an aggregate dropped shows 'undefined'."""
    fig = all_figures()[name]
    assert _fields_read(fig.spec, set(fig.data.columns)) == []


def test_arrow_data_is_converted_once_and_falls_back_to_the_frame():
    fig = all_figures()["stage"]
    assert fig.arrow is fig.arrow
    read = fig.data.columns[0]
    mixed = charts.Figure(fig.spec, pd.DataFrame({read: ["a", 1]}), fig.alt, fig.title)
    assert mixed.arrow is mixed.data  # Arrow refuses mixed types: Streamlit's own fixes apply


@pytest.mark.parametrize("name", list(all_figures()))
def test_the_words_of_a_spec_are_those_of_its_whole_text(name):
    """The words a chart may read (which columns are sent) are found per template part and
    remembered: the same words as searching the whole spec's text, with any title."""
    spec = all_figures()[name].spec

    def whole(spec: dict) -> set[str]:
        return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", json.dumps(spec)))

    assert _spec_words(spec) == whole(spec)
    retitled = {**spec, "title": {"text": "Zebra count", "subtitle": ["quagga_rows"]}}
    assert _spec_words(retitled) == whole(retitled) and {"Zebra", "quagga_rows"} <= _spec_words(retitled)


def test_an_empty_table_of_arrow_backed_text_is_sent_as_arrow():
    """A selection with nobody in it can leave pandas' Arrow-backed text as an Arrow array of no
    chunks; the chart still gets an empty Arrow table with its columns, not an error."""
    fig = all_figures()["stage"]
    nobody = np.zeros(len(fig.data), dtype=bool)
    empty = pd.DataFrame({c: pd.Series(fig.data[c].astype(str)).array[nobody] for c in fig.data.columns})
    assert isinstance(pa.array(empty[fig.data.columns[0]], from_pandas=True), pa.ChunkedArray)
    sent = charts.Figure(fig.spec, empty, fig.alt, fig.title).arrow
    assert isinstance(sent, pa.Table) and sent.num_rows == 0
    assert set(sent.column_names) == set(fig.arrow.column_names)


@pytest.mark.parametrize("name", list(all_figures()))
def test_the_browser_gets_the_columns_the_chart_reads_and_their_values(name):
    """Only the columns the spec reads are sent, texts dictionary-encoded and whole numbers in the
    fewest bytes that hold them: the same values, fewer bytes (the table and downloads keep every
    column)."""
    vlc = pytest.importorskip("vl_convert")
    fig = all_figures()[name]
    sent = fig.arrow.to_pandas()
    assert _fields_read(fig.spec, set(sent.columns)) == []
    drawn = sent.astype({c: object for c in sent.columns if isinstance(sent[c].dtype, pd.CategoricalDtype)})
    expected = (fig.data if fig.drawn is None else fig.drawn)[list(sent.columns)]
    pd.testing.assert_frame_equal(drawn, expected, check_dtype=False, check_index_type=False)
    assert not any(pa.types.is_string(f.type) or pa.types.is_int64(f.type) for f in fig.arrow.schema)
    for field in fig.arrow.schema:
        column = fig.arrow.column(field.name)
        if pa.types.is_dictionary(field.type) and len(column):
            assert field.type.index_type == (pa.int8() if len(column.chunk(0).dictionary) <= 128 else pa.int16())
        elif pa.types.is_integer(field.type) and len(column) and column.null_count < len(column):
            largest = max(abs(v) for v in column.to_pylist() if v is not None)
            assert field.type.bit_width == next(b for b in (8, 16, 32, 64) if largest < 2 ** (b - 1)), field
    spec = fig.to_dict(width=800)

    def picture(values: pd.DataFrame) -> str:  # gradients are numbered per render
        return re.sub(r"gradient_\d+", "gradient", vlc.vegalite_to_svg({**spec, "data": {"values": records(values)}}))

    assert picture(drawn) == picture(fig.data)


def test_labels_with_quotes_reach_the_legend_intact():
    vlc = pytest.importorskip("vl_convert")
    table = milestone_table(["rusafa"]).assign(cohort_name='Women\'s "second" flight')
    svg = vlc.vegalite_to_svg(charts.milestone_chart(table, COHORT_IDS).to_dict())
    texts = [html.unescape(text) for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    assert 'Women\'s "second" flight' in texts


def test_the_data_is_the_table_that_was_passed_in():
    table = stage_distribution([0, 14, 338, 274])
    fig = charts.stage_chart(table, STAGE_IDS)
    assert fig.data is table


def test_container_width_can_be_fixed_for_exports():
    fig = charts.stage_chart(stage_distribution([0, 14, 338, 274]), STAGE_IDS)
    assert fig.spec["width"] == "container"
    assert fig.to_dict(width=900)["width"] == 900
    assert fig.spec["width"] == "container"


def test_records_write_dates_as_iso_strings_and_missing_as_none():
    frame = pd.DataFrame(
        {
            "month": pd.to_datetime(["2019-01-01", None]),
            "share": [0.5, float("nan")],
            "people": pd.array([3, None], dtype="Int64"),
            "label": ["a", None],
        }
    )
    assert records(frame) == [
        {"month": "2019-01-01", "share": 0.5, "people": 3, "label": "a"},
        {"month": None, "share": None, "people": None, "label": None},
    ]


# --- templates are built once ----------------------------------------------------------------


def test_template_is_reused_for_the_same_options():
    first = charts.stage_chart(stage_distribution([0, 14, 338, 274]), STAGE_IDS)
    second = charts.stage_chart(stage_distribution([5, 1, 2, 3]), list(STAGE_IDS))
    assert first.title != second.title
    assert first.spec["layer"] is second.spec["layer"]
    assert first.spec["config"] is second.spec["config"]


def test_different_options_make_a_different_template():
    plain = charts.stage_chart(stage_distribution([0, 14, 338, 274]), STAGE_IDS)
    selectable = charts.stage_chart(stage_distribution([0, 14, 338, 274]), STAGE_IDS, selectable=True)
    assert plain.spec["layer"] is not selectable.spec["layer"]


# --- selections --------------------------------------------------------------------------------


def selections(spec: dict) -> list[dict]:
    """The spec's selection parameters (a spec also carries plain ones, e.g. a label's width)."""
    return [param for param in spec.get("params", []) if "select" in param]


def test_arrivals_selection_only_when_selectable():
    plain = charts.arrivals_chart(arrivals_table(), COHORT_IDS)
    selectable = charts.arrivals_chart(arrivals_table(), COHORT_IDS, selectable=True)
    assert selections(plain.spec) == []
    (pick,) = selections(selectable.spec)
    assert pick["name"] == "pick"
    assert pick["select"] == {"type": "point", "fields": ["cohort"], "on": "click", "clear": "dblclick"}
    assert encoding(selectable.spec, "bar")["opacity"]["condition"]["param"] == "pick"


def test_stage_selection_only_when_selectable():
    table = stage_distribution([0, 14, 338, 274])
    assert selections(charts.stage_chart(table, STAGE_IDS).spec) == []
    (pick,) = selections(charts.stage_chart(table, STAGE_IDS, selectable=True).spec)
    assert (pick["name"], pick["select"]["fields"]) == ("pick", ["stage"])


# --- stable colours ----------------------------------------------------------------------------


def test_stage_scale_gives_ten_stages_ten_different_colours():
    ids = [f"stage-{i}" for i in range(10)]
    scale = theme.stage_scale(ids).to_dict()
    assert scale["domain"] == ids
    assert len(set(scale["range"])) == 10


def test_cohort_scale_keeps_reference_order():
    scale = theme.cohort_scale(["b", "a"]).to_dict()
    assert scale == {"domain": ["b", "a"], "range": [theme.CATEGORY[0], theme.CATEGORY[1]]}


def test_stage_colours_do_not_depend_on_the_data():
    busy = charts.stage_chart(stage_distribution([0, 14, 338, 274]), STAGE_IDS)
    quiet = charts.stage_chart(stage_distribution([3, 0, 0, 1]), STAGE_IDS)
    for fig in (busy, quiet):
        colour = encoding(fig.spec, "bar")["color"]
        assert colour["field"] == "stage"
        assert colour["scale"]["domain"] == STAGE_IDS
        assert colour["scale"]["range"] == list(theme.STAGE_COLOURS[:4])


def test_cohort_colours_do_not_depend_on_which_cohorts_are_shown():
    both = charts.milestone_chart(milestone_table(["jusan-1", "rusafa"]), COHORT_IDS)
    one = charts.milestone_chart(milestone_table(["rusafa"]), COHORT_IDS)
    for fig in (both, one):
        assert encoding(fig.spec, "line")["color"]["scale"]["domain"] == COHORT_IDS
        assert encoding(fig.spec, "line")["strokeDash"]["scale"]["domain"] == COHORT_IDS
    assert encoding(one.spec, "line")["color"]["legend"]["values"] == ["rusafa"]
    assert encoding(both.spec, "line")["color"]["legend"]["values"] == ["jusan-1", "rusafa"]


def test_occupancy_colours_three_groups_of_stages_whatever_the_data():
    fig = charts.occupancy_chart(occupancy_table([[40, 6, 1, 0]]), STAGE_IDS)
    colour = encoding(fig.spec, "area")["color"]
    assert colour["scale"] == {
        "domain": ["rehabilitation", "justice", "exit"],
        "range": [theme.BLUE, theme.VERMILLION, theme.GREY],
    }
    assert '"Left the programme"' in colour["legend"]["labelExpr"]


# --- each chart --------------------------------------------------------------------------------


def test_arrivals_chart():
    fig = all_figures()["arrivals"]
    assert marks(fig.spec) == ["bar", "text", "text", "point"]
    bars = encoding(fig.spec, "bar")
    assert bars["y"]["field"] == "cohort" and bars["y"]["sort"] == COHORT_IDS
    assert (bars["x"]["aggregate"], bars["x"]["field"], bars["x"]["type"]) == ("sum", "people", "quantitative")
    assert bars["color"]["field"] == "group_label"
    assert bars["color"]["scale"]["domain"] == ["Children", "Women", "Men"]
    assert [t["field"] for t in bars["tooltip"]] == [
        "cohort_name",
        "arrival_label",
        "origin_name",
        "group_label",
        "people",
    ]
    assert fig.title == "292 people returned in 3 cohorts; 68% were children"
    assert "Largest: Jusan-2, 231 of 292." in fig.alt


def test_arrivals_timeline_chart_gives_each_cohort_a_row_in_arrival_order():
    fig = all_figures()["arrivals_timeline"]
    assert marks(fig.spec) == ["point", "text", "text"]
    point = encoding(fig.spec, "point")
    assert (point["x"]["field"], point["x"]["type"]) == ("arrival_date", "temporal")
    assert point["y"]["field"] == "cohort_name"
    assert point["y"]["sort"] == {"field": "arrival_date", "op": "min"}
    assert point["shape"]["field"] == point["color"]["field"] == "origin_name"
    assert point["size"]["field"] == "people"
    assert fig.title == "292 people returned in 2019"
    assert "Largest: Jusan-2, 231 people, arrived 7 May 2019." in fig.alt


def test_pyramid_chart_puts_female_left_and_youngest_at_the_bottom():
    fig = all_figures()["pyramid"]
    bars = encoding(fig.spec, "bar")
    assert bars["y"]["sort"] == ["60+", "18-59", "12-17", "5-11", "0-4"]
    assert bars["x"]["field"] == "signed"
    assert "-datum.people" in json.dumps(fig.spec["transform"])
    assert "abs(datum.value)" in bars["x"]["axis"]["labelExpr"]
    assert fig.title == "69% were under 18 at return; the largest age band is 0-4 years"
    assert "Largest: female, 18-59 years, 156 of 626." in fig.alt


def test_stage_chart():
    fig = all_figures()["stage"]
    assert marks(fig.spec) == ["bar", "text", "point"]
    bars = encoding(fig.spec, "bar")
    assert bars["y"]["field"] == "stage_label"
    assert bars["y"]["sort"] == {"field": "order", "op": "min"}
    assert encoding(fig.spec, "text")["text"]["field"] == "label"
    assert fig.title == "Most people are now in Family placement: 338 of 626 (54%)"
    assert fig.alt == "Bar chart: people by current stage. Largest: Family placement, 338 of 626."


def test_stage_chart_labels_count_and_share():
    vlc = pytest.importorskip("vl_convert")
    fig = charts.stage_chart(stage_distribution([0, 14, 338, 274]), STAGE_IDS)
    svg = vlc.vegalite_to_svg(fig.to_dict(width=600))
    assert "338 (54%)" in svg and "0 (0%)" in svg


def test_funnel_chart():
    fig = all_figures()["funnel"]
    assert marks(fig.spec) == ["bar", "text", "point"]
    assert encoding(fig.spec, "bar")["x"]["title"] == "People who reached the stage"
    assert fig.title == ("626 people reached Arrival & screening; 612 (98%) have reached Family placement")


def test_occupancy_chart_stacks_three_groups_of_stages_not_ten_stages():
    fig = all_figures()["occupancy"]
    assert marks(fig.spec) == ["area", "point"]
    assert fig.spec["transform"][0] == {
        "aggregate": [{"op": "sum", "field": "people", "as": "people"}],
        "groupby": ["month", "track"],
    }
    area = encoding(fig.spec, "area")
    assert (area["x"]["field"], area["x"]["type"]) == ("month", "temporal")
    assert area["y"]["stack"] == "zero"
    assert (area["color"]["field"], area["order"]["field"]) == ("track", "track_rank")
    assert fig.title == (
        "By Feb 2019, 41 of 47 people are in rehabilitation and support, 6 in investigation or custody"
    )
    assert fig.alt == (
        "Stacked area chart: people at the end of every month from Jan 2019 to Feb 2019, in three groups of "
        "stages. In Feb 2019: 41 in rehabilitation and support, 6 in investigation or custody, 0 out of the "
        "programme, 47 in all. Most in rehabilitation and support at once: 41 each, in Jan 2019 and Feb 2019."
    )
    assert fig.subtitle == "Left the programme: case closed, moved or lost to follow-up"


def test_milestone_chart_has_a_panel_per_milestone_in_one_view():
    fig = all_figures()["milestone"]
    assert marks(fig.spec) == ["rule", "text", "text", "line", "point"]
    assert fig.spec["width"] == "container", "a single view takes its container's width, facets do not"
    line = encoding(fig.spec, "line")
    assert (line["y"]["field"], line["y"]["sort"]) == (
        "milestone_label",
        ["Family placement", "School, training or work"],
    )
    assert line["yOffset"]["field"] == "share"
    assert line["yOffset"]["scale"]["domain"] == [0, 1]
    assert line["detail"]["field"] == "milestone_label", "a cohort's line stops at its panel's edge"
    assert fig.title == "Within 2 months of arrival: Family placement 80%, School, training or work 80%"


def test_time_in_stage_chart_draws_only_occupied_stages():
    fig = all_figures()["time_in_stage"]
    assert marks(fig.spec) == ["bar", "tick", "rule", "text"]
    assert {"filter": "datum.people > 0"} in fig.spec["transform"]
    assert encoding(fig.spec, "bar")["x"]["field"] == "median_days"
    assert encoding(fig.spec, "tick")["x"]["field"] == "p75_days"
    # Counted: placement (111, 90 stuck) and documents (9, 3 stuck); custody and school are not.
    assert fig.title == "93 of 120 people in stages where a long stay counts as stuck have been there over 180 days"
    assert fig.alt == (
        "Bar chart: median days in each open stage, with the 75th percentile. "
        "Longest median: Custody (sentence), 2,482 days. "
        "Stuck over 180 days: 93 of 120 in the stages where that counts, most in Family placement (90). "
        "Not counted as stuck, because a long stay there is expected: Custody (sentence) and School, training or work."
    )


def test_time_in_stage_labels_say_stuck_only_where_a_long_stay_counts():
    svg = svg_texts(_svg(all_figures()["time_in_stage"]))
    assert "90 of 111 over 180 days" in svg and "3 of 9 over 180 days" in svg
    assert "14 people, not counted as stuck" in svg and "120 people, not counted as stuck" in svg
    assert not any("of 14 over" in text or "of 120 over" in text for text in svg)


def test_time_in_stage_chart_where_no_stage_counts():
    table = time_in_stage_table()
    table = table.loc[~table["counts_as_stuck"]]
    fig = charts.time_in_stage_chart(table)
    assert fig.title == "Nobody is in a stage where a long stay counts as stuck"
    assert "Stuck over" not in fig.alt


def test_scores_chart():
    fig = all_figures()["scores"]
    assert marks(fig.spec) == ["area", "line", "point"]
    line = encoding(fig.spec, "line")
    assert line["y"]["scale"]["domain"] == [0, 1]
    assert line["strokeDash"]["field"] == line["color"]["field"] == "dimension"
    assert fig.subtitle.startswith("Banding and composite are our convention")
    assert fig.title == "The median composite score rose from 0.30 (H1 2019) to 0.40 (H2 2019)"


def test_services_by_month_is_a_row_of_monthly_line_per_type_of_service():
    by_month = all_figures()["services"]
    assert marks(by_month.spec) == ["rule", "line", "point", "text"]
    line = encoding(by_month.spec, "line")
    assert (line["x"]["field"], line["y"]["field"], line["yOffset"]["field"]) == ("month", "service", "level")
    assert line["y"]["sort"] == ["Psychosocial", "Theological", "Legal", "Medical", "Education", "Vocational"]
    assert line["color"]["scale"]["domain"][0] == "psychosocial"
    assert by_month.title == "312 sessions from Jan 2019 to Feb 2019; 70% were education"
    assert by_month.alt == (
        "Line charts, one per type of service, each on its own scale: sessions per month. Largest type: "
        "education, 217 of 312. Busiest month: Jan 2019, 236 sessions."
    )
    assert by_month.subtitle == "Each service on its own scale, from none to its busiest month"


def test_services_by_type_label_each_bar_under_it():
    by_type = all_figures()["services_type"]
    assert marks(by_type.spec) == ["bar", "text"]
    labels = next(view for view in views(by_type.spec) if view["mark"]["type"] == "text")
    assert labels["encoding"]["x"] == {"value": 0} and labels["mark"]["baseline"] == "top"
    assert by_type.title == "Education made up 79% of sessions in the last 12 months"
    assert "Largest: education, 11,907 of 15,006 sessions, 317 people." in by_type.alt


def test_region_tiles_chart_greys_regions_without_a_value():
    fig = all_figures()["tiles"]
    assert marks(fig.spec) == ["rect", "text"]
    rect = encoding(fig.spec, "rect")
    assert (rect["x"]["field"], rect["y"]["field"]) == ("grid_col", "grid_row")
    assert rect["color"]["condition"]["field"] == "share_school_work"
    assert rect["color"]["value"] == theme.MISSING
    assert fig.title == "Share in school, training or work ranges from 81% (Aktobe) to 86% (West Kazakhstan)"
    assert fig.subtitle == "Grey tiles: no people placed or no value, 1 of 3 regions"


def test_region_tiles_chart_by_people():
    fig = charts.region_tiles_chart(region_summary_table(), "people")
    assert fig.title == "Most people were placed in Aktobe: 59 of 88"
    assert "Highest: Aktobe, 59." in fig.alt


@pytest.mark.parametrize(
    ("reached", "title"),
    [
        # Nobody in school or work anywhere (people in custody, say): 0% is the highest share too.
        ([0, 0, 0], "Share in school, training or work: 0% in each of the 2 regions with a value"),
        ([29, 59, 0], "Share in school, training or work: 100% in each of the 2 regions with a value"),
        ([0, 48, 0], "Share in school, training or work ranges from 0% (West Kazakhstan) to 81% (Aktobe)"),
    ],
)
def test_a_map_whose_regions_all_read_the_same_says_so(reached, title):
    summary = region_summary_table().assign(reached_school_work=reached)
    summary["share_school_work"] = summary["reached_school_work"] / summary["people"].where(summary["people"] > 0)
    assert charts.region_tiles_chart(summary, "share_school_work").title == title
    assert charts.regions.regions_title(summary, "share_school_work")[0] == title  # the outline map's


def test_a_map_of_zero_shares_names_them_all_as_highest_and_lowest():
    summary = region_summary_table().assign(reached_school_work=0, share_school_work=[0.0, 0.0, float("nan")])
    assert charts.region_tiles_chart(summary, "share_school_work").alt == (
        "Tile map of 3 regions coloured by share in school, training or work. Highest: West Kazakhstan and "
        "Aktobe, 0% each. Lowest: West Kazakhstan and Aktobe, 0% each. 2 regions have a value."
    )


def test_a_map_with_one_region_valued_names_it_with_its_value():
    summary = region_summary_table()
    summary.loc[1, ["share_school_work", "median_composite"]] = float("nan")
    assert charts.region_tiles_chart(summary, "share_school_work").title == (
        "Share in school, training or work: 86% in West Kazakhstan"
    )
    assert charts.region_tiles_chart(summary, "median_composite").title == (
        "Median latest composite score: 0.66 in West Kazakhstan"
    )


def test_region_tiles_chart_rejects_an_unknown_measure():
    with pytest.raises(ValueError, match="measure must be one of people"):
        charts.region_tiles_chart(region_summary_table(), "sessions")


def test_region_stage_heatmap():
    fig = all_figures()["heatmap"]
    assert marks(fig.spec) == ["rect", "text"]
    rect = encoding(fig.spec, "rect")
    assert rect["x"]["sort"] == {"field": "order", "op": "min"}
    assert encoding(fig.spec, "text")["text"]["field"] == "label"
    assert fig.title == "The largest group is Case closed in Aktobe: 28 of 70 people"


def test_the_heatmap_names_every_stage_above_a_phone_s_columns():
    """Ten stages over a 390 px phone: every name is drawn, none thinned out as Streamlit's theme
    (`labelOverlap`) would, slanted so that they do not overlap, cut where too long."""
    vlc = pytest.importorskip("vl_convert")
    stages = [
        ("arrival", "Arrival & screening"),
        ("adaptation", "Adaptation centre"),
        ("investigation", "Investigation"),
        ("custody", "Custody (sentence)"),
        ("placement", "Family placement"),
        ("documents", "Documents & benefits"),
        ("school_work", "School, training or work"),
        ("follow_up", "Community follow-up"),
        ("closed", "Case closed"),
        ("lost", "Moved or lost to follow-up"),
    ]
    table = pd.DataFrame(
        [
            (region, region, stage, label, order, 3)
            for region in ("Turkistan", "Aktobe")
            for order, (stage, label) in enumerate(stages, start=1)
        ],
        columns=["region", "region_name", "stage", "stage_label", "order", "people"],
    )
    spec = charts.region_stage_heatmap(table).to_dict(width=390)
    axis = encoding(spec, "rect")["x"]["axis"]
    assert (axis["labelOverlap"], axis["labelAngle"], axis["labelLimit"]) == (False, 60, 170)
    streamlit_theme = {**spec["config"], "axis": {**spec["config"]["axis"], "labelOverlap": True}}
    svg = vlc.vegalite_to_svg({**spec, "config": streamlit_theme})
    drawn = [
        html.unescape(text)
        for opacity, text in re.findall(r'<text[^>]*opacity="([^"]*)"[^>]*>([^<]*)</text>', svg)
        if opacity != "0"
    ]
    assert [label for _, label in stages if label in drawn] == [label for _, label in stages]


def _svg(fig) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(fig.to_dict(width=600))


def test_hidden_counts_are_drawn_as_their_text_and_announced():
    from data_access.disclosure import display

    table = region_stage_table().assign(people=[3, 1, 11, 14, 0, 6, 16, 28])
    released = display(table, "people", np.where(table["stage"] == "custody", 10, 5))
    hidden = int(released["people_suppressed"].sum())
    assert hidden == 3
    fig = charts.region_stage_heatmap(released)
    assert fig.subtitle.startswith(f"{hidden} small counts shown as <5 or <10 to protect people")
    assert fig.alt.endswith(f"{hidden} small counts are shown as <5 or <10 to protect people.")
    svg = _svg(fig)
    assert svg.count("&lt;5</text>") == int((released["people_text"] == "<5").sum())
    assert svg.count("&lt;10</text>") == int((released["people_text"] == "<10").sum())


def test_a_pivot_keeps_a_hidden_bar_visible_as_text():
    from data_access.disclosure import display

    counts = counts_by_table(["sex"]).assign(people=[3, 40])
    fig = charts.pivot_chart(display(counts, "people", 5), ["sex"])
    svg = _svg(fig)
    assert "&lt;5</text>" in svg and ">40</text>" in svg


def test_pivot_chart_one_dimension():
    fig = charts.pivot_chart(counts_by_table(["sex"]), ["sex"])
    bars = encoding(fig.spec, "bar")
    assert bars["y"]["field"] == "sex_label" and "yOffset" not in bars
    assert fig.alt == "Bar chart: people by sex. Largest: Female, 375 of 626."


def test_pivot_chart_two_dimensions_are_grouped_bars():
    fig = all_figures()["pivot"]
    bars = encoding(fig.spec, "bar")
    assert bars["yOffset"]["field"] == bars["color"]["field"] == "group_label"
    assert bars["color"]["scale"]["range"] == [theme.GROUP_COLOURS[g] for g in ("man", "woman", "child")]
    assert fig.alt == "Grouped bar chart: people by cohort and group. Largest: Jusan-1, Children, 30 of 61."


def test_unaccompanied_chart():
    fig = all_figures()["unaccompanied"]
    bars = encoding(fig.spec, "bar")
    assert bars["y"]["field"] == "cohort_label"
    assert bars["yOffset"]["field"] == bars["color"]["field"] == "unaccompanied_label"
    assert bars["color"]["scale"]["domain"] == ["With a parent", "Unaccompanied"]
    assert fig.title == "16 of 44 children returned without a parent"
    assert fig.alt.endswith("Unaccompanied: 16 of 44; most in Rusafa, 14.")


# --- empty selections --------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(all_figures()))
def test_an_empty_table_gives_a_figure_not_an_error(name):
    fig = all_figures()[name]
    empty = fig.data.iloc[0:0]
    builders = {
        "arrivals": lambda t: charts.arrivals_chart(t, COHORT_IDS),
        "arrivals_timeline": charts.arrivals_timeline_chart,
        "pyramid": charts.pyramid_chart,
        "stage": lambda t: charts.stage_chart(t, STAGE_IDS),
        "funnel": lambda t: charts.funnel_chart(t, STAGE_IDS),
        "occupancy": lambda t: charts.occupancy_chart(t, STAGE_IDS),
        "milestone": lambda t: charts.milestone_chart(t, COHORT_IDS),
        "time_in_stage": charts.time_in_stage_chart,
        "scores": charts.scores_chart,
        "services": charts.services_chart,
        "services_type": charts.services_type_chart,
        "tiles": lambda t: charts.region_tiles_chart(t, "share_school_work"),
        "heatmap": charts.region_stage_heatmap,
        "pivot": lambda t: charts.pivot_chart(t, ["cohort", "group"]),
        "unaccompanied": charts.unaccompanied_chart,
    }
    result = builders[name](empty)
    assert result.title and result.alt
    assert result.to_dict()["data"]["values"] == []


# --- in Streamlit ------------------------------------------------------------------------------


def test_a_figure_renders_with_st_vega_lite_chart():
    from streamlit.testing.v1 import AppTest

    def app():
        import copy

        import pandas as pd
        import streamlit as st

        import charts

        table = pd.DataFrame(
            {
                "stage": ["arrival", "closed"],
                "stage_label": ["Arrival & screening", "Case closed"],
                "order": [1, 2],
                "track": ["rehabilitation", "exit"],
                "people": [352, 274],
                "share": [352 / 626, 274 / 626],
            }
        )
        fig = charts.stage_chart(table, ["arrival", "closed"], selectable=True)
        before = copy.deepcopy(fig.spec)
        st.vega_lite_chart(fig.data, fig.spec, alt=fig.alt, width="stretch", on_select="rerun", key="stages")
        st.session_state["template_unchanged"] = fig.spec == before

    at = AppTest.from_function(app).run()
    assert not at.exception
    (chart,) = at.get("vega_lite_chart")
    assert chart.proto.alt == "Bar chart: people by current stage. Largest: Arrival & screening, 352 of 626."
    assert chart.proto.data.data, "the table travels as Arrow beside the spec"
    assert "data" not in json.loads(chart.proto.spec)
    assert list(chart.proto.selection_mode) == ["pick"]
    assert at.session_state["template_unchanged"], "rendering must not change the shared template"


def test_long_titles_wrap_into_lines_and_short_ones_stay_whole():
    from charts.figure import wrap

    assert wrap("Short title") == "Short title"
    lines = wrap("626 people returned in 7 cohorts; 69% were children, most of them under 12")
    assert lines == ["626 people returned in 7 cohorts; 69% were", "children, most of them under 12"]


# --- in another language ----------------------------------------------------------------------

NOT_A_FIGURE = re.compile(r"\b(?:nan|NaN|None|NaT|-?inf)\b|<NA>")


def svg_texts(svg: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def withheld_figures() -> dict[str, charts.Figure]:
    """Figures whose tables have missing and hidden values, as the public level releases them."""
    from data_access.disclosure import display

    scores = scores_table()
    scores.loc[scores["period"] == scores["period"].max(), ["median", "q1", "q3"]] = float("nan")
    unscored = scores_table().assign(median=float("nan"))
    heatmap = display(region_stage_table().assign(people=[3, 1, 11, 14, 0, 6, 16, 28]), "people", 5)
    services = display(services_type_table().assign(people=[3, 110, 317]), "people", 5)
    return {
        "scores_latest_hidden": charts.scores_chart(scores),
        "scores_none_shown": charts.scores_chart(unscored),
        "heatmap_hidden": charts.region_stage_heatmap(heatmap),
        "services_type_hidden": charts.services_type_chart(services),
        "tiles_median": charts.region_tiles_chart(region_summary_table(), "median_composite"),
    }


def test_russian_figures_never_show_a_missing_value_as_nan_or_none():
    with i18n.use("ru"):
        figures = {**all_figures(), **withheld_figures()}
    for name, fig in figures.items():
        for text in (fig.title, fig.subtitle, fig.alt, json.dumps(fig.spec["title"], ensure_ascii=False)):
            assert not NOT_A_FIGURE.search(text), f"{name}: {text!r}"


def test_a_median_too_few_people_have_is_left_out_of_the_title():
    figures = withheld_figures()
    assert figures["scores_latest_hidden"].title == "The median composite score was 0.30 in H1 2019"
    assert figures["scores_none_shown"].title == "Too few people scored to show a median composite score"


def test_a_russian_figure_carries_vega_s_russian_locale():
    with i18n.use("ru"):
        fig = charts.stage_chart(stage_distribution([0, 14, 338, 274]), STAGE_IDS)
    locale = fig.spec["config"]["locale"]
    assert locale["number"]["thousands"] in ("\u00a0", "\u202f")
    assert locale["number"]["decimal"] == ","
    assert locale["time"]["months"][0] == "январь"
    assert locale["time"]["days"][0] == "воскресенье", "d3 counts days from Sunday"
    english = charts.stage_chart(stage_distribution([0, 14, 338, 274]), STAGE_IDS).spec["config"]["locale"]
    assert (english["number"]["thousands"], english["time"]["shortMonths"][8]) == (",", "Sep")
    validate_jsonschema(fig.to_dict(width=800), load_schema())


def test_a_russian_svg_groups_thousands_and_names_months_in_russian():
    from charts._spec import figure, freeze

    months = pd.DataFrame(
        {"month": pd.date_range("2019-01-01", periods=6, freq="MS"), "people": [1200, 1500, 900, 2100, 1800, 1234]}
    )
    with i18n.use("ru"):
        x = alt.X("month:T", scale=alt.Scale(type="utc"), axis=alt.Axis(format="%B %Y", tickCount="month"))
        line = alt.Chart().mark_line().encode(x=x, y="people:Q")
        over_time = figure(freeze(line.properties(width="container")), months, "Люди", "Линия")
        by_type = charts.services_type_chart(services_type_table())
        axis, labels = svg_texts(render_svg(over_time)), svg_texts(render_svg(by_type))
    assert re.search(r"^2[\u00a0\u202f]000$", "\n".join(axis), re.MULTILINE), axis
    assert {"февраль 2019", "март 2019"} <= set(axis), axis
    assert any(re.match(r"11[\u00a0\u202f]907 ", text) for text in labels), "labels Vega writes use the locale"
    assert any(re.match(r"2[\u00a0\u202f]826 ", text) for text in labels)


def test_a_count_only_vega_knows_takes_its_form_in_the_browser(monkeypatch):
    from charts._spec import vega_plural

    catalog = Catalog(locale="ru")
    catalog.add(("{days} day", "{days} days"), ("{days} день", "{days} дня", "{days} дней"))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    russian = gettext.GNUTranslations(buffer)
    monkeypatch.setattr(i18n, "translations", lambda code: russian)
    with i18n.use("ru"):
        label = vega_plural(
            lambda n: i18n.ngettext("{days} day", "{days} days", n), "datum.days", days="format(datum.days, ',')"
        )
    spec = {
        "data": {"values": [{"days": days} for days in (1, 3, 5, 21, 112, 1234)]},
        "transform": [{"calculate": label, "as": "label"}],
        "mark": "text",
        "encoding": {"y": {"field": "label", "type": "nominal", "sort": None}, "text": {"field": "label"}},
    }
    vlc = pytest.importorskip("vl_convert")
    texts = svg_texts(vlc.vegalite_to_svg(spec))
    assert {"1 день", "3 дня", "5 дней", "21 день", "112 дней", "1,234 дня"} <= set(texts)


def test_milestone_curves_are_sent_as_runs_and_drawn_month_by_month():
    """A month that changes nothing is not sent: the browser gets the first month of each run of
    equal figures with its span, and repeats it over the span. The picture (lines and the
    invisible hover points, one a month) is the one the full table gives; a withheld month (no
    figure) is a run of its own."""
    vlc = pytest.importorskip("vl_convert")
    rows = []
    for cohort, reached in (("jusan-1", [0, 20, 20, 20, 40, 40]), ("rusafa", [0, 5, None, None, 7, 7])):
        for months, value in enumerate(reached):
            share = None if value is None else value / 50
            rows.append((cohort, COHORT_NAMES[cohort], "placement", "Family placement", months, value, 50, share))
    table = pd.DataFrame(
        rows, columns=["cohort", "cohort_name", "milestone", "milestone_label", "months", "reached", "base", "share"]
    ).astype({"reached": "Int64"})
    fig = charts.milestone_chart(table, COHORT_IDS)
    assert fig.drawn[["cohort", "months", "span"]].values.tolist() == [
        ["jusan-1", 0, 1],
        ["jusan-1", 1, 3],
        ["jusan-1", 4, 2],
        ["rusafa", 0, 1],
        ["rusafa", 1, 1],
        ["rusafa", 2, 2],
        ["rusafa", 4, 2],
    ]
    spec = fig.to_dict(width=800)

    def picture(values: pd.DataFrame) -> str:
        return vlc.vegalite_to_svg({**spec, "data": {"values": records(values)}})

    assert picture(fig.drawn) == picture(fig.data)
    assert picture(fig.drawn.assign(span=1)) != picture(fig.data)  # the spans do the repeating


def test_a_hidden_count_in_a_stage_is_someone_not_nobody():
    """Public: "<5 of the <5 people in those stages" above must not meet a chart that says nobody
    is in such a stage; totals that would leave the hidden counts out are not stated."""
    public = Release(load_snapshot(SAMPLE_ROOT.parent / "public" / "2026-09-30"), Access("public"))
    assert public.stuck_totals(Filters(), 180) == ("<5", "<5")
    figure = charts.time_in_stage_chart(public.time_in_stage(Filters(), 180))
    assert figure.title == "Median days in each open stage"
    assert "Stuck over" not in figure.alt


def test_a_title_starts_with_a_capital_in_every_language():
    """The Kazakh for "People by region: ..." opens with its placeholder, filled with a word in
    the middle of a sentence ("өңір"): the title still starts with a capital."""
    table = pd.DataFrame({"region": ["KZ-47", "KZ-61"], "region_label": ["Mangystau", "Turkistan"], "people": [5, 9]})
    with i18n.use("kk"):
        figure = charts.pivot_chart(table, ["region"])
    assert figure.title[0].isupper(), figure.title


def test_a_long_name_on_an_axis_takes_two_lines_instead_of_being_cut(latest):
    """Russian stage names are longer than a chart's labels: a long one takes two lines, broken
    at a space, rather than "Сопровождение по месту жи…" (in the browser a half-width chart breaks
    them from 17 characters, a file from 30)."""
    with i18n.use("ru"):
        table = Release(latest, Access()).stage_distribution(Filters())
        drawn = render_svg(charts.stage_chart(table, latest.categories("stage")))
    lines = [html.unescape(line) for line in re.findall(r"<tspan[^>]*>([^<]*)</tspan>", drawn)]
    assert "Сопровождение по месту жительства" in table["stage_label"].tolist()
    assert lines == ["Сопровождение по месту", "жительства"]
    assert "Прибытие и проверка" in svg_texts(drawn)  # short enough for one line


def test_a_chart_names_the_groups_held_back_whole_and_draws_them_blank():
    """Public: the region x stage heatmap holds small regions' rows back whole; its note names
    those regions (not the stages other regions still show), and their cells are drawn "—", not
    "not shown" ten times over."""
    public = Release(load_snapshot(SAMPLE_ROOT.parent / "public" / "2026-09-30"), Access("public"))
    figure = charts.region_stage_heatmap(public.region_stage(Filters()))
    assert "Not shown, too few people in some part of the selection: Kostanay" in figure.subtitle
    assert "Abai" in figure.subtitle and "Arrival" not in figure.subtitle
    held = figure.data["people_text"] == "not shown"
    assert held.any() and (figure.drawn.loc[held, "people_text"] == "—").all()


def test_a_public_title_states_the_size_under_every_page_not_a_sum_of_perturbed_parts():
    """Kyzylorda at the public level: 36 people (29 children, as released). Its parts are
    perturbed one by one and the men's and women's hidden, so adding up what is shown gave "27
    people returned; 100% were children" and "16 of 39". Titles take the released size, and
    state no share of a sum with hidden parts."""
    public = Release(load_snapshot(SAMPLE_ROOT.parent / "public" / "2026-09-30"), Access("public"))
    kyzylorda = Filters(region=("KZ-43",))
    assert public.base_n(kyzylorda) == 36
    arrivals = charts.arrivals_chart(public.arrivals(kyzylorda), ())
    assert arrivals.title == "36 people returned in 3 cohorts"
    stages = charts.stage_chart(public.stage_distribution(kyzylorda), ())
    assert stages.title == "Most people are now in Case closed: 16 of 36 (44%)"
