"""Figures as files, rendered on the server with vl-convert (no browser): PNG for slides, SVG for
print and editing, and the Vega JavaScript bundle for offline HTML.

vl-convert is told to load nothing: `allowed_base_urls=[]` refuses any URL a spec might name, and
every spec carries its data inline. Text is drawn with the machine's own fonts.
"""

from __future__ import annotations

from functools import lru_cache

import vl_convert as vlc

from charts._spec import CHAR_WIDTH
from charts.figure import Figure, headless

# 960 px at 2x gives a 1920 px wide PNG: full width on a 1080p slide, sharp on a projector.
EXPORT_WIDTH = 960
PNG_SCALE = 2
NO_URLS: list[str] = []


def export_spec(fig: Figure, *, width: int = EXPORT_WIDTH, caption: str = "") -> dict:
    """The figure's full Vega-Lite spec at a fixed width, white background, with `caption`
    (selection, as-of date) as a line under the title, so an image still says what it shows
    once it is pasted into a slide."""
    spec = fig.to_dict(width=width)
    spec["background"] = "white"
    if caption:
        title = dict(spec.get("title") or {"text": fig.title})
        subtitle = title.get("subtitle")
        lines = [] if not subtitle else [subtitle] if isinstance(subtitle, str) else list(subtitle)
        title["subtitle"] = [*lines, caption]
        spec["title"] = title
    return spec


def png(fig: Figure, *, width: int = EXPORT_WIDTH, scale: float = PNG_SCALE, caption: str = "") -> bytes:
    """PNG bytes at `scale` times the screen size (`width` px wide at 1x)."""
    return vlc.vegalite_to_png(export_spec(fig, width=width, caption=caption), scale=scale, allowed_base_urls=NO_URLS)


def svg(fig: Figure, *, width: int = EXPORT_WIDTH, caption: str = "") -> str:
    """SVG text; text stays text, so it can be edited and searched."""
    return vlc.vegalite_to_svg(export_spec(fig, width=width, caption=caption), allowed_base_urls=NO_URLS)


PROJECTOR_TYPE_SCALE = 1.5


def _scaled_config(config: dict, factor: float) -> dict:
    """A copy of a Vega-Lite config with every font size (and legend symbol) `factor` times larger."""
    out = {}
    for key, value in config.items():
        if isinstance(value, dict):
            out[key] = _scaled_config(value, factor)
        elif key.endswith(("fontSize", "FontSize", "symbolSize")) and isinstance(value, int | float):
            out[key] = round(value * factor * (factor if key == "symbolSize" else 1))
        else:
            out[key] = value
    return out


def _scaled_marks(node, factor: float):
    """A copy of a spec (part) with the font size and line height set on marks scaled."""
    if isinstance(node, list):
        return [_scaled_marks(item, factor) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _scaled_marks(value, factor) for key, value in node.items() if key != "config"}
    mark = node.get("mark")
    if isinstance(mark, dict):
        out["mark"] = {
            key: _scaled(value, factor) if key in ("fontSize", "lineHeight") else value for key, value in mark.items()
        }
    if "config" in node:
        out["config"] = node["config"]
    return out


def _scaled(size, factor: float):
    """A size `factor` times larger: a number, or a Vega expression for one (a tile's type size
    depends on the tile's width)."""
    if isinstance(size, int | float):
        return round(size * factor)
    if isinstance(size, dict) and "expr" in size:
        return {"expr": f"round(({size['expr']}) * {factor})"}
    return size


def projector_spec(fig: Figure, *, height: int) -> dict:
    """The figure's spec for a slide: type 1.5 times larger, the plot `height` px tall, and no
    title (the slide's heading states it); a subtitle, where there is one, stays as a note."""
    spec = _scaled_marks(fig.spec, PROJECTOR_TYPE_SCALE)
    spec["config"] = _scaled_config(fig.spec.get("config", {}), PROJECTOR_TYPE_SCALE)
    # Labels beside bars are wider too: the room made for them grows with the type.
    spec["params"] = [
        {**param, "value": param["value"] * PROJECTOR_TYPE_SCALE} if param.get("name") == CHAR_WIDTH else param
        for param in fig.spec.get("params", [])
    ]
    spec["height"] = height
    return headless(spec)


@lru_cache(maxsize=1)
def javascript_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed in one script (about 0.9 MB) that needs no network.

    Built once per process: bundling takes a couple of seconds."""
    return vlc.javascript_bundle()


def vega_lite_version() -> str:
    """The Vega-Lite version the bundle and the renderers use (the newest vl-convert ships)."""
    return vlc.get_vegalite_versions()[-1]
