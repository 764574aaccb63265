"""Briefings: the slides tell the story in order with exact captions, and the pack is one file
that needs nothing from the network and lets no label act as markup."""

from __future__ import annotations

import datetime as dt
import json
import re
import time

import pandas as pd
import pytest

from briefing.pack import html_pack, table_html
from briefing.slides import Slide, caption, slides
from briefing.slides import slide as one_slide
from charts.export import javascript_bundle
from charts.figure import Figure
from data_access import Filters, describe
from data_access import queries as q
from data_access.release import Access, Release, SelectionTooSmall


def test_caption_states_figure_selection_date_and_base():
    assert (
        caption("Jusan-2", "88% of children in school", dt.date(2026, 9, 30), 156)
        == "Jusan-2: 88% of children in school, as of 30 Sep 2026 (n = 156)"
    )


def test_slides_follow_the_briefing_story(sample_snapshots):
    latest, previous = sample_snapshots[0], sample_snapshots[1]
    deck = slides(Release(latest, Access(), previous), Filters())
    assert [s.section for s in deck] == [
        "Who came back",
        "Where they are in the programme",
        "How they are doing",
        "How they are doing",
        "By region",
        "What changed since the last snapshot",
    ]
    assert len({s.key for s in deck}) == len(deck)


def test_slide_captions_for_everyone(sample_snapshots):
    latest, previous = sample_snapshots[0], sample_snapshots[1]
    captions = [s.caption for s in slides(Release(latest, Access(), previous), Filters())]
    assert captions == [
        "Everyone who returned: 431 of 626 were children (69%), as of 30 Sep 2026 (n = 626)",
        "Everyone who returned: 319 (51%) in active support, 274 (44%) with their case closed, as of 30 Sep 2026 (n = 626)",
        "Everyone who returned: 84% reached school, training or work (523 of 626), as of 30 Sep 2026 (n = 626)",
        "Everyone who returned: median composite score 0.63 in H2 2026 (73 people scored), as of 30 Sep 2026 (n = 626)",
        "Everyone who returned: placed in 20 of 20 regions, as of 30 Sep 2026 (n = 626)",
        "Everyone who returned: 42 more cases closed since 31 Mar 2026, as of 30 Sep 2026 (n = 626)",
    ]


def test_slide_figures_equal_the_data_layer(sample_snapshots):
    latest, previous = sample_snapshots[0], sample_snapshots[1]
    jusan2 = Filters(cohort=("jusan-2",))
    deck = {s.key: s for s in slides(Release(latest, Access(), previous), jusan2)}
    reached = q.stage_reached(latest, jusan2).set_index("stage")["people"]
    assert deck["how-far"].caption.startswith(f"Jusan-2: {reached['school_work'] / 231:.0%} reached school")
    assert f"({reached['school_work']} of 231)" in deck["how-far"].caption
    change = q.stage_change(latest, previous, jusan2).set_index("stage")
    assert int(change.loc["closed", "change"]) == int(change.loc["closed", "people"] - change.loc["closed", "previous"])
    assert deck["what-changed"].caption.startswith(f"Jusan-2: {int(change.loc['closed', 'change'])} more cases closed")


def test_small_selections_get_counts_not_percentages(sample_snapshots):
    deck = slides(Release(sample_snapshots[0], Access(), None), Filters(cohort=("rusafa",)))
    assert deck[0].caption == "Rusafa: 14 of 14 were children, as of 30 Sep 2026 (n = 14)"
    assert deck[2].caption == "Rusafa: 13 of 14 reached school, training or work, as of 30 Sep 2026 (n = 14)"


def test_without_a_previous_snapshot_there_is_no_change_slide(sample_snapshots):
    deck = slides(Release(sample_snapshots[-1], Access(), None), Filters())
    assert "what-changed" not in [s.key for s in deck]
    assert len(deck) == 5


def test_stage_change_is_now_minus_then_for_the_same_selection(sample_snapshots):
    latest, previous = sample_snapshots[0], sample_snapshots[1]
    change = q.stage_change(latest, previous, Filters())
    now = q.stage_distribution(latest, Filters())["people"].tolist()
    then = q.stage_distribution(previous, Filters())["people"].tolist()
    assert change["people"].tolist() == now
    assert change["previous"].tolist() == then
    assert change["change"].tolist() == [a - b for a, b in zip(now, then, strict=True)]


@pytest.fixture(scope="module")
def pack(sample_snapshots) -> str:
    latest, previous = sample_snapshots[0], sample_snapshots[1]
    deck = slides(Release(latest, Access(), previous), Filters())
    return html_pack(
        deck,
        selection=describe(Filters(), latest),
        as_of=latest.as_of,
        base_n=626,
        note="Synthetic sample data: no real person is described.",
        snapshot_id=latest.id,
        link="http://localhost:8501/present?snapshot=2026-09-30",
    )


def test_pack_holds_every_slide_its_caption_and_the_methodology(pack, sample_snapshots):
    deck = slides(Release(sample_snapshots[0], Access(), sample_snapshots[1]), Filters())
    for i, slide in enumerate(deck):
        assert f'id="chart-{i}"' in pack
        assert f'<section class="slide" id="{slide.key}">' in pack
        assert slide.caption.replace("&", "&amp;") in pack
    assert '<section class="slide" id="methodology"><h2>Methodology</h2>' in pack
    assert "as of 30 Sep 2026" in pack
    specs = json.loads(re.search(r"const specs = (.*);\n", pack).group(1))
    assert len(specs) == len(deck)
    assert all(spec["data"]["values"] for spec in specs)


def test_pack_loads_nothing_from_the_network(pack):
    page = pack.replace(javascript_bundle(), "")
    assert len(page) < len(pack) - 800_000, "the Vega bundle is inlined"
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", page)
    assert "vegaEmbed" in pack
    assert "actions: false" in pack, "the Vega menu links to the online editor"


def test_pack_size_for_the_sample_is_about_one_megabyte(pack):
    assert 0.8e6 < len(pack.encode("utf-8")) < 2e6


def test_hostile_labels_cannot_act_as_markup_in_the_pack():
    hostile = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
    table = pd.DataFrame({"label": [hostile], "people": [3]})
    fig = Figure(
        spec={"mark": "bar", "encoding": {"y": {"field": "label", "type": "nominal"}}},
        data=table,
        alt=hostile,
        title=hostile,
    )
    text = html_pack(
        [Slide("s", hostile, fig, table, hostile)], selection=hostile, as_of=dt.date(2026, 9, 30), base_n=3
    )
    assert "<script>alert" not in text
    assert "<img src=x" not in text
    assert text.count("</script>") == 2, "only the bundle and the drawing script end a script element"


def test_table_html_formats_numbers_and_escapes_text():
    table = pd.DataFrame({"stage_label": ["School, training & work"], "people": [1234], "share": [0.5]})
    assert table_html(table) == (
        "<table><thead><tr><th>stage_label</th><th>people</th><th>share</th></tr></thead><tbody>"
        '<tr><td>School, training &amp; work</td><td class="number">1,234</td><td class="number">0.50</td></tr>'
        "</tbody></table>"
    )


def test_pack_builds_in_seconds(sample_snapshots):
    latest, previous = sample_snapshots[0], sample_snapshots[1]
    start = time.perf_counter()
    deck = slides(Release(latest, Access(), previous), Filters())
    html_pack(deck, selection="Everyone who returned", as_of=latest.as_of, base_n=626)
    assert time.perf_counter() - start < 10


def test_one_slide_alone_is_the_same_as_in_the_deck(sample_snapshots):
    latest, previous = sample_snapshots[0], sample_snapshots[1]
    jusan3 = Filters(cohort=("jusan-3",))
    deck = slides(Release(latest, Access(), previous), jusan3)
    for index, expected in enumerate(deck):
        alone = one_slide(Release(latest, Access(), previous), jusan3, index)
        assert (alone.key, alone.title, alone.caption) == (expected.key, expected.title, expected.caption)


def test_public_slides_show_what_the_public_pages_show():
    from data_access import load_snapshot
    from tests.conftest import SAMPLE_ROOT

    public = Release(load_snapshot(SAMPLE_ROOT.parent / "public" / "2026-09-30"), Access("public"))
    deck = slides(public, Filters())
    assert [s.key for s in deck][-1] == "by-region"  # no change slide at the public level
    by_key = {s.key: s for s in deck}
    pd.testing.assert_frame_equal(by_key["who-came-back"].table, public.arrivals(Filters()))
    assert "<5" in by_key["who-came-back"].table["people_text"].tolist()
    with pytest.raises(SelectionTooSmall):
        slides(public, Filters(cohort=("rusafa",)))


def test_a_public_page_its_csv_and_the_briefing_pack_agree_on_every_number():
    """The public Overview's arrivals chart, the CSV beside it and the pack's first slide are one
    released table: the same published numbers, "<5" in the same places."""
    import html
    import io

    import charts
    from data_access import load_snapshot
    from data_access.export import csv_text
    from tests.conftest import SAMPLE_ROOT

    public = Release(load_snapshot(SAMPLE_ROOT.parent / "public" / "2026-09-30"), Access("public"))
    page = charts.arrivals_chart(public.arrivals(Filters()), list(public.snapshot.cohorts["cohort_id"]))
    csv = pd.read_csv(io.StringIO(csv_text(page.data, "a note, with a comma")), comment="#", dtype=str)
    deck = slides(public, Filters())
    pack = html_pack(deck, selection="Everyone", as_of=public.snapshot.as_of, base_n=public.base_text(Filters()))
    slide = deck[0]
    assert slide.key == "who-came-back"
    texts = page.data["people_text"].tolist()
    assert csv["people_text"].tolist() == texts == slide.table["people_text"].tolist()
    section = pack[pack.index('id="who-came-back"') :]
    section = section[: section.index("</table>")]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", section)
    assert all(html.escape(text) in cells for text in texts)
