"""Present: one chart per screen for a briefing, in the story's order, sized for a 1920x1080
projector. The slide number is in the link (`?slide=3`), so a link opens the same slide; add
`embed=true` to hide the sidebar and Streamlit's chrome."""

import streamlit as st

from briefing.pack import html_pack
from briefing.slides import slide as build_slide
from briefing.slides import slides, story
from charts.export import projector_spec
from data_access import export
from i18n import _
from i18n import format as fmt
from ui import text
from ui.context import View, applied_setting, used_setting
from ui.exports import HTML, chart_downloads, current_link, data_note
from ui.widgets import disclosure_note, people_to_show

# In embed mode (`?embed=true`) the sidebar goes too: the screen is the slide.
CHART_HEIGHT = 520
STYLE = """
<style>
.streamlit-embedded [data-testid="stSidebar"],
.streamlit-embedded [data-testid="stSidebarCollapsedControl"] { display: none; }
.st-key-slide h1 { font-size: clamp(1.6rem, 4.6vh, 3.2rem); line-height: 1.15; padding: 0; }
.st-key-slide .slide-section {
  font-size: clamp(0.9rem, 1.9vh, 1.35rem); text-transform: uppercase; letter-spacing: .06em; color: #0072B2;
}
.st-key-slide .slide-caption { font-size: clamp(1rem, 2.6vh, 1.9rem); line-height: 1.3; }
/* The chart is drawn for a 1080 px tall projector and zoomed down on shorter screens, so a
   slide with its caption and buttons fits a laptop (1280x800, 1366x768, 1440x900) too. */
@media (max-height: 1000px) { .st-key-slide-chart { zoom: 0.72; } }
@media (max-height: 880px) { .st-key-slide-chart { zoom: 0.6; } }
@media (max-height: 740px) { .st-key-slide-chart { zoom: 0.5; } }
[data-testid="stMainBlockContainer"]:has(.st-key-slide) { padding-top: 4rem; padding-bottom: 1rem; }
</style>
"""


def _index(count: int) -> int:
    """The slide in the link, 1-based; anything else opens the first."""
    raw = st.query_params.get("slide", "1")
    number = int(raw) if raw.isdigit() else 1
    return min(max(number, 1), count) - 1


def _go(step: int, count: int) -> None:
    st.query_params["slide"] = str(min(max(_index(count) + step, 0), count - 1) + 1)


def render(view: View) -> None:
    used_setting("slide")
    if not people_to_show(view):
        return
    count = len(story(view.data))
    index = _index(count)
    st.query_params["slide"] = str(index + 1)
    applied_setting("slide", str(index + 1))
    slide = build_slide(view.data, view.filters, index)

    st.html(STYLE)
    with st.container(key="slide"):
        st.html(f'<div class="slide-section">{text.html(slide.section)} · {index + 1} / {count}</div>')
        st.title(text.escape(slide.title), anchor=False)
        with st.container(key="slide-chart"):
            st.vega_lite_chart(
                slide.figure.data,
                projector_spec(slide.figure, height=CHART_HEIGHT),
                alt=text.plain(slide.figure.alt),
                width="stretch",
                key=f"slide-{slide.key}",
            )
        st.html(f'<div class="slide-caption">{text.html(slide.caption)}</div>')

    link = current_link(st.context.url, {key: st.query_params.get_all(key) for key in st.query_params})
    with st.container(horizontal=True, vertical_alignment="center", key="slide-nav"):
        st.button(
            _("Previous"),
            icon=":material/arrow_back:",
            on_click=_go,
            args=(-1, count),
            disabled=index == 0,
            shortcut="Left",
        )
        st.button(
            _("Next"),
            icon=":material/arrow_forward:",
            on_click=_go,
            args=(1, count),
            disabled=index == count - 1,
            shortcut="Right",
        )
        chart_downloads(slide.figure, slide.table, view, key=f"slide-{slide.key}", note=disclosure_note(view))
        st.download_button(
            _("Briefing pack (HTML)"),
            data=lambda: html_pack(
                slides(view.data, view.filters),
                selection=view.description,
                as_of=view.snapshot.as_of,
                base_n=view.data.base_text(view.filters) or "",
                note=data_note(view, disclosure_note(view)),
                snapshot_id=view.snapshot.id,
                link=link,
            ),
            file_name=export.file_name("briefing", view.filters.codes(), view.snapshot.as_of, "html"),
            mime=HTML,
            key="briefing-pack",
            icon=":material/description:",
            type="tertiary",
            on_click="ignore",
            help=_(
                "Every slide with its caption and table, the methodology and the as-of date ({date}), in one "
                "HTML file that opens offline in any browser"
            ).format(date=fmt.date(view.snapshot.as_of)),
        )
