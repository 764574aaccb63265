"""A six-person snapshot built by hand, small enough to check every figure on paper.

as of 2022-06-30; cohorts c1 (arrived 2020-01-01 from Syria) and c2 (2021-06-01 from Iraq).

| person | cohort | sex    | age   | region | unacc. | path                                                    | now         |
|--------|--------|--------|-------|--------|--------|---------------------------------------------------------|-------------|
| p1     | c1     | female | 18-59 | KZ-47  |        | arrival, adaptation, placement 02-01, school 05-01, closed 2021-05-01 | closed |
| p2     | c1     | male   | 0-4   | KZ-47  |        | arrival, adaptation, placement 02-01, school 2020-03-15 | school_work |
| p3     | c1     | male   | 18-59 | KZ-71  |        | arrival, investigation, custody 2020-09-01              | custody     |
| p4     | c2     | female | 5-11  | KZ-61  | yes    | arrival, adaptation, placement 2021-08-01               | placement   |
| p5     | c2     | female | 12-17 | KZ-61  | yes    | arrival, adaptation, placement, school 2022-01-15       | school_work |
| p6     | c1     | female | 60+   | KZ-71  |        | arrival, adaptation, placement, lost 2020-06-01         | lost        |
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from data_access import kazakhstan as kz
from data_access.contract import SCHEMA_VERSION
from data_access.writer import write_snapshot

AS_OF = dt.date(2022, 6, 30)
D = dt.date.fromisoformat


def tables() -> dict[str, pd.DataFrame]:
    people = pd.DataFrame(
        [
            ("p1", "h1", "c1", "female", "18-59", False, "KZ-47"),
            ("p2", "h1", "c1", "male", "0-4", False, "KZ-47"),
            ("p3", "h2", "c1", "male", "18-59", False, "KZ-71"),
            ("p4", "h3", "c2", "female", "5-11", True, "KZ-61"),
            ("p5", "h3", "c2", "female", "12-17", True, "KZ-61"),
            ("p6", "h4", "c1", "female", "60+", False, "KZ-71"),
        ],
        columns=["person_id", "household_id", "cohort_id", "sex", "age_band", "unaccompanied", "region_code"],
    )
    ev = [
        ("p1", "arrival", "2020-01-01", "2020-01-02"),
        ("p1", "adaptation", "2020-01-02", "2020-02-01"),
        ("p1", "placement", "2020-02-01", "2020-05-01"),
        ("p1", "school_work", "2020-05-01", "2021-05-01"),
        ("p1", "closed", "2021-05-01", None),
        ("p2", "arrival", "2020-01-01", "2020-01-02"),
        ("p2", "adaptation", "2020-01-02", "2020-02-01"),
        ("p2", "placement", "2020-02-01", "2020-03-15"),
        ("p2", "school_work", "2020-03-15", None),
        ("p3", "arrival", "2020-01-01", "2020-01-03"),
        ("p3", "investigation", "2020-01-03", "2020-09-01"),
        ("p3", "custody", "2020-09-01", None),
        ("p4", "arrival", "2021-06-01", "2021-06-02"),
        ("p4", "adaptation", "2021-06-02", "2021-08-01"),
        ("p4", "placement", "2021-08-01", None),
        ("p5", "arrival", "2021-06-01", "2021-06-02"),
        ("p5", "adaptation", "2021-06-02", "2021-08-01"),
        ("p5", "placement", "2021-08-01", "2022-01-15"),
        ("p5", "school_work", "2022-01-15", None),
        ("p6", "arrival", "2020-01-01", "2020-01-02"),
        ("p6", "adaptation", "2020-01-02", "2020-02-01"),
        ("p6", "placement", "2020-02-01", "2020-06-01"),
        ("p6", "lost", "2020-06-01", None),
    ]
    events = pd.DataFrame(
        [(p, s, D(a), D(b) if b else None) for p, s, a, b in ev],
        columns=["person_id", "stage_id", "entered_on", "exited_on"],
    )
    assessments = pd.DataFrame(
        [
            ("p1", D("2020-02-01"), 0.2, 0.3, 0.4),
            ("p1", D("2020-08-01"), 0.4, 0.5, 0.6),
            ("p4", D("2021-08-01"), None, 0.5, 0.7),
        ],
        columns=["person_id", "assessed_on", "economic", "social", "psychosocial"],
    )
    services = pd.DataFrame(
        [
            ("p1", D("2020-02-01"), "psychosocial", 2),
            ("p1", D("2020-02-01"), "legal", 1),
            ("p2", D("2020-02-01"), "psychosocial", 3),
            ("p4", D("2022-06-01"), "education", 4),
        ],
        columns=["person_id", "month", "service_type", "sessions"],
    )
    cohorts = pd.DataFrame(
        [
            ("c1", "Cohort One", "Jusan", "SY", D("2020-01-01")),
            ("c2", "Cohort Two", "Rusafa", "IQ", D("2021-06-01")),
        ],
        columns=["cohort_id", "name", "operation", "origin_country", "arrival_date"],
    )
    regions = pd.DataFrame(
        [r[:6] for r in kz.REGIONS if r[0] in ("KZ-47", "KZ-71", "KZ-61")],
        columns=["region_code", "name_en", "name_ru", "name_kk", "grid_row", "grid_col"],
    )
    stages = pd.DataFrame(list(kz.STAGES), columns=["stage_id", "label", "order", "track"])
    return {
        "people": people,
        "stage_events": events,
        "assessments": assessments,
        "services": services,
        "cohorts": cohorts,
        "regions": regions,
        "stages": stages,
    }


def manifest(**overrides) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "as_of": AS_OF.isoformat(),
        "country": "KZ",
        "access_level": "restricted",
        "synthetic": True,
        "source": "tests/tiny.py",
        **overrides,
    }


def write(folder: Path, tables_: dict | None = None, **manifest_overrides) -> Path:
    return write_snapshot(folder, tables_ if tables_ is not None else tables(), manifest(**manifest_overrides))
