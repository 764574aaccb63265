"""Everything a person reads, for many random selections at both access levels, in every
language: no `nan`, `None`, `NaT`, `inf`, `<NA>`, `null` or `undefined` in any title, caption,
sentence, alt text, chart text, table cell, slide, briefing pack or CSV. A missing figure is said
in words or left out.

The figures are built as the pages build them (the list below follows app_pages/); a page that
draws a new chart adds it here."""

from __future__ import annotations

import random
import re

import pandas as pd
import pytest

import charts
import i18n
from briefing.pack import html_pack
from briefing.slides import slides
from data_access import Filters, load_snapshot
from data_access.export import csv_text
from data_access.filters import describe
from data_access.narrative import overview_summary
from data_access.release import Access, NotAllowed, Release, SelectionTooSmall
from tests.unit.test_release import PUBLIC_ROOT
from ui.tables import display_texts

SELECTIONS = 10  # per access level: 200 in all
TOKEN = re.compile(r"(?<![\w-])(nan|NaN|None|NaT|inf|-inf|Infinity|<NA>|null|undefined)(?![\w-])")
DIMENSIONS = ("cohort", "region", "stage", "sex", "age_band", "origin")


def figures(data: Release, filters: Filters) -> list:
    """Every chart the pages draw for `filters` (app_pages/*.py); where the public level refuses
    one (a sensitive table of a small group), the message the page shows instead."""
    snapshot = data.snapshot
    stages, cohorts = snapshot.categories("stage"), snapshot.categories("cohort")
    calls = [
        (charts.arrivals_chart, data.arrivals, (filters.without("cohort"),), (cohorts,)),
        (charts.stage_chart, data.stage_distribution, (filters.without("stage"),), (stages,)),
        (charts.arrivals_timeline_chart, data.arrivals, (filters,), ()),
        (charts.pyramid_chart, data.age_sex_pyramid, (filters,), ()),
        (charts.unaccompanied_chart, data.unaccompanied_children, (filters,), ()),
        (charts.pivot_chart, data.counts_by, (filters, ["region"]), (["region"],)),
        (charts.funnel_chart, data.stage_reached, (filters,), (stages,)),
        (charts.occupancy_chart, data.stage_occupancy, (filters,), (stages,)),
        (charts.milestone_chart, data.time_to_milestone, (filters,), (cohorts,)),
        (charts.time_in_stage_chart, data.time_in_stage, (filters, 180), ()),
        (charts.scores_chart, data.assessment_scores, (filters,), ()),
        (charts.services_type_chart, data.services_by_type, (filters,), ()),
        (charts.services_chart, data.services_by_month, (filters,), ()),
        (charts.region_stage_heatmap, data.region_stage, (filters,), ()),
        (charts.pivot_chart, data.counts_by, (filters, ["cohort", "group"]), (["cohort", "group"],)),
        *[(charts.region_tiles_chart, data.region_summary, (filters,), (m,)) for m in charts.regions.MEASURES],
        *[
            (charts.region_map_chart, data.region_summary, (filters.without("region"),), (m, data.outlines()))
            for m in charts.regions.MEASURES
        ],
    ]
    built = []
    for build, table, args, options in calls:
        try:
            built.append(data.figure(build, table, *args, options=options))
        except (SelectionTooSmall, NotAllowed) as refused:
            built.append(str(refused))
    return built


def spec_texts(spec) -> list[str]:
    """The texts a chart shows itself: titles, subtitles and descriptions at every level."""
    found = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in ("title", "subtitle", "text", "description") and isinstance(value, str | list):
                found += [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
            else:
                found += spec_texts(value)
    elif isinstance(spec, list):
        for item in spec:
            found += spec_texts(item)
    return found


def readings(data: Release, filters: Filters) -> list[tuple[str, str]]:
    """(where, text) for everything a person reads about this selection."""
    out = [("selection", describe(filters, data.snapshot)), *[("methodology", m) for m in data.methodology()]]
    try:
        data.check(filters)
    except SelectionTooSmall as error:
        return [*out, ("too small", str(error))]
    out.append(("base", data.base_text(filters) or ""))
    headline = data.headline(filters)
    out += [
        ("tile", str(v))
        for column in ("label", "value_text", "share_text")
        if column in headline
        for v in headline[column]
    ]
    summary = overview_summary(
        headline, data.stage_distribution(filters), data.snapshot.as_of, None, everyone=filters.is_empty()
    )
    out.append(("summary", summary))
    out += [("stuck", text) for text in data.stuck_totals(filters, threshold_days=180)]
    for fig in figures(data, filters):
        if isinstance(fig, str):
            out.append(("refused", fig))
            continue
        out += [(f"title {fig.title[:30]}", fig.title), (f"alt {fig.title[:30]}", fig.alt)]
        out += [(f"chart text {fig.title[:30]}", text) for text in spec_texts(fig.spec)]
        out += [
            (f"table {fig.title[:30]}", cell)
            for cell in map(str, display_texts(fig.data, data.snapshot).to_numpy().ravel())
        ]
        out.append((f"csv {fig.title[:30]}", csv_text(fig.data)))
    try:
        deck = slides(data, filters)
    except (SelectionTooSmall, NotAllowed) as refused:
        return [*out, ("slides refused", str(refused))]
    out += [(f"slide {s.key}", text) for s in deck for text in (s.section, s.title, s.caption, s.figure.alt)]
    return out


def random_filters(snapshot, rng: random.Random) -> Filters:
    chosen = {}
    for dim in DIMENSIONS:
        if rng.random() < 0.4:
            options = list(snapshot.categories(dim))
            chosen[dim] = tuple(sorted(rng.sample(options, rng.randint(1, min(3, len(options))))))
    return Filters(**chosen)


@pytest.fixture(scope="module")
def releases(sample_snapshots):
    public = [load_snapshot(PUBLIC_ROOT / "2026-09-30"), load_snapshot(PUBLIC_ROOT / "2026-03-31")]
    return {
        "restricted": Release(sample_snapshots[0], Access(), sample_snapshots[1]),
        "public": Release(public[0], Access("public"), public[1]),
    }


@pytest.mark.parametrize("level", ["restricted", "public"])
def test_no_missing_value_token_reaches_a_reader(releases, level):
    data = releases[level]
    rng = random.Random(f"words-{level}")
    selections = [Filters(), *(random_filters(data.snapshot, rng) for _ in range(SELECTIONS - 1))]
    problems = []
    for number, filters in enumerate(selections):
        language = list(i18n.LANGUAGES)[number % len(i18n.LANGUAGES)]
        with i18n.use(language):
            for where, text in readings(data, filters):
                if TOKEN.search(text):
                    problems.append((language, filters.codes(), where, TOKEN.search(text).group(0), text[:160]))
    assert problems == [], f"{len(problems)} texts, e.g. {problems[:5]}"


def test_the_briefing_pack_reads_without_missing_value_tokens(releases):
    for level, data in releases.items():
        filters = Filters(cohort=("jusan-2",)) if level == "restricted" else Filters()
        for language in i18n.LANGUAGES:
            with i18n.use(language):
                pack = html_pack(
                    slides(data, filters),
                    selection=describe(filters, data.snapshot),
                    as_of=data.snapshot.as_of,
                    base_n=data.base_text(filters) or "",
                )
            visible = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", pack, flags=re.S)
            assert not TOKEN.search(visible), (level, language, TOKEN.search(visible))


def test_the_harness_sees_a_nan():
    """The check can fail: a title built from a missing median reads 'nan'."""
    assert TOKEN.search(f"from 0.30 (H1 2019) to {float('nan')} (H2 2026)")
    assert TOKEN.search(str(pd.NA)) and TOKEN.search(str(None)) and not TOKEN.search("Nanjing finance")
