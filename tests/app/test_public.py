"""The dashboard at the public access level, through AppTest: every page works on the public
sample, no person-level value appears anywhere, a restricted snapshot is refused, and the level
cannot be changed from the link."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

from data_access.access import LEVEL_VARIABLE
from data_access.catalogue import ROOT_VARIABLE
from tests.app.helpers import PRESENT, ROOT, VIEWS, assert_page_ok, open_app, open_tables, shown_table
from ui.tables import label

PUBLIC_ROOT = ROOT / "sample_data" / "public"
RESTRICTED_ROOT = ROOT / "sample_data" / "snapshots"


@pytest.fixture(autouse=True)
def public_level(monkeypatch):
    monkeypatch.setenv(LEVEL_VARIABLE, "public")
    monkeypatch.delenv(ROOT_VARIABLE, raising=False)


def everything_shown(at: AppTest) -> str:
    """All text the page shows: Markdown, captions, metrics, tables, chart data and alt text,
    option labels of every widget."""
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "subheader"):
        parts += [str(e.value) for e in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    for chart in at.get("vega_lite_chart"):
        parts += [chart.proto.spec, chart.proto.alt]
        for arrow in [chart.proto.data, *(d.data for d in chart.proto.datasets)]:
            if arrow.data:
                parts.append(pa.ipc.open_stream(arrow.data).read_all().to_pandas().to_csv())
    for widget in at.multiselect:
        parts += list(widget.options)  # the labels as shown, facet counts included
    for table in at.table:
        parts.append(str(table.value))
    return "\n".join(parts)


def ids_in(root: Path) -> set[str]:
    """Every person and household id in the snapshots under `root` (restricted and public)."""
    found: set[str] = set()
    for people in root.glob("*/people.parquet"):
        table = pq.read_table(people, columns=["person_id", "household_id"])
        found |= {v for v in table.column("person_id").to_pylist() if v}
        found |= {v for v in table.column("household_id").to_pylist() if v}
    return found


@pytest.mark.parametrize("page", [*VIEWS, PRESENT])
def test_every_page_works_at_the_public_level_without_person_ids(page):
    at = open_tables(open_app(page))
    assert_page_ok(at, page)
    shown = everything_shown(at)
    assert "Public · disclosure-controlled aggregates" in shown
    ids = ids_in(PUBLIC_ROOT) | ids_in(RESTRICTED_ROOT)
    leaked = [token for token in set(re.findall(r"[A-Za-z0-9_-]{3,}", shown)) if token in ids]
    assert not leaked, f"person ids on {page}: {leaked[:5]}"
    if page != "about":
        assert at.get("vega_lite_chart"), f"{page} draws no chart"


def test_the_explorer_has_pivots_but_no_person_table():
    at = open_tables(open_app("explorer"))
    assert_page_ok(at, "explorer")
    assert any("Person-level rows are not available at the public access level" in i.value for i in at.info)
    assert not any(s.value == "People" for s in at.subheader)
    assert len(at.dataframe) == 2  # the pivot and the chart's own table
    assert all("person_id" not in frame.value.columns for frame in at.dataframe)
    assert not [b for b in at.get("download_button") if "people" in str(b.proto.label).lower()]


def test_small_counts_show_as_less_than_and_a_small_selection_shows_no_figures():
    at = open_tables(open_app("progress"))
    assert_page_ok(at, "progress")
    shown = everything_shown(at)
    assert re.search(r"\d+ small counts shown as <5 or <10 to protect people", shown)
    assert "<5" in shown and "<10" in shown
    # Jusan 2023 has 5 people: a selection under 20 shows no tiles and no charts.
    at = open_app("overview", cohort="jusan-2023")
    assert_page_ok(at, "overview")
    assert not at.metric and not at.get("vega_lite_chart")
    assert any("Selection too small to show" in i.value for i in at.info)
    assert any(m.value.startswith("**Selection too small to show**") for m in at.markdown)


def test_a_withheld_count_in_a_table_reaches_the_grid_as_its_text():
    """Streamlit's grid draws "None" over a missing value whatever the table says it reads: the
    region comparison sends a column with a withheld count as its words ("<5", or "not shown"
    for a region too small for its parts to be shown), aligned right as numbers are, and tells
    the grid to draw a missing share or score as "—"."""
    at = open_app("regions", cohort="jusan-1")
    assert_page_ok(at, "regions")
    table = at.dataframe[0]
    config = json.loads(table.proto.columns)
    assert table.proto.placeholder == "—"
    assert "<5" in table.value["people"].tolist()
    assert "not shown" in set(table.value["reached_school_work"])  # no region of Jusan-1 has 20
    assert config["reached_school_work"] == {
        "label": "Reached school, training or work",
        "alignment": "right",
        "type_config": {"type": "text"},
    }
    assert table.value["share_school_work"].isna().any()  # drawn as the placeholder, sorted as numbers
    assert "alignment" not in config["share_school_work"]


def test_a_small_groups_history_is_held_back_and_the_page_says_so():
    """Women placed in Kyzylorda: a handful of them were ever in investigation, custody or lost
    to follow-up, so those months are not drawn (nor their group of stages), the chart says which,
    the table shows "not shown" for every month, and no cohort of theirs has 20 for a curve."""
    at = open_tables(open_app("progress", region="KZ-43", sex="female"))
    assert_page_ok(at, "progress")
    specs = {chart.proto.spec for chart in at.get("vega_lite_chart")}
    alts = [chart.proto.alt for chart in at.get("vega_lite_chart")]
    note = "Not shown, too few people in some part of the selection: Investigation, Custody (sentence)"
    assert any(note in alt for alt in alts) and any("Not shown, too few people" in spec for spec in specs)
    titles = [block.proto.body for block in at.get("html")]
    assert any("No cohort has enough people here to draw its curve" in title for title in titles)
    occupancy = next(frame.value for frame in at.dataframe if "month" in frame.value.columns)
    custody = occupancy.loc[occupancy["stage_label"] == "Custody (sentence)", "people"]
    assert len(custody) > 12 and set(custody.astype(str)) == {"not shown"}


def test_the_overview_shows_the_true_total_within_the_bound_and_every_cohort():
    at = open_app()
    assert_page_ok(at)
    shown = {m.label: int(m.value.replace(",", "")) for m in at.metric}
    assert abs(shown["People who returned"] - 626) <= 3
    assert abs(shown["Men"] - 37) <= 3 and abs(shown["Women"] - 158) <= 3 and abs(shown["Children"] - 431) <= 3
    cohort = next(w for w in at.multiselect if w.key == "cohort")
    assert [option.rsplit(" (", 1)[0] for option in cohort.options] == [
        "Jusan-1",
        "Jusan-2",
        "Jusan-3",
        "Jusan, other 2019 flights",
        "Rusafa",
        "Jusan-5",
        "Jusan 2023",
    ]  # true cohorts: none merged, none withheld


def test_every_region_shows_its_placements(latest):
    at = open_app("regions")
    assert_page_ok(at, "regions")
    table = shown_table(at.dataframe[0]).set_index("Region")
    names = dict(zip(latest.regions["name_en"], latest.regions["region_code"], strict=True))
    truth = latest.people["region"].astype(str).value_counts()
    assert len(table) == 20
    for name, row in table.iterrows():
        region, text = names[name], str(row["People placed"])
        if truth.get(region, 0) >= 8:
            assert abs(int(text.replace(",", "")) - truth[region]) <= 3, (region, text)
        else:
            assert text in ("<5", "0") or abs(int(text) - truth.get(region, 0)) <= 3, (region, text)


def test_the_same_people_get_the_same_number_on_every_page():
    """Mangystau's people: the sidebar's facet count, the overview's tile for the region, the
    region table's row and the explorer's pivot are one group of people, so one number."""
    everyone = open_app()
    region = next(w for w in everyone.multiselect if w.key == "region")
    facet = region.format_func("KZ-47").rsplit("(", 1)[1].rstrip(")")
    mangystau = open_app(region="KZ-47")
    tile = next(m.value for m in mangystau.metric if m.label == "People who returned")
    regions = shown_table(open_app("regions").dataframe[0]).set_index("Region")
    explorer = open_app("explorer", rows="region").dataframe[0].value.set_index("region_label")
    assert facet == tile == regions.loc["Mangystau", "People placed"] == str(explorer.loc["Mangystau", "people"])


COUNTS = {"people", "value", "reached", "n", "stuck", "reached_school_work", "scored", "base"}


def test_no_count_from_one_to_four_appears_on_any_page():
    for page in [*VIEWS, PRESENT]:
        at = open_tables(open_app(page))
        for frame in at.dataframe:
            for column in set(frame.value.columns) & COUNTS:
                values = pd.to_numeric(frame.value[column], errors="coerce")
                assert not values.between(1, 4).any(), (page, column)
            shown = shown_table(frame)
            for column in set(shown.columns) & {label(c) for c in COUNTS}:
                assert not shown[column].isin(["1", "2", "3", "4"]).any(), (page, column)
        for metric in at.metric:
            assert metric.value not in {"1", "2", "3", "4"}, (page, metric.label)


def test_the_access_level_cannot_be_changed_from_the_link():
    at = open_app("explorer", access="restricted", access_level="restricted", level="restricted")
    assert_page_ok(at, "explorer")
    assert "Public · disclosure-controlled aggregates" in everything_shown(at)
    assert not any(s.value == "People" for s in at.subheader)


def test_a_restricted_snapshot_is_refused_with_a_clear_message(monkeypatch, tmp_path):
    shutil.copytree(PUBLIC_ROOT / "2026-09-30", tmp_path / "2026-09-30")
    shutil.copytree(RESTRICTED_ROOT / "2026-03-31", tmp_path / "2026-03-31")
    monkeypatch.setenv(ROOT_VARIABLE, str(tmp_path))
    at = open_app(snapshot="2026-03-31")
    assert_page_ok(at)
    assert at.selectbox(key="snapshot").options == ["30 Sep 2026 — latest"]
    captions = [re.sub(r"\\(.)", r"\1", c.value) for c in at.caption]  # Markdown escapes removed
    refused = [c for c in captions if "2026-03-31" in c]
    assert refused == ["**2026-03-31**: not available (the server's log says why)"]


def test_only_restricted_snapshots_means_a_message_without_the_servers_folders(monkeypatch):
    monkeypatch.setenv(ROOT_VARIABLE, str(RESTRICTED_ROOT))
    at = open_app()
    assert not at.exception
    assert any("public** access level" in e.value for e in at.error)
    assert str(RESTRICTED_ROOT) not in everything_shown(at) and "sample_data" not in everything_shown(at)
