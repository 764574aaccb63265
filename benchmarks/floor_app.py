"""The floor the benchmark measures every page against: Streamlit redrawing the dashboard's chrome
and nothing else. The same navigation (the dashboard's sections, pages, icons and URL paths), a
sidebar with a snapshot picker and the six filter multiselects (the same keys, the same options,
each labelled with a count), and on every page a title, a metric and one small bar chart.

What it does per rerun is only what Streamlit does: the options, their labels and the chart's
table are read once per snapshot (`st.cache_resource`), so no data work is measured, and the
chart is a fixed Vega-Lite spec (building one with Altair on every rerun would be our work, not
Streamlit's: the dashboard keeps its specs too). A page of the
dashboard can never rerun faster than this; `python -m benchmarks` reports each page as a
multiple of it, measured in the same process, rerun for rerun.

Run by `python -m benchmarks.worker`; by hand: `streamlit run benchmarks/floor_app.py` with
$SECOND_CHANCE_SNAPSHOTS pointing at a folder of snapshot folders.
"""

from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages import PAGES
from data_access.catalogue import snapshot_root
from data_access.contract import AGE_BANDS, SEXES
from ui import heap

CHART = {
    "mark": {"type": "bar"},
    "encoding": {
        "x": {"field": "cohort_id", "type": "nominal", "title": "Cohort"},
        "y": {"field": "people", "type": "quantitative"},
        "color": {"field": "sex", "type": "nominal"},
    },
}


@st.cache_resource
def reference(folder: str) -> dict:
    """Per dimension its options and their labels ("name (count)"), and people per cohort and sex."""
    path = Path(folder)
    people = pd.read_parquet(path / "people.parquet", columns=["cohort_id", "region_code", "sex", "age_band"])
    cohorts = pd.read_parquet(path / "cohorts.parquet")
    regions = pd.read_parquet(path / "regions.parquet", columns=["region_code", "name_en"])
    stages = pd.read_parquet(path / "stages.parquet")
    names = {
        "cohort": dict(zip(cohorts["cohort_id"], cohorts["name"], strict=True)),
        "region": dict(zip(regions["region_code"], regions["name_en"], strict=True)),
        "stage": dict(zip(stages["stage_id"], stages["label"], strict=True)),
        "sex": {code: code.title() for code in SEXES},
        "age_band": {code: code for code in AGE_BANDS},
        "origin": {code: code for code in sorted(cohorts["origin_country"].unique())},
    }
    columns = {"cohort": "cohort_id", "region": "region_code", "sex": "sex", "age_band": "age_band"}
    counts = {dim: people[column].value_counts().to_dict() for dim, column in columns.items()}
    labels = {
        dim: {code: f"{name} ({counts.get(dim, {}).get(code, len(people)):,})" for code, name in named.items()}
        for dim, named in names.items()
    }
    by_cohort = people.groupby(["cohort_id", "sex"]).size().rename("people").reset_index()
    return {"labels": labels, "by_cohort": by_cohort, "people": len(people)}


def page(title: str) -> None:
    data = reference(str(folder))
    chosen = st.session_state.get("cohort") or list(data["labels"]["cohort"])
    table = data["by_cohort"][data["by_cohort"]["cohort_id"].isin(chosen)]
    st.title(title, anchor=False)
    st.metric("People", f"{int(table['people'].sum()):,}")
    st.vega_lite_chart(table, CHART, width="stretch")


st.set_page_config(page_title="Floor", layout="wide")
root = Path(snapshot_root())
folders = sorted((p.name for p in root.iterdir() if (p / "manifest.json").is_file()), reverse=True)
sections: dict[str, list[st.Page]] = {}
for i, (section, _module, title, url_path, icon) in enumerate(PAGES):
    view = st.Page(lambda title=title: page(title), title=title, icon=icon, url_path=url_path, default=i == 0)
    sections.setdefault(section, []).append(view)
chosen_page = st.navigation(sections)
with st.sidebar:
    folder = root / st.selectbox("Snapshot (as of)", folders, key="snapshot")
    labels = reference(str(folder))["labels"]
    for dim, options in labels.items():
        st.multiselect(dim, list(options), format_func=options.get, key=dim, placeholder="All")
chosen_page.run()
heap.after_run()  # as the dashboard does: the floor keeps Streamlit's collection after a run as cheap
