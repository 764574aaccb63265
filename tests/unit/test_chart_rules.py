"""What every chart promises its reader, checked on every builder: a tie is named as a tie, each
category has a colour of its own (or a label), no code reaches the page, a screen reader hears
titles and names (not field names and codes), and a chart fits a 390 px phone.

The charts are the hand-made ones of test_charts.py (`all_figures`) and the ones the pages draw
from the committed public sample, in English, Russian and Kazakh."""

from __future__ import annotations

import html
import io
import itertools
import json
import re
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import charts
import i18n
from charts import theme
from charts._spec import each, named, numbers, sums, top
from charts.figure import CONTAINER, PHONE
from data_access import Filters, load_snapshot
from data_access.columns import records
from data_access.release import Access, Release
from i18n import format as fmt
from tests.conftest import SAMPLE_ROOT
from tests.unit.test_charts import (
    COHORT_IDS,
    STAGE_IDS,
    all_figures,
    arrivals_table,
    counts_by_table,
    pyramid_table,
    region_stage_table,
    region_summary_table,
    services_month_table,
    services_type_table,
    stage_distribution,
    time_in_stage_table,
    unaccompanied_table,
)

vlc = pytest.importorskip("vl_convert")
ROOT = Path(__file__).resolve().parents[2]


@cache
def sample_figures(language: str = "en") -> dict[str, charts.Figure]:
    """Every chart the pages draw, from the public sample (hidden counts and all), in `language`."""
    snapshot = load_snapshot(SAMPLE_ROOT.parent / "public" / "2026-09-30")
    data, everyone = Release(snapshot, Access("public")), Filters()
    stages, cohorts = snapshot.categories("stage"), snapshot.categories("cohort")
    with i18n.use(language):
        return {
            "arrivals": charts.arrivals_chart(data.arrivals(everyone), cohorts),
            "arrivals_timeline": charts.arrivals_timeline_chart(data.arrivals(everyone)),
            "pyramid": charts.pyramid_chart(data.age_sex_pyramid(everyone)),
            "unaccompanied": charts.unaccompanied_chart(data.unaccompanied_children(everyone)),
            "regions": charts.pivot_chart(data.counts_by(everyone, ["region"]), ["region"]),
            "cohort_by_stage": charts.pivot_chart(data.counts_by(everyone, ["cohort", "stage"]), ["cohort", "stage"]),
            "cohort_by_region": charts.pivot_chart(
                data.counts_by(everyone, ["cohort", "region"]), ["cohort", "region"]
            ),
            "cohort_by_origin": charts.pivot_chart(
                data.counts_by(everyone, ["cohort", "origin"]), ["cohort", "origin"]
            ),
            "stage": charts.stage_chart(data.stage_distribution(everyone), stages, selectable=True),
            "funnel": charts.funnel_chart(data.stage_reached(everyone), stages),
            "occupancy": charts.occupancy_chart(data.stage_occupancy(everyone), stages),
            "milestone": charts.milestone_chart(data.time_to_milestone(everyone), cohorts),
            "time_in_stage": charts.time_in_stage_chart(data.time_in_stage(everyone, 180)),
            "scores": charts.scores_chart(data.assessment_scores(everyone)),
            "services": charts.services_chart(data.services_by_month(everyone)),
            "services_type": charts.services_type_chart(data.services_by_type(everyone)),
            "tiles": charts.region_tiles_chart(data.region_summary(everyone), "people"),
            "heatmap": charts.region_stage_heatmap(data.region_stage(everyone)),
        }


def every_figure() -> dict[str, charts.Figure]:
    return {**all_figures(), **{f"sample {name}": fig for name, fig in sample_figures().items()}}


FIGURES = list(every_figure())


def views(spec: dict) -> list[dict]:
    """Every unit view of a spec, however deeply layered."""
    if "layer" in spec:
        return [view for child in spec["layer"] for view in views(child)]
    return [spec]


def mark_of(view: dict) -> dict:
    mark = view["mark"]
    return mark if isinstance(mark, dict) else {"type": mark}


def field_definitions(view: dict):
    """(channel, definition) for every encoded field, conditions and tooltip lists included."""
    for channel, definition in view.get("encoding", {}).items():
        for item in definition if isinstance(definition, list) else [definition]:
            if not isinstance(item, dict):
                continue
            for candidate in (item, item.get("condition")):
                if isinstance(candidate, dict) and "field" in candidate:
                    yield channel, candidate


# --- a tie is a tie ---------------------------------------------------------------------------


def test_top_is_every_key_that_shares_the_largest_value():
    assert top({"a": 35, "b": 12, "c": 35}) == ["a", "c"]
    people = numbers(pd.DataFrame({"people": pd.array([35, 12, 35, None], dtype="Int64")}))
    assert top(dict(enumerate(people.tolist()))) == [0, 2], "rows of a table, by number"
    assert top({"a": 35, "b": pd.NA}, lowest=True) == ["a"], "pd.NA is missing too"
    assert top({"a": 0, "b": 0}) == [], "nobody is not the largest group"
    assert top({}) == []
    assert top({"a": 35, "b": 12, "c": float("nan"), "d": None}, lowest=True) == ["b"], (
        "a hidden count is never the smallest"
    )
    assert top({"a": 0, "b": 0, "c": float("nan")}, lowest=True) == ["a", "b"]
    assert top({"a": 0.0, "b": 0.0}, zero=True) == ["a", "b"], "0% in every region is the highest share too"
    assert top({"x": 0.861, "y": 0.859, "z": 0.5}, text=fmt.percent) == ["x", "y"], "both read 86%"
    assert top({"x": 0.861, "y": 0.859, "z": float("inf")}) == ["x"], "nothing infinite leads"


def test_sums_add_up_as_pandas_does_skipping_hidden_counts():
    """`sums` is `groupby(key, sort=False).sum()` for a title's few rows: keys in the order they
    first appear, a hidden (missing) count adding nothing, a missing key left out."""
    table = pd.DataFrame(
        {
            "cohort": pd.array(["b", "a", "b", None, "a"], dtype="string"),
            "sex": ["f", "m", "f", "f", "f"],
            "people": pd.array([3, 4, None, 9, 5], dtype="Int64"),
            "base": [10, 20, 30, 40, 50],
        }
    )
    assert sums(table, "cohort", ("people", "base")) == {"b": [3, 40], "a": [9, 70]}
    grouped = table.groupby("cohort", sort=False)[["people", "base"]].sum()
    assert {key: list(row) for key, row in zip(grouped.index, grouped.values.tolist(), strict=True)} == sums(
        table, "cohort", ("people", "base")
    )
    assert sums(table, ("cohort", "sex"), ("people",)) == {("b", "f"): [3], ("a", "m"): [4], ("a", "f"): [5]}
    assert sums(table, "cohort", ("people",), where=np.array([False, True, True, True, False])) == {"a": [4], "b": [0]}
    assert sums(table.iloc[0:0], "cohort", ("people",)) == {}


def test_records_are_the_rows_as_pandas_gives_them():
    table = pd.DataFrame(
        {
            "stage": pd.Categorical(["a", "b"]),
            "people": pd.array([3, None], dtype="Int64"),
            "share": [0.5, float("nan")],
            "day": pd.to_datetime(["2026-01-31", "2026-02-28"]),
        }
    )
    pandas = table.to_dict("records")
    assert records(table)[0] == pandas[0]
    assert records(table)[1]["people"] is pd.NA and pandas[1]["people"] is None  # both missing to pd.isna
    second = records(table)[1]
    assert (
        (second["stage"], second["day"]) == (pandas[1]["stage"], pandas[1]["day"]) == ("b", pd.Timestamp("2026-02-28"))
    )
    assert np.isnan(second["share"]) and np.isnan(pandas[1]["share"])
    assert records(table.iloc[0:0]) == []


def test_tied_names_are_listed_then_counted():
    assert named(["Aktobe"]) == "Aktobe"
    assert named(["Aktobe", "Shymkent"]) == "Aktobe and Shymkent"
    assert named(["A", "B", "C"]) == "A, B, and C"
    assert named(["A", "B", "C", "D", "E"]) == "A, B, C and 2 more"
    assert (each("35", 1), each("35", 2)) == ("35", "35 each")
    with i18n.use("ru"):
        assert named(["Актобе", "Шымкент"]) == "Актобе и Шымкент"


def tied(table: pd.DataFrame, **values) -> pd.DataFrame:
    return table.assign(**values)


def arrivals_tied() -> pd.DataFrame:
    """Two cohorts of 60 people, one in 2019, one in 2020, so the years tie too."""
    frame = arrivals_table().loc[lambda t: t["cohort"] != "jusan-2"].copy()
    frame["people"] = [30, 10, 20, 40, 10, 10]
    frame.loc[frame["cohort"] == "rusafa", "arrival_date"] = pd.Timestamp("2020-11-27")
    return frame


TIES = {
    "heatmap": (
        lambda: charts.region_stage_heatmap(tied(region_stage_table(), people=[0, 1, 11, 14, 0, 0, 28, 28])),
        "The largest groups are Family placement in Aktobe and Case closed in Aktobe: 28 each of 82 people",
        "Heatmap: people by placement region and current stage. Largest cells, 28 each: Family placement in "
        "Aktobe and Case closed in Aktobe. Region with most people: Aktobe, 56 of 82 (68%).",
    ),
    "heatmap_regions": (
        lambda: charts.region_stage_heatmap(tied(region_stage_table(), people=[0, 1, 11, 14, 0, 0, 12, 14])),
        "The largest groups are Case closed in West Kazakhstan and Case closed in Aktobe: 14 each of 52 people",
        "Regions with most people, 26 each of 52 (50% each): West Kazakhstan and Aktobe.",
    ),
    "stage": (
        lambda: charts.stage_chart(stage_distribution([0, 14, 274, 274]), STAGE_IDS),
        "Most people are now in Family placement and Case closed: 274 each of 562 (49% each)",
        "Bar chart: people by current stage. Largest: Family placement and Case closed, 274 each of 562.",
    ),
    "tiles": (
        lambda: charts.region_tiles_chart(
            tied(region_summary_table(), people=[29, 59, 59], share_school_work=[0.9, 0.8, 0.9]), "people"
        ),
        "Most people were placed in Aktobe and Mangystau: 59 each of 147",
        "Highest: Aktobe and Mangystau, 59 each. Lowest: West Kazakhstan, 29.",
    ),
    "tiles_share": (
        lambda: charts.region_tiles_chart(
            tied(region_summary_table(), people=[29, 59, 10], share_school_work=[0.861, 0.859, 0.5]),
            "share_school_work",
        ),
        "Share in school, training or work ranges from 50% (Mangystau) to 86% (West Kazakhstan and Aktobe)",
        "Highest: West Kazakhstan and Aktobe, 86% each. Lowest: Mangystau, 50%.",
    ),
    "pivot": (
        lambda: charts.pivot_chart(tied(counts_by_table(["sex"]), people=[300, 300]), ["sex"]),
        "People by sex: the largest groups are Female and Male (300 each of 600)",
        "Bar chart: people by sex. Largest: Female and Male, 300 each of 600.",
    ),
    "pivot_two": (
        lambda: charts.pivot_chart(
            tied(counts_by_table(["cohort", "group"]), people=[6, 11, 30, 0, 0, 30]), ["cohort", "group"]
        ),
        "People by cohort and group: the largest groups are Jusan-1 · Children and Rusafa · Children (30 each of 77)",
        "Grouped bar chart: people by cohort and group. Largest: Jusan-1 · Children and Rusafa · Children, "
        "30 each of 77.",
    ),
    "arrivals": (
        lambda: charts.arrivals_chart(arrivals_tied(), COHORT_IDS),
        "120 people returned in 2 cohorts; 58% were children",
        "Largest: Jusan-1 and Rusafa, 60 each of 120.",
    ),
    "arrivals_timeline": (
        lambda: charts.arrivals_timeline_chart(arrivals_tied()),
        "Most returns came in 2019 and 2020: 60 each of 120 people",
        "Largest: Jusan-1 and Rusafa, 60 people each.",
    ),
    "pyramid": (
        lambda: charts.pyramid_chart(tied(pyramid_table(), people=[94, 106, 106, 94, 29, 22, 156, 37, 2, 0])),
        "70% were under 18 at return; the largest age bands are 0-4 and 5-11 years",
        "Largest: female, 18-59 years, 156 of 646. Under 18: 451.",
    ),
    "pyramid_cells": (
        lambda: charts.pyramid_chart(tied(pyramid_table(), people=[106, 106, 94, 86, 29, 22, 56, 37, 2, 0])),
        "82% were under 18 at return; the largest age band is 0-4 years",
        "Largest, 106 each of 538: female aged 0-4 and male aged 0-4. Under 18: 443.",
    ),
    "time_in_stage": (
        lambda: charts.time_in_stage_chart(
            tied(time_in_stage_table(), stuck=[0, 0, 14, 14, 0], median_days=[np.nan, 400.2, 399.8, 90.0, 300.0])
        ),
        "28 of 120 people in stages where a long stay counts as stuck have been there over 180 days",
        "Longest median: Custody (sentence) and Family placement, 400 days each. Stuck over 180 days: 28 of 120 "
        "in the stages where that counts, most in Family placement and Documents & benefits (14 each).",
    ),
    "services": (
        lambda: charts.services_chart(tied(services_month_table(), sessions=[100, 50, 50])),
        "200 sessions from Jan 2019 to Feb 2019; 50% each were psychosocial and education",
        "Largest type: psychosocial and education, 100 each of 200. Busiest month: Jan 2019, 150 sessions.",
    ),
    "services_months": (
        lambda: charts.services_chart(tied(services_month_table(), sessions=[60, 40, 100])),
        "200 sessions from Jan 2019 to Feb 2019; 70% were education",
        "Busiest months: Jan 2019 and Feb 2019, 100 sessions each.",
    ),
    "services_type": (
        lambda: charts.services_type_chart(tied(services_type_table(), sessions=[2826, 273, 2826])),
        "Psychosocial and Education made up 48% of sessions each in the last 12 months",
        "Largest: psychosocial and education, 2,826 each of 5,925 sessions.",
    ),
    "unaccompanied": (
        lambda: charts.unaccompanied_chart(tied(unaccompanied_table(), people=[28, 14, 0, 14])),
        "28 of 56 children returned without a parent",
        "Unaccompanied: 28 of 56; most in Jusan-1 and Rusafa, 14 each.",
    ),
}


@pytest.mark.parametrize("case", list(TIES))
def test_a_sentence_that_names_the_largest_names_every_tied_one(case):
    build, title, alt_text = TIES[case]
    fig = build()
    assert fig.title == title
    assert alt_text in fig.alt


def test_a_change_chart_names_tied_rises_and_falls():
    from charts.change import stage_change_chart

    change = stage_distribution([5, 14, 30, 30]).assign(previous=[10, 9, 25, 25])
    change["change"] = change["people"] - change["previous"]
    fig = stage_change_chart(change, "31 Mar 2026")
    assert (
        fig.title
        == "Since 31 Mar 2026: +5 each in Custody (sentence), Family placement, and Case closed, −5 in Arrival & screening"
    )


def test_no_sentence_picks_one_of_several_equals():
    """`top` is the one way a chart, a slide or a summary finds the largest: pandas' and
    numpy's arg-max and arg-min return the first of a tie, and the sentence then names one."""
    sources = [
        *(ROOT / "charts").glob("*.py"),
        *(ROOT / "briefing").glob("*.py"),
        *(ROOT / "app_pages").glob("*.py"),
        *(ROOT / "ui").glob("*.py"),
        ROOT / "data_access" / "narrative.py",
    ]
    picks = re.compile(r"\b(?:idxmax|idxmin|argmax|argmin|nanargmax|nanargmin)\(|\.nlargest\(|\.nsmallest\(")
    found = [
        f"{path.name}: {line.strip()}"
        for path in sources
        for line in path.read_text().splitlines()
        if picks.search(line)
    ]
    assert found == []


# --- colour ---------------------------------------------------------------------------------------


def colour_scales(spec: dict):
    """(field, scale) for every colour encoding of a category."""
    for view in views(spec):
        for channel, definition in field_definitions(view):
            if channel in ("color", "fill", "stroke") and definition.get("type") in ("nominal", "ordinal"):
                yield definition["field"], definition.get("scale", {})


@pytest.mark.parametrize("name", FIGURES)
def test_every_category_has_a_colour_of_its_own(name):
    """A colour stands for one category: the range is as long as the domain and never repeats a
    colour (ten stages, ten colours); a dimension with more values is labelled, not coloured."""
    fig = every_figure()[name]
    for field, scale in colour_scales(fig.spec):
        domain, colours = scale.get("domain"), scale.get("range")
        assert isinstance(domain, list) and isinstance(colours, list), f"{field}: colours must not depend on the data"
        assert len(colours) >= len(domain), f"{field}: {len(domain)} categories, {len(colours)} colours"
        assert len(set(colours[: len(domain)])) == len(domain), f"{field}: a colour stands for two categories"
        assert set(colours) <= set(theme.OKABE_ITO) | {theme.GREY, theme.DARK_GREY}, "colour-blind-safe palette only"


def test_twenty_regions_are_labelled_on_their_bars_not_given_eight_colours_twice():
    fig = sample_figures()["cohort_by_region"]
    bars = next(view for view in views(fig.spec) if mark_of(view)["type"] == "bar")
    assert bars["encoding"]["color"] == {"value": theme.BLUE}
    texts = svg_texts(fig.to_dict(width=900))
    assert {"Turkistan: 40", "Aktobe: 16", "Astana: <5", "Aktobe: not shown"} <= texts
    stages = sample_figures()["cohort_by_stage"]
    assert next(scale for field, scale in colour_scales(stages.spec))["range"] == list(theme.STAGE_COLOURS)


def test_palettes_never_repeat_a_colour():
    for palette in (theme.CATEGORY, theme.STAGE_COLOURS, theme.SERVICE_COLOURS, theme.SCORE_COLOURS):
        assert len(set(palette)) == len(palette)
    assert len(set(theme.TRACK_COLOURS.values())) == len(theme.TRACK_COLOURS)


# --- no codes ---------------------------------------------------------------------------------

CODES = (
    "stage",
    "cohort",
    "sex",
    "group",
    "service_type",
    "dimension",
    "track",
    "milestone",
    "origin_country",
    "region",
)


def svg_texts(spec: dict) -> set[str]:
    svg = vlc.vegalite_to_svg(spec)
    return {html.unescape(text) for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg)}


def codes_of(fig: charts.Figure) -> set[str]:
    """The codes in a chart's table that have a name to show instead ("jusan-1", "IQ", "female")."""
    return {str(code) for column in CODES if column in fig.data for code in fig.data[column].dropna().unique()}


@pytest.mark.parametrize("name", FIGURES)
def test_no_code_is_drawn_where_a_name_belongs(name):
    """Legends, axes and labels say "Iraq", "Jusan-1", "Female", never "IQ", "jusan-1", "female"."""
    fig = every_figure()[name]
    drawn = svg_texts(fig.to_dict(width=900))
    assert drawn & codes_of(fig) == set()
    assert not any(re.fullmatch(r"[a-z]+(_[a-z]+)+", text) for text in drawn), "a field's name on show"


# --- screen readers ---------------------------------------------------------------------------


def human(title: str) -> bool:
    """Words, not a field's name: "Share of the selection", "75th percentile, days"."""
    return bool(re.search(r"[^\W\d_]{2}", title)) and "_" not in title


@pytest.mark.parametrize("name", FIGURES)
def test_every_field_a_screen_reader_reads_has_a_human_title(name):
    """Vega-Lite describes a mark by its encoded fields, each by its title, or by the field's
    name ("group_rank: 0") where there is none. Helper layers (labels, invisible marks that make
    room or carry tooltips, rules) are hidden from screen readers instead."""
    spec = every_figure()[name].spec
    for view in views(spec):
        if mark_of(view).get("aria") is False:
            continue
        for channel, definition in field_definitions(view):
            if channel == "description":
                continue  # the words themselves (see `charts._spec.described`)
            title = definition.get("title")
            title = " ".join(title) if isinstance(title, list) else title
            assert title and human(title), f"{mark_of(view)['type']} {channel}: {definition['field']} untitled"
            assert title != definition["field"]


def test_titles_a_screen_reader_reads_are_translated():
    with i18n.use("ru"):
        figures = all_figures()
    for name, fig in figures.items():
        for view in views(fig.spec):
            if mark_of(view).get("aria") is False:
                continue
            for channel, definition in field_definitions(view):
                if channel == "description":
                    continue
                title = definition["title"]
                assert re.search("[а-яё]", " ".join(title) if isinstance(title, list) else title), (name, channel)


def aria_labels(fig: charts.Figure) -> list[str]:
    """What a screen reader hears for each mark item of the chart as drawn."""
    svg = vlc.vegalite_to_svg(fig.to_dict(width=900))
    items = [
        item
        for item in re.findall(r'<[^>]*role="graphics-symbol"[^>]*>', svg)
        if not re.search(r'aria-roledescription="(?:title|subtitle|axis|legend)"', item)
    ]
    return [html.unescape(label) for item in items for label in re.findall(r'aria-label="([^"]*)"', item)]


@pytest.mark.parametrize("name", FIGURES)
def test_a_screen_reader_hears_titles_and_names_never_field_names_or_codes(name):
    fig = every_figure()[name]
    heard = aria_labels(fig)
    assert heard, "the chart's marks are described"
    codes = codes_of(fig)
    for label in dict.fromkeys(heard):
        for part in label.split("; "):
            key, _, value = part.partition(": ")
            assert human(key) and key[0] == key[0].upper(), f"{label!r}"
            assert value not in codes, f"{label!r} reads a code"
            assert not re.search(r"\b(?:null|undefined|NaN)\b", value), f"{label!r}"


def test_a_bar_is_described_as_its_tooltip_reads_it():
    (first, *_) = aria_labels(all_figures()["stage"])
    assert first == "Stage: Arrival & screening; People: 0; Share of the selection: 0%"
    arrivals = aria_labels(all_figures()["arrivals"])
    assert "Cohort: Jusan-1; Arrived: 6 Jan 2019; Returned from: Syria; Group: Children; People: 30" in arrivals
    hidden = aria_labels(sample_figures()["heatmap"])
    assert "Region: West Kazakhstan; Stage: Custody (sentence); People: <10" in hidden, (
        "a hidden count reads as released"
    )


# --- phones -----------------------------------------------------------------------------------


def no_fixed_width(node) -> list:
    """Widths in pixels, and facets or concatenations (each keeps a width of its own)."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "width" and value != "container":
                found.append(value)
            if key in ("facet", "row", "column", "hconcat", "vconcat", "concat", "repeat"):
                found.append(key)
            found += no_fixed_width(value)
    elif isinstance(node, list):
        for item in node:
            found += no_fixed_width(item)
    return found


@pytest.mark.parametrize("name", FIGURES)
def test_a_chart_takes_its_container_s_width(name):
    spec = every_figure()[name].spec
    assert spec["width"] == "container" and spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert no_fixed_width({key: value for key, value in spec.items() if key != "config"}) == []


def on_a_phone(fig: charts.Figure, width: int = 390) -> np.ndarray:
    """The chart drawn `width` px wide as a phone's browser draws it: the container-dependent
    rules (shorter labels, one legend column) take the phone's width. Grey levels, 0 to 255."""
    from PIL import Image

    spec = json.loads(json.dumps(fig.to_dict(width=width)).replace(CONTAINER, str(width)))
    png = vlc.vegalite_to_png({**spec, "background": "white"}, scale=1)
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"))


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_nothing_is_cut_at_the_edges_of_a_phone(language):
    """No label, legend or title runs off a 390 px screen ("274 (44%" cut at the edge): the
    first and last columns of pixels are blank."""
    figures = sample_figures(language) if language != "en" else every_figure()
    cut = {}
    for name, fig in figures.items():
        pixels = on_a_phone(fig)
        assert pixels.shape[1] == 390
        edges = int((pixels[:, 0] < 200).sum() + (pixels[:, -1] < 200).sum())
        if edges:
            cut[name] = edges
    assert cut == {}


def test_phone_rules_apply_below_a_phone_s_width_only():
    config = theme.config()
    assert config["legend"]["columns"] == {"expr": f"{CONTAINER} < {PHONE} ? 1 : 2"}
    assert config["axis"]["labelLimit"] == {"expr": f"{CONTAINER} < {PHONE} ? 130 : 240"}
    assert config["axisDiscrete"] == {"labelOverlap": False}


def x_axis_labels(fig: charts.Figure, width: int = 390) -> list[list[tuple[float, float]]]:
    """Per x axis of the chart drawn `width` px wide, the left and right ends (px) of each label
    it shows, in order; a label's width is estimated from its characters (digits are about 0.56
    of the type's size)."""
    spec = json.loads(json.dumps(fig.to_dict(width=width)).replace(CONTAINER, str(width)))
    svg = vlc.vegalite_to_svg(spec)
    axes = []
    for axis in re.findall(r'aria-label="X-axis.*?role-axis-label"[^>]*>(.*?)</g>', svg, flags=re.S):
        spans = []
        for anchor, x, size, opacity, text in re.findall(
            r'<text text-anchor="(\w+)" transform="translate\(([-\d.]+),[-\d.]+\)"[^>]*font-size="([\d.]+)px"'
            r'[^>]*opacity="([\d.]+)"[^>]*>([^<]*)</text>',
            axis,
        ):
            if float(opacity) == 0:
                continue
            wide = len(html.unescape(text)) * 0.56 * float(size)
            left = {"start": 0, "middle": wide / 2, "end": wide}[anchor]
            spans.append((float(x) - left, float(x) - left + wide))
        axes.append(sorted(spans))
    return axes


@pytest.mark.parametrize("name", list(sample_figures()))
def test_numbers_on_a_phone_s_axis_keep_apart(name):
    """Numbers under a 390 px plot never touch ("90100"): the last one, drawn flush with the
    plot's end, counts as overlapping the one before when they are closer than a gap."""
    for spans in x_axis_labels(sample_figures()[name]):
        gaps = [round(right_start - left_end, 1) for (_, left_end), (right_start, _) in itertools.pairwise(spans)]
        assert all(gap >= 3 for gap in gaps), f"{spans}: gaps {gaps}"
