"""What each column of a released table means to a reader: its label, how its values read, and
its HXL hashtag. One registry for every table on screen (`ui.tables.readable`) and every CSV
(`data_access.export`), so a column reads the same everywhere and no code name reaches a page.

Naming conventions of the release's tables, which this relies on:
- `<name>_label` / `<name>_name`: the display name of the code in `<name>` (the code is shown
  only where no name exists);
- `<count>_text`: the released text of a count the display rules hide ("<5"), where `<count>`
  itself is empty; `<count>_suppressed`: whether it was hidden;
- `order`, `grid_row`, `grid_col`, `measure`: for charts and code, not for
  reading.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from i18n import N_


@dataclass(frozen=True)
class Meaning:
    label: str
    """English label (a message id; shown through `_()`)."""
    kind: str
    """How the values read: count, share, score, date, month, half_year, days, months, flag, text."""
    hxl: str = ""
    """HXL hashtag for CSV downloads (https://hxlstandard.org), empty where none fits."""
    dimension: str = ""
    """For a column of codes: the dimension whose names a reader sees instead (`Snapshot.labels`)."""


COLUMNS: dict[str, Meaning] = {
    # who and where
    "cohort": Meaning(N_("Cohort"), "text", "#group+cohort+code", dimension="cohort"),
    "cohort_label": Meaning(N_("Cohort"), "text", "#group+cohort+name"),
    "cohort_name": Meaning(N_("Cohort"), "text", "#group+cohort+name"),
    "operation": Meaning(N_("Operation"), "text", "#operation+name"),
    "region": Meaning(N_("Region"), "text", "#adm1+code", dimension="region"),
    "region_label": Meaning(N_("Region"), "text", "#adm1+name"),
    "region_name": Meaning(N_("Region"), "text", "#adm1+name"),
    "stage": Meaning(N_("Stage"), "text", "#indicator+stage+code", dimension="stage"),
    "stage_label": Meaning(N_("Stage"), "text", "#indicator+stage+name"),
    "track": Meaning(N_("Track"), "text", "#indicator+track", dimension="track"),
    "milestone_label": Meaning(N_("Milestone"), "text", "#indicator+milestone"),
    "sex": Meaning(N_("Sex"), "text", "#sex+code", dimension="sex"),
    "sex_label": Meaning(N_("Sex"), "text", "#sex+name"),
    "age_band": Meaning(N_("Age band"), "text", "#age+band", dimension="age_band"),
    "age_band_label": Meaning(N_("Age band"), "text", "#age+band"),
    "group": Meaning(N_("Group"), "text", "#group+code", dimension="group"),
    "group_label": Meaning(N_("Group"), "text", "#group+name"),
    "origin": Meaning(N_("Returned from"), "text", "#country+code", dimension="origin"),
    "origin_country": Meaning(N_("Returned from"), "text", "#country+code", dimension="origin"),
    "origin_label": Meaning(N_("Returned from"), "text", "#country+name"),
    "origin_name": Meaning(N_("Returned from"), "text", "#country+name"),
    "unaccompanied_label": Meaning(N_("Unaccompanied"), "text", "#indicator+unaccompanied"),
    "unaccompanied": Meaning(N_("Unaccompanied"), "flag", "#indicator+unaccompanied"),
    "dimension_label": Meaning(N_("Score"), "text", "#indicator+dimension"),
    "service_type_label": Meaning(N_("Service"), "text", "#service+type+name"),
    "service_type": Meaning(N_("Service"), "text", "#service+type"),
    "label": Meaning(N_("Figure"), "text", "#indicator+name"),
    "person_id": Meaning(N_("Person (pseudonymous id)"), "text"),
    "household_id": Meaning(N_("Household (pseudonymous id)"), "text"),
    # when
    "arrival_date": Meaning(N_("Arrived"), "date", "#date+arrival"),
    "arrival_label": Meaning(N_("Arrived"), "text", "#date+arrival"),
    "month": Meaning(N_("Month"), "month", "#date+month"),
    "period": Meaning(N_("Half-year"), "half_year", "#date+period"),
    "entered_on": Meaning(N_("Entered"), "date", "#date+start"),
    "exited_on": Meaning(N_("Left"), "date", "#date+end"),
    "in_stage_since": Meaning(N_("In this stage since"), "date", "#date+start"),
    # how many
    "people": Meaning(N_("People"), "count", "#affected+returnees"),
    "value": Meaning(N_("People"), "count", "#affected+returnees"),
    "previous": Meaning(N_("Previous snapshot"), "count", "#affected+returnees+previous"),
    "delta": Meaning(N_("Change"), "count", "#affected+returnees+change"),
    "base": Meaning(N_("People in the cohort"), "count", "#population+cohort"),
    "reached": Meaning(N_("Reached"), "count", "#reached"),
    "reached_school_work": Meaning(N_("Reached school, training or work"), "count", "#reached+school_work"),
    "scored": Meaning(N_("People scored"), "count", "#affected+scored"),
    "n": Meaning(N_("Scores"), "count", "#indicator+num"),
    "sessions": Meaning(N_("Sessions"), "count", "#output+sessions"),
    "stuck": Meaning(N_("Stuck (over the threshold)"), "count", "#affected+stuck"),
    "counts_as_stuck": Meaning(N_("Counted as stuck"), "flag", "#meta+stuck_rule"),
    "share": Meaning(N_("Share"), "share", "#indicator+pct"),
    "share_school_work": Meaning(N_("Share at school, training or work"), "share", "#indicator+pct+school_work"),
    "share_text": Meaning(N_("Share"), "text", "#indicator+pct"),
    "median": Meaning(N_("Median"), "score", "#indicator+median"),
    "q1": Meaning(N_("Lower quartile"), "score", "#indicator+q1"),
    "q3": Meaning(N_("Upper quartile"), "score", "#indicator+q3"),
    "median_composite": Meaning(N_("Median composite score"), "score", "#indicator+median"),
    "median_days": Meaning(N_("Median days in stage"), "days", "#indicator+median+days"),
    "p75_days": Meaning(N_("Days in stage, 75th percentile"), "days", "#indicator+p75+days"),
    "days": Meaning(N_("Days"), "days", "#indicator+days"),
    "days_in_stage": Meaning(N_("Days in this stage"), "days", "#indicator+days"),
    "months": Meaning(N_("Months since arrival"), "months", "#indicator+months"),
    "threshold_days": Meaning(N_("Threshold (days)"), "days", "#meta+threshold"),
}

INTERNAL = frozenset({"order", "grid_row", "grid_col", "measure", "dimension", "milestone"})
"""Columns for charts and code only."""


def shown_columns(columns) -> list[str]:
    """The columns of a table a reader sees, in order: no internal columns, no `_text` or
    `_suppressed` companions (a hidden count shows its text in its own column), and a code only
    where the table has no name for it."""
    columns = [str(c) for c in columns]
    present = set(columns)
    return [
        c
        for c in columns
        if c not in INTERNAL
        and not c.endswith(("_text", "_suppressed", "_key"))
        and not ({f"{c}_label", f"{c}_name"} & present)
        and not (c == "origin_country" and "origin_name" in present)
    ]


def hxl_tags(columns) -> dict[str, str]:
    """The HXL hashtag of each column that has one."""
    return {str(c): COLUMNS[str(c)].hxl for c in columns if str(c) in COLUMNS and COLUMNS[str(c)].hxl}


def records(frame: pd.DataFrame) -> list[dict]:
    """The rows as dicts of plain values, as `frame.to_dict("records")` gives them (but a missing
    nullable number, pd.NA where pandas says None: test it with `pd.isna`), at half its cost on
    a released table's few rows (a title's, a summary's)."""
    columns = {column: frame[column].tolist() for column in frame.columns}
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
