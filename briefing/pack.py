"""The briefing pack: one HTML file to hand out after a briefing. Every slide's chart with its
message, caption and table, the methodology note and the as-of date; Vega, Vega-Lite and
Vega-Embed are inlined (vl-convert's bundle), so it opens offline in any browser and never
calls a CDN. Printing it from the browser gives one slide per page.

The pack is built from the slides as given (tables already released for the access level) and
the `note` the caller passes; it queries nothing. Its words are in this run's language (build it
inside `i18n.use(code)` for another); the tables' column names are codes and stay as they are.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import pandas as pd

import i18n
from briefing.slides import Slide
from charts.export import headless, javascript_bundle, vega_lite_version
from charts.figure import records
from data_access.narrative import form_count, full_stops
from i18n import N_, _, ngettext
from i18n import format as fmt
from ui.text import html as text_html

PACK_CHART_WIDTH = 880

METHODOLOGY = (
    N_("Current stage: the stage a person entered last and has not left, as of the snapshot date."),
    N_(
        "Men, women, children: adults (18 and over at return) by recorded sex, and everyone under 18 at return. "
        "Age bands are UNHCR's (0-4, 5-11, 12-17, 18-59, 60+), at return."
    ),
    N_(
        "In active support: currently in a rehabilitation-track stage (arrival, adaptation centre, family "
        "placement, documents and benefits, school/training/work, community follow-up)."
    ),
    N_("Reached school, training or work: ever entered that stage, as of the snapshot date."),
    N_(
        "Scores: 0 (worst) to 1 (best) on IOM's economic, social and psychosocial dimensions; the composite is the "
        "plain mean of the dimensions a person was scored on (our convention, not IOM's weighting)."
    ),
    N_(
        "Percentages are given only for groups of 20 people or more, and never as a rounded 0% or 100% of a group "
        "in which some, but not all, are counted."
    ),
    N_("What changed: the same selection in the previous snapshot; a snapshot is an export as of a date."),
)
"""In English, marked for translation: shown with `_()`."""

STYLE = """
body { font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: #1F2937; margin: 0 auto; max-width: 960px; padding: 24px; }
h1 { font-size: 30px; margin: 0 0 4px; }
h2 { font-size: 24px; margin: 4px 0 6px; }
.meta { color: #4B5563; margin: 2px 0; }
.section { text-transform: uppercase; letter-spacing: .06em; font-size: 13px; color: #0072B2; margin: 0; }
.caption { font-size: 18px; margin: 0 0 12px; }
section.slide { border-top: 1px solid #E5E7EB; padding-top: 20px; margin-top: 28px; }
.chart { width: 100%; min-height: 120px; }
table { border-collapse: collapse; font-size: 13px; margin: 12px 0; }
th, td { border-bottom: 1px solid #E5E7EB; padding: 3px 8px; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.note { background: #F3F5F8; padding: 8px 14px; white-space: pre-line; }
footer { color: #6B7280; font-size: 13px; margin-top: 32px; }
@media print {
  body { max-width: none; padding: 0; }
  section.slide { break-before: page; border: none; }
  nav { display: none; }
}
"""


def _cell(value) -> tuple[str, bool]:
    """A table cell's text and whether it is a number (right-aligned)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return fmt.MISSING, False
    if isinstance(value, bool):
        return _("yes") if value else _("no"), False
    if isinstance(value, int):
        return fmt.count(value), True
    if isinstance(value, float):
        return (fmt.count(value) if value.is_integer() else fmt.number(value, 2)), True
    return str(value), False


def table_html(table: pd.DataFrame) -> str:
    """The table as escaped HTML: every label from data is text, never markup."""
    head = "".join(f"<th>{text_html(str(name))}</th>" for name in table.columns)
    rows = []
    for row in records(table):
        cells = []
        for value in row.values():
            text, number = _cell(value)
            cells.append(f'<td class="number">{text_html(text)}</td>' if number else f"<td>{text_html(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _script_json(value) -> str:
    """JSON safe inside a <script> element: no `</script>` or `<!--` can end it early."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace("\u2028", "\\u2028")


def _n(base_n: int | str) -> str:
    return fmt.count(base_n) if isinstance(base_n, int) else text_html(str(base_n))


def _words(message: str, **markup: str) -> str:
    """A translated `message` as HTML: its words escaped, its placeholders filled with `markup`
    (HTML already escaped by the caller)."""
    return text_html(message, quote=False).format(**markup)


def html_pack(
    slides: Sequence[Slide],
    *,
    selection: str,
    as_of,
    base_n: int | str,
    note: str = "",
    snapshot_id: str = "",
    link: str = "",
    made_at: datetime | None = None,
) -> str:
    """The whole pack as one HTML document (UTF-8 text).

    `note` (for example the disclosure rules at the public access level, or "synthetic data")
    is shown under the heading and in the methodology section.
    """
    as_of_text = fmt.date(as_of)
    heading = _("Second Chance briefing: {selection}").format(selection=selection)
    title = _("{heading}, as of {date}").format(heading=heading, date=as_of_text)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{i18n.language()}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{text_html(title)}</title>",
        f"<style>{STYLE}</style>",
        f'<script type="text/javascript">{javascript_bundle()}</script>',
        "</head><body>",
        *_header(heading, selection, as_of_text, base_n, note, link),
        *_contents(slides),
        *(part for i, slide in enumerate(slides) for part in _slide(i, slide)),
        *_methodology(note),
        _footer(made_at, snapshot_id or as_of_text),
        _drawing([headless(slide.figure.to_dict(width=PACK_CHART_WIDTH)) for slide in slides]),
        "</body></html>",
    ]
    return "\n".join(parts)


def _header(heading: str, selection: str, as_of_text: str, base_n: int | str, note: str, link: str) -> list[str]:
    n = base_n if isinstance(base_n, int) else form_count(None, str(base_n))
    people = _words(ngettext("{n} person", "{n} people", n), n=f"<strong>{_n(base_n)}</strong>")
    meta = _words(
        _("{people} · {selection} · as of {date}"),
        people=people,
        selection=text_html(selection),
        date=text_html(as_of_text),
    )
    parts = ["<header>", f"<h1>{text_html(heading)}</h1>", f'<p class="meta">{meta}</p>']
    if note:
        parts.append(f'<p class="meta note">{text_html(note)}</p>')
    if link:
        anchor = f'<a href="{text_html(link)}">{text_html(link)}</a>'
        parts.append(f'<p class="meta">{_words(_("Live view: {link}"), link=anchor)}</p>')
    return [*parts, "</header>"]


def _contents(slides: Sequence[Slide]) -> list[str]:
    return [
        "<nav><ol>",
        *(f'<li><a href="#{slide.key}">{text_html(slide.title)}</a></li>' for slide in slides),
        f'<li><a href="#methodology">{text_html(_("Methodology"))}</a></li></ol></nav>',
    ]


def _slide(i: int, slide: Slide) -> list[str]:
    return [
        f'<section class="slide" id="{text_html(slide.key)}">',
        f'<p class="section">{text_html(slide.section)}</p>',
        f"<h2>{text_html(slide.title)}</h2>",
        f'<p class="caption">{text_html(slide.caption)}</p>',
        f'<div class="chart" id="chart-{i}" role="img" aria-label="{text_html(slide.figure.alt)}"></div>',
        table_html(slide.table),
        "</section>",
    ]


def _methodology(note: str) -> list[str]:
    return [
        f'<section class="slide" id="methodology"><h2>{text_html(_("Methodology"))}</h2><ul>',
        *(f"<li>{text_html(_(line))}</li>" for line in METHODOLOGY),
        "</ul>",
        *([f'<p class="note">{text_html(note)}</p>'] if note else []),
        "</section>",
    ]


def _footer(made_at: datetime | None, source: str) -> str:
    words = _words(
        _(
            "Made with Second Chance on {made} from snapshot {snapshot}. Charts drawn in the browser with "
            "Vega-Lite {version}, included in this file; no network needed."
        ),
        made=text_html(fmt.moment(made_at or datetime.now())),
        snapshot=text_html(source),
        version=text_html(vega_lite_version()),
    )
    return f"<footer>{full_stops(words)}</footer>"


def _drawing(specs: list[dict]) -> str:
    """The script that draws every chart with the inlined Vega-Embed, offline."""
    return (
        '<script type="text/javascript">\n'
        f"const specs = {_script_json(specs)};\n"
        f"const failed = {_script_json(_('This chart could not be drawn: {error}'))};\n"
        "specs.forEach((spec, i) => {\n"
        "  vegaEmbed('#chart-' + i, spec, {actions: false, renderer: 'svg'}).catch((error) => {\n"
        "    document.getElementById('chart-' + i).textContent = failed.replace('{error}', error);\n"
        "    console.error(error);\n"
        "  });\n"
        "});\n"
        "</script>"
    )
