"""Region outlines: the built file, the samples' GeoParquet, the checks on load and the map."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely
from shapely.geometry import Polygon, box

import charts
from data_access import boundaries
from data_access import kazakhstan as kz
from data_access.access import Access
from data_access.filters import Filters
from data_access.release import Release
from data_access.snapshot import load_snapshot
from tests.app.helpers import ROOT
from tests.hostile import resign

PUBLIC = ROOT / "sample_data" / "public" / "2026-09-30"
RESTRICTED = ROOT / "sample_data" / "snapshots" / "2026-09-30"
CODES = sorted(r[0] for r in kz.REGIONS)


def regions(**outlines) -> pd.DataFrame:
    """A regions table with the given outlines (shapely geometries or raw bytes) by code."""
    return pd.DataFrame(
        {
            "region_code": list(outlines),
            boundaries.COLUMN: [
                v if v is None or isinstance(v, bytes) else shapely.to_wkb(v) for v in outlines.values()
            ],
        }
    )


def test_the_built_outlines_are_the_20_regions_small_valid_and_not_overlapping():
    text = boundaries.BUILT.read_text()
    collection = json.loads(text)
    codes = [f["properties"]["region_code"] for f in collection["features"]]
    assert sorted(codes) == CODES
    assert len(text.encode()) <= 120_000  # 33,005 bytes when built
    table = regions(**{code: shapely.from_wkb(wkb) for code, wkb in boundaries.load_built().items()})
    assert boundaries.problems(table) == []
    shapes = boundaries.shapes(table)
    assert all(shapely.is_valid(g) and g.geom_type in ("Polygon", "MultiPolygon") for g in shapes.values())
    # Neighbours meet: Turkistan and Shymkent (a city inside it) touch and barely overlap.
    assert shapes["KZ-61"].touches(shapes["KZ-79"]) or shapes["KZ-61"].intersection(shapes["KZ-79"]).area < 1e-6
    west, south, east, north = shapely.union_all(list(shapes.values())).bounds
    assert (round(west), round(south), round(east), round(north)) == (46, 41, 87, 55)


@pytest.mark.parametrize("folder", [PUBLIC, RESTRICTED])
def test_the_samples_carry_geoparquet_outlines_for_every_region(folder):
    schema = pq.read_schema(folder / "regions.parquet")
    geo = json.loads(schema.metadata[b"geo"])
    assert geo["primary_column"] == "boundary"
    assert geo["columns"]["boundary"]["encoding"] == "WKB"
    assert set(geo["columns"]["boundary"]["geometry_types"]) == {"Polygon", "MultiPolygon"}
    snapshot = load_snapshot(folder)
    assert sorted(o.code for o in snapshot.outlines) == CODES
    assert not [p for p in snapshot.problems if p.column == "boundary"]
    assert sorted(o.code for o in snapshot.outlines if o.city) == ["KZ-71", "KZ-75", "KZ-79"]


SQUARE = box(50, 45, 51, 46)
BOWTIE = Polygon([(60, 45), (61, 46), (61, 45), (60, 46)])


@pytest.mark.parametrize(
    ("outline", "words"),
    [
        (b"not wkb at all", "a boundary is not readable WKB"),
        (shapely.Point(50, 45), "a boundary must be a polygon, not {kind}"),
        (BOWTIE, "a boundary is not a valid polygon"),
        (box(500, 45, 501, 46), "a boundary lies outside longitude -180..180 and latitude -90..90"),
    ],
)
def test_a_broken_outline_is_reported_with_its_reason_and_turns_the_map_off(outline, words):
    table = regions(**{"KZ-10": SQUARE, "KZ-11": outline})
    checked, found = boundaries.checked(table)
    assert [p.message.split(" (")[0].split(";")[0] for p in found] == [words.split(" (")[0].split(";")[0]]
    assert found[0].severity == "warning" and found[0].example == "region_code=KZ-11"
    assert found[0].message.endswith("the map is not drawn")
    assert checked[boundaries.COLUMN].isna().all()
    if outline is BOWTIE:
        assert dict(found[0].params)["reason"].startswith("Self-intersection")


def test_overlapping_outlines_are_reported():
    found = boundaries.problems(regions(**{"KZ-10": SQUARE, "KZ-11": box(50.5, 45, 51.5, 46)}))
    assert [(p.message, dict(p.params)) for p in found] == [
        ("the boundaries of {a} and {b} overlap; the map is not drawn", {"a": "KZ-10", "b": "KZ-11"})
    ]


def test_neighbours_that_only_touch_and_regions_without_outlines():
    found = boundaries.problems(regions(**{"KZ-10": SQUARE, "KZ-11": box(51, 45, 52, 46), "KZ-15": None}))
    assert [(p.severity, p.message, dict(p.params)) for p in found] == [
        ("warning", "regions without a boundary are left off the map: {n}", {"n": "1"})
    ]
    assert boundaries.problems(regions(**{"KZ-10": None})) == []
    assert [o.code for o in boundaries.outlines(regions(**{"KZ-10": SQUARE, "KZ-15": None}))] == ["KZ-10"]


def test_a_snapshot_with_a_broken_outline_still_loads_with_tiles_only(tmp_path):
    folder = tmp_path / "2026-09-30"
    shutil.copytree(RESTRICTED, folder)
    table = pq.read_table(folder / "regions.parquet")
    column = table.column("boundary").to_pylist()
    column[0] = shapely.to_wkb(BOWTIE)
    table = table.set_column(table.column_names.index("boundary"), "boundary", [column])
    pq.write_table(table, folder / "regions.parquet")
    resign(folder)
    snapshot = load_snapshot(folder)
    assert snapshot.outlines == ()
    assert [p.message for p in snapshot.problems if p.column == "boundary"] == [
        "a boundary is not a valid polygon ({reason}); the map is not drawn"
    ]
    assert snapshot.people is not None and len(snapshot.people) == 626


def test_an_area_is_drawn_as_the_union_of_its_regions():
    built = boundaries.load_built()
    table = regions(**{code: shapely.from_wkb(wkb) for code, wkb in built.items()})
    shapes = boundaries.shapes(table)
    areas = boundaries.union(table, {"South": ["KZ-61", "KZ-79"], "Nowhere": ["KZ-00"]})
    assert list(areas) == ["South"]
    south = areas["South"]
    assert south.area == pytest.approx(shapes["KZ-61"].area + shapes["KZ-79"].area, rel=1e-6)
    assert south.geom_type == "Polygon"  # one shape: the city's outline is inside the region's


@pytest.fixture(scope="module")
def public():
    return Release(load_snapshot(PUBLIC), Access("public"))


def test_the_map_sends_each_outline_once_and_the_numbers_as_rows(public):
    outlines = public.outlines()
    fig = public.figure(charts.region_map_chart, public.region_summary, Filters(), options=("people", outlines))
    spec = json.dumps(fig.spec)
    (topology,) = fig.spec["datasets"].values()
    assert decoded(topology) == {o.code: json.loads(o.feature)["geometry"] for o in outlines}
    assert sorted(g["id"] for g in topology["objects"]["regions"]["geometries"]) == CODES
    assert len(spec) < 30_000  # 35 kB as GeoJSON
    assert len(fig.data) == 20 and "geometry" not in fig.data.columns
    assert set(fig.data.columns) >= {"region", "region_name", "people", "label_lon", "label_lat", "city"}
    assert fig.title == "Most people were placed in Turkistan: 86 of 617"
    assert fig.alt.startswith("Map of 20 regions coloured by people placed, each labelled with its value.")


def decoded(topology: dict) -> dict[str, dict]:
    """A quantised TopoJSON topology back to GeoJSON geometries by id, as a map reader decodes it
    (each arc's points are steps from the one before, then scaled and moved)."""
    (scale_x, scale_y), (move_x, move_y) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append([round(x * scale_x + move_x, 2), round(y * scale_y + move_y, 2)])
        arcs.append(points)

    def ring(indexes: list[int]) -> list:
        points: list = []
        for i in indexes:
            part = arcs[i] if i >= 0 else arcs[~i][::-1]
            points += part[1:] if points else part
        return points

    out = {}
    for geometry in topology["objects"]["regions"]["geometries"]:
        if geometry["type"] == "Polygon":
            coordinates = [ring(r) for r in geometry["arcs"]]
        else:
            coordinates = [[ring(r) for r in polygon] for polygon in geometry["arcs"]]
        out[geometry["id"]] = {"type": geometry["type"], "coordinates": coordinates}
    return out


def test_the_public_map_shows_no_count_from_one_to_four(public):
    fig = public.figure(
        charts.region_map_chart, public.region_summary, Filters(), options=("people", public.outlines())
    )
    shown = pd.to_numeric(fig.data["people"], errors="coerce")
    assert not shown.between(1, 4).any()
    hidden = fig.data.loc[shown.isna()]
    assert (hidden["people_text"] == "<5").all() and len(hidden) == 1  # Abai
    # The template colours a region only where it has a value: a withheld one is grey.
    areas = fig.spec["layer"][0]
    assert areas["mark"]["type"] == "geoshape"
    # As Vega draws it: a region is coloured from the scale only where it has a value (Vega-Lite
    # would drop a region with an empty colour field, or paint it as the scale's zero).
    import vl_convert as vlc

    vega = vlc.vegalite_to_vega(fig.to_dict(width=700))
    (shape,) = [m for m in vega["marks"] if m["type"] == "shape"]
    fill = shape["encode"]["update"]["fill"]
    assert [rule.get("test", "").startswith("datum.people > 0") for rule in fill if "scale" in rule] == [True]
    assert fill[-1] == {"value": charts.theme.MISSING}
    assert areas["encoding"]["color"]["condition"]["test"].startswith("datum.people > 0")
    assert areas["encoding"]["color"]["value"] == charts.theme.MISSING


def test_the_map_renders_offline_to_png(public):
    import vl_convert as vlc

    fig = public.figure(
        charts.region_map_chart, public.region_summary, Filters(), options=("people", public.outlines())
    )
    png = vlc.vegalite_to_png(fig.to_dict(width=700))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
