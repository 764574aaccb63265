"""The few style rules Streamlit's theme cannot express, applied once per run (`apply`).

- Chart titles are page text above the chart (`ui.widgets.chart`), so they wrap on a phone
  instead of being cut at the chart's width.
- Key-figure tiles keep two to a row on a phone (Streamlit stacks columns one per row below
  640 px, which made eight tiles a 1,000 px scroll).
- Streamlit's own table toolbar CSV button is hidden: it writes cells as they are (no formula
  neutralisation) and without the note, so every CSV comes from `data_access.export`. So are the
  chart toolbar's "Show data", "Download as PNG" and "Copy Vega-Lite spec": they show the raw
  table (code names), a picture without title or caption, and code; each chart has its own
  readable table and exports below it. Fullscreen stays.
"""

from __future__ import annotations

import streamlit as st

STYLE = """
<style>
.chart-title { font-weight: 600; font-size: 1.05rem; line-height: 1.35; margin: 0.25rem 0 0.35rem 0; }
button[aria-label="Download as CSV"] { display: none; }
[data-testid="stElementToolbarButton"]:has(button[aria-label^="Show data"]),
[data-testid="stElementToolbarButton"]:has(button[aria-label^="Download as PNG"]),
[data-testid="stElementToolbarButton"]:has(button[aria-label^="Copy Vega-Lite spec"]) { display: none; }
/* A tile's label wraps instead of being cut ("Unaccompanie..."), in every language. */
.st-key-tiles [data-testid="stMetricLabel"],
.st-key-tiles [data-testid="stMetricLabel"] * { white-space: normal; overflow: visible; text-overflow: clip; }
@media (max-width: 640px) {
  .st-key-tiles [data-testid="stHorizontalBlock"] { flex-direction: row; flex-wrap: wrap; gap: 0.5rem; }
  .st-key-tiles [data-testid="stColumn"] { flex: 1 1 calc(50% - 0.5rem); min-width: calc(50% - 0.5rem); width: auto; }
  .st-key-tiles [data-testid="stMetric"] { padding: 0.5rem 0.6rem; }
  .st-key-tiles [data-testid="stMetricValue"] { font-size: 1.6rem; }
  .chart-title { font-size: 1rem; }
}
</style>
"""


def apply() -> None:
    st.html(STYLE)
