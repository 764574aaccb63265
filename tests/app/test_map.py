"""The Regions page's map through AppTest: it opens on the map, the tile grid is one click (and
one link) away, a snapshot without outlines shows tiles only, and the public map works."""

from __future__ import annotations

import json

import pytest

from data_access.access import LEVEL_VARIABLE
from data_access.catalogue import ROOT_VARIABLE
from tests import tiny
from tests.app.helpers import assert_page_ok, charts, open_app


def marks(chart) -> list[str]:
    spec = json.loads(chart.proto.spec)
    return [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]


def test_regions_open_on_the_map_with_every_region_outlined():
    at = open_app("regions")
    assert_page_ok(at, "regions")
    assert at.button_group(key="layout").value == "map"
    first = charts(at)[0]
    assert marks(first)[0] == "geoshape"
    (topology,) = json.loads(first.proto.spec)["datasets"].values()
    assert len(topology["objects"]["regions"]["geometries"]) == 20
    assert "layout" not in at.query_params  # the default stays out of the link


def test_the_tile_grid_is_a_click_and_a_link_away():
    at = open_app("regions")
    at.button_group(key="layout").set_value("tiles").run()
    assert_page_ok(at, "regions")
    assert marks(charts(at)[0]) == ["rect", "text"]
    assert at.query_params["layout"] in ("tiles", ["tiles"])
    linked = open_app("regions", layout="tiles")
    assert_page_ok(linked, "regions")
    assert marks(charts(linked)[0]) == ["rect", "text"]


def test_the_map_measure_recolours_the_map():
    at = open_app("regions", measure="share_school_work")
    assert_page_ok(at, "regions")
    spec = json.loads(charts(at)[0].proto.spec)
    colour = spec["layer"][0]["encoding"]["color"]["condition"]
    assert colour["field"] == "colour" and colour["title"] == "Share in school, training or work"
    assert {
        "calculate": "datum.people > 0 && isValid(datum.share_school_work) && "
        "isFinite(datum.share_school_work) ? datum.share_school_work : 0",
        "as": "colour",
    } in spec["layer"][0]["transform"]


def test_a_snapshot_without_outlines_shows_tiles_only(monkeypatch, tmp_path):
    tiny.write(tmp_path / "2022-06-30")
    monkeypatch.setenv(ROOT_VARIABLE, str(tmp_path))
    at = open_app("regions", layout="map")
    assert_page_ok(at, "regions")
    assert at.button_group(key="layout").options == ["Tiles"]
    assert marks(charts(at)[0]) == ["rect", "text"]


def test_the_public_map_shows_released_values(monkeypatch):
    monkeypatch.setenv(LEVEL_VARIABLE, "public")
    monkeypatch.delenv(ROOT_VARIABLE, raising=False)
    at = open_app("regions")
    assert_page_ok(at, "regions")
    assert marks(charts(at)[0])[0] == "geoshape"
    assert at.caption  # the hint on clicking


@pytest.mark.parametrize("layout", ["map", "tiles"])
@pytest.mark.parametrize("measure", ["people", "share_school_work", "median_composite"])
def test_every_measure_draws_where_every_region_reads_the_same(measure, layout):
    """People in custody: nobody is in school or work anywhere, so every region's share is 0%
    (the highest share too); a map of it is drawn and says so, rather than failing."""
    at = open_app("regions", stage="custody", measure=measure, layout=layout)
    assert_page_ok(at, "regions")
    assert charts(at)
    if measure == "share_school_work":
        title = "Share in school, training or work: 0% in each of the 10 regions with a value"
        assert any(title in html.body for html in at.get("html")), "the map's title"
