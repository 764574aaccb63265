"""The naive baseline the benchmark compares the dashboard with: what a first Streamlit version
would do. On every rerun it reads the Parquet files with pandas, filters with boolean masks on
text columns, derives each person's current stage, and hands Altair the raw rows, so the
browser receives every row and Vega-Lite aggregates them. It draws the key figures and the
charts of the Overview and Reintegration progress pages (arrivals, current stage, stages
reached, services per month), with the same six filters in the sidebar.

Run by `python -m benchmarks.worker naive ROOT`; it reads the newest snapshot folder under
$SECOND_CHANCE_SNAPSHOTS.
"""

from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from data_access.catalogue import snapshot_root

alt.data_transformers.disable_max_rows()
folder = sorted(p for p in Path(snapshot_root()).iterdir() if (p / "manifest.json").is_file())[-1]


def read(name: str) -> pd.DataFrame:
    return pd.read_parquet(folder / f"{name}.parquet")


people = read("people").merge(read("cohorts")[["cohort_id", "origin_country"]], on="cohort_id")
events = read("stage_events")
current = events.sort_values(["person_id", "entered_on"]).drop_duplicates("person_id", keep="last")
people = people.merge(current[["person_id", "stage_id"]], on="person_id", how="left")

columns = {
    "cohort": "cohort_id",
    "region": "region_code",
    "stage": "stage_id",
    "sex": "sex",
    "age_band": "age_band",
    "origin": "origin_country",
}
mask = pd.Series(True, index=people.index)
with st.sidebar:
    for key, column in columns.items():
        chosen = st.multiselect(key, sorted(people[column].dropna().unique()), key=key)
        if chosen:
            mask &= people[column].isin(chosen)
selected = people[mask]
ids = set(selected["person_id"])

st.title("Naive baseline")
left, middle, right = st.columns(3)
left.metric("People", f"{len(selected):,}")
adult = selected["age_band"].isin(["18-59", "60+"])
middle.metric("Women", f"{(adult & (selected['sex'] == 'female')).sum():,}")
right.metric("Unaccompanied", f"{selected['unaccompanied'].sum():,}")

st.altair_chart(alt.Chart(selected).mark_bar().encode(x="cohort_id:N", y="count():Q", color="sex:N"))
st.altair_chart(alt.Chart(selected).mark_bar().encode(y="stage_id:N", x="count():Q"))
reached = events[events["person_id"].isin(ids)]
st.altair_chart(
    alt.Chart(reached[["person_id", "stage_id"]]).mark_bar().encode(y="stage_id:N", x="distinct(person_id):Q")
)
services = read("services")
services = services[services["person_id"].isin(ids)]
st.altair_chart(
    alt.Chart(services[["month", "service_type", "sessions"]])
    .mark_line()
    .encode(x="yearmonth(month):T", y="sum(sessions):Q", color="service_type:N")
)
