"""Exports: CSV text compared with a golden file, formula neutralisation on hostile labels, and
PNG / SVG files that are what they claim to be, rendered without the network."""

from __future__ import annotations

import datetime as dt
import io
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

import charts
from charts import export as chart_export
from charts.figure import Figure
from data_access import Filters, export
from data_access import queries as q

GOLDEN = Path(__file__).parent / "golden"
NOTE = "Second Chance · Everyone who returned · n = 6 · as of 30 Jun 2022\nSynthetic sample data: no real person is described."


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_stage_table_csv_matches_the_golden_file(tiny_snapshot):
    table = q.stage_distribution(tiny_snapshot, Filters())
    expected = (GOLDEN / "stage_distribution_tiny.csv").read_text(encoding="utf-8")
    assert export.csv_text(table, NOTE) == expected


def test_csv_without_a_note_is_the_plain_table(tiny_snapshot):
    table = q.stage_distribution(tiny_snapshot, Filters())
    text = export.csv_text(table)
    assert text.startswith("stage,stage_label,order,track,people,share\narrival,Arrival & screening,1,")
    assert pd.read_csv(io.StringIO(text))["people"].tolist() == table["people"].tolist()


def test_the_note_lines_can_be_skipped_to_read_the_table_back(tiny_snapshot):
    table = q.stage_distribution(tiny_snapshot, Filters())
    text = export.csv_text(table, NOTE)
    back = pd.read_csv(io.StringIO(text), skiprows=len(export.note_lines(NOTE)))
    assert back["stage"].tolist() == table["stage"].tolist()


HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1", "ok", "a=b", "Jusan-2"]


@pytest.mark.parametrize("label", HOSTILE)
def test_neutralise_prefixes_only_formula_starts(label):
    expected = "'" + label if label[0] in "=+-@\t\r" else label
    assert export.neutralise(label) == expected


def test_hostile_labels_and_headers_are_neutralised_in_the_csv_but_numbers_are_not():
    table = pd.DataFrame(
        {
            "=cmd|' /C calc'!A0": ["=1+2", "@SUM(A1)", "+7", "-x", "\tfoo", "Rusafa"],
            "people": [1, -2, 3, 4, 5, 6],
        }
    )
    table["=cmd|' /C calc'!A0"] = table["=cmd|' /C calc'!A0"].astype("category")
    assert export.csv_text(table) == (
        "'=cmd|' /C calc'!A0,people\n'=1+2,1\n'@SUM(A1),-2\n'+7,3\n'-x,4\n'\tfoo,5\nRusafa,6\n"
    )


def test_a_note_starting_with_a_formula_character_cannot_run():
    assert export.csv_text(pd.DataFrame({"a": [1]}), "=1+1") == "# =1+1\na\n1\n"


def test_file_names_carry_chart_selection_and_as_of_date():
    name = export.file_name("overview-arrivals", "Jusan-2 and Rusafa · Mangystau", dt.date(2026, 9, 30), "png")
    assert name == "second-chance_overview-arrivals_jusan-2-and-rusafa-mangystau_2026-09-30.png"


@pytest.fixture(scope="module")
def stage_figure(tiny_snapshot) -> Figure:
    stages = q.stage_distribution(tiny_snapshot, Filters())
    return charts.stage_chart(stages, list(tiny_snapshot.stages["stage_id"]))


def test_png_is_a_png_at_twice_the_export_width(stage_figure):
    width, height = png_size(chart_export.png(stage_figure, caption="Everyone · as of 30 Jun 2022"))
    assert width == 2 * chart_export.EXPORT_WIDTH == 1920
    assert 400 < height < 2000


def test_svg_parses_and_keeps_its_text(stage_figure):
    text = chart_export.svg(stage_figure, caption="Everyone who returned · as of 30 Jun 2022")
    root = ET.fromstring(text)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert float(root.get("width")) == chart_export.EXPORT_WIDTH
    words = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "Everyone who returned · as of 30 Jun 2022" in words
    assert "School, training or work" in words


def test_export_spec_adds_the_caption_under_the_title_and_a_white_background(stage_figure):
    spec = chart_export.export_spec(stage_figure, caption="Rusafa · as of 30 Sep 2026")
    assert spec["title"]["subtitle"] == ["Rusafa · as of 30 Sep 2026"]
    assert spec["background"] == "white"
    assert "title" in stage_figure.spec and "subtitle" not in stage_figure.spec["title"], "the figure is untouched"


def test_rendering_refuses_to_fetch_anything():
    spec = {"layer": [{"data": {"url": "https://example.invalid/people.csv"}, "mark": "point"}]}
    fig = Figure(spec=spec, data=pd.DataFrame({"x": [1]}), alt="", title="")
    with pytest.raises(ValueError, match="External data url not allowed"):
        chart_export.svg(fig)


def test_projector_spec_has_larger_type_a_fixed_height_and_no_title(stage_figure):
    spec = chart_export.projector_spec(stage_figure, height=520)
    assert spec["height"] == 520
    assert "title" not in spec
    assert spec["config"]["axis"]["labelFontSize"] == 21
    assert stage_figure.spec["config"]["axis"]["labelFontSize"] == 14, "the shared template is untouched"


def test_projector_spec_scales_font_sizes_set_on_marks(tiny_snapshot):
    fig = charts.region_tiles_chart(q.region_summary(tiny_snapshot, Filters()), "people")
    marks = [layer["mark"] for layer in chart_export.projector_spec(fig, height=520)["layer"]]
    text = next(mark for mark in marks if mark["type"] == "text")
    assert text["fontSize"] == {"expr": "round((bandwidth('x') < 72 ? 11 : 13) * 1.5)"}
    assert text["lineHeight"] == {"expr": "round((bandwidth('x') < 72 ? 13 : 16) * 1.5)"}
    vlc = pytest.importorskip("vl_convert")
    svg = vlc.vegalite_to_svg({**chart_export.projector_spec(fig, height=520), "data": fig.to_dict()["data"]})
    assert 'font-size="20px"' in svg, "a wide tile's 13 px label, 1.5 times larger"


def test_a_slide_makes_room_for_its_larger_labels():
    """On a slide the type is 1.5 times larger, and so is the room beside each bar for its label:
    the totals at the ends of the arrivals bars are drawn whole, not cut to "…"."""
    import re

    from tests.unit.test_charts import COHORT_IDS, arrivals_table

    vlc = pytest.importorskip("vl_convert")
    fig = charts.arrivals_chart(arrivals_table(), COHORT_IDS)
    spec = chart_export.projector_spec(fig, height=420)
    assert spec["params"] == [{"name": "label_char_width", "value": 10.5}]
    assert fig.spec["params"] == [{"name": "label_char_width", "value": 7}], "the shared template is untouched"
    svg = vlc.vegalite_to_svg({**spec, "width": 420, "data": fig.to_dict()["data"]})
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert {"47", "231", "14"} <= set(texts)
    assert not any("…" in text for text in texts)
