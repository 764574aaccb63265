"""The snapshot data contract: tables, columns, types, allowed values and the manifest.

This module is the single source of truth. The loader enforces it, the generator writes it,
the data dictionary on the About page and `docs/data-contract.md` are rendered from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

SCHEMA_VERSION = 1
MANIFEST_FILE = "manifest.json"
ACCESS_LEVELS = ("restricted", "public")

SEXES = ("female", "male")
AGE_BANDS = ("0-4", "5-11", "12-17", "18-59", "60+")
CHILD_AGE_BANDS = ("0-4", "5-11", "12-17")
SERVICE_TYPES = ("psychosocial", "theological", "legal", "medical", "education", "vocational")
TRACKS = ("rehabilitation", "justice", "exit")
SCORE_DIMENSIONS = ("economic", "social", "psychosocial")


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    meaning: str
    required: bool = True
    nullable: bool = False
    allowed: tuple[str, ...] = ()
    references: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    optional: bool = False

    @property
    def file_name(self) -> str:
        return f"{self.name}.parquet"

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns])

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


PEOPLE = Table(
    "people",
    "One row per person who returned. Pseudonymous: nothing that names or locates a person.",
    (
        Column("person_id", pa.string(), "Pseudonymous person id, unique in the snapshot."),
        Column(
            "household_id",
            pa.string(),
            "Pseudonymous id of the household the person returned with; empty in public snapshots (dropped).",
            nullable=True,
        ),
        Column("cohort_id", pa.string(), "Repatriation wave.", references="cohorts.cohort_id"),
        Column("sex", pa.string(), "Sex as recorded.", allowed=SEXES),
        Column("age_band", pa.string(), "UNHCR age band at return.", allowed=AGE_BANDS),
        Column("unaccompanied", pa.bool_(), "Child returned as orphan or without a parent."),
        Column(
            "region_code",
            pa.string(),
            "ISO 3166-2 code of the placement region.",
            references="regions.region_code",
        ),
    ),
    key=("person_id",),
)

STAGE_EVENTS = Table(
    "stage_events",
    "Programme stages each person entered and left. The current stage is the one without an "
    "exit date (or the latest entered) as of the snapshot date.",
    (
        Column("person_id", pa.string(), "Person.", references="people.person_id"),
        Column("stage_id", pa.string(), "Programme stage.", references="stages.stage_id"),
        Column("entered_on", pa.date32(), "Day the person entered the stage."),
        Column("exited_on", pa.date32(), "Day the person left the stage; empty while current.", nullable=True),
    ),
    key=("person_id", "stage_id", "entered_on"),
)

ASSESSMENTS = Table(
    "assessments",
    "Reintegration sustainability scores in the style of IOM's survey, 0 (worst) to 1 (best). "
    "A dimension may be empty where it does not apply (economic for children under 12).",
    (
        Column("person_id", pa.string(), "Person.", references="people.person_id"),
        Column("assessed_on", pa.date32(), "Day of the assessment."),
        Column("economic", pa.float64(), "Economic dimension, 0-1.", nullable=True),
        Column("social", pa.float64(), "Social dimension, 0-1.", nullable=True),
        Column("psychosocial", pa.float64(), "Psychosocial dimension, 0-1.", nullable=True),
    ),
    key=("person_id", "assessed_on"),
)

SERVICES = Table(
    "services",
    "Support sessions delivered, per person, month and type of service.",
    (
        Column("person_id", pa.string(), "Person.", references="people.person_id"),
        Column("month", pa.date32(), "First day of the month the sessions were delivered in."),
        Column("service_type", pa.string(), "Kind of support.", allowed=SERVICE_TYPES),
        Column("sessions", pa.int32(), "Number of sessions in that month (1 or more)."),
    ),
    key=("person_id", "month", "service_type"),
    optional=True,
)

COHORTS = Table(
    "cohorts",
    "Reference: repatriation waves.",
    (
        Column("cohort_id", pa.string(), "Cohort id."),
        Column("name", pa.string(), "Display name."),
        Column("operation", pa.string(), "Name of the operation (e.g. Jusan, Rusafa)."),
        Column("origin_country", pa.string(), "ISO 3166-1 alpha-2 code of the country returned from."),
        Column("arrival_date", pa.date32(), "Day the cohort arrived home."),
    ),
    key=("cohort_id",),
)

REGIONS = Table(
    "regions",
    "Reference: placement regions with names and their cell in the tile-grid map.",
    (
        Column("region_code", pa.string(), "ISO 3166-2 subdivision code."),
        Column("name_en", pa.string(), "Name in English."),
        Column("name_ru", pa.string(), "Name in Russian."),
        Column("name_kk", pa.string(), "Name in Kazakh."),
        Column("grid_row", pa.int32(), "Row of the region's tile (0 = north)."),
        Column("grid_col", pa.int32(), "Column of the region's tile (0 = west)."),
    ),
    key=("region_code",),
)

STAGES = Table(
    "stages",
    "Reference: programme stages in their usual order.",
    (
        Column("stage_id", pa.string(), "Stage id."),
        Column("label", pa.string(), "Display label."),
        Column("order", pa.int32(), "Position in the usual path (1 = first)."),
        Column("track", pa.string(), "Which track the stage belongs to.", allowed=TRACKS),
    ),
    key=("stage_id",),
)

TABLES: tuple[Table, ...] = (PEOPLE, STAGE_EVENTS, ASSESSMENTS, SERVICES, COHORTS, REGIONS, STAGES)
TABLES_BY_NAME = {t.name: t for t in TABLES}


@dataclass(frozen=True)
class ManifestField:
    name: str
    kind: str
    meaning: str
    required: bool = True


MANIFEST_FIELDS: tuple[ManifestField, ...] = (
    ManifestField(
        "schema_version", "integer", f"Version of this contract the snapshot follows (now {SCHEMA_VERSION})."
    ),
    ManifestField("as_of", "date (YYYY-MM-DD)", "Day the data describes; nothing after it is in the snapshot."),
    ManifestField("country", "ISO 3166-1 alpha-2", "Country running the programme."),
    ManifestField(
        "access_level",
        "restricted | public",
        "Who may see it: `restricted` (programme staff) or `public` (disclosure-controlled).",
    ),
    ManifestField("created_at", "date-time", "When the export was made.", required=False),
    ManifestField(
        "source",
        "text",
        "How the snapshot was made (system export, generator and seed, ...).",
        required=False,
    ),
    ManifestField("synthetic", "true | false", "True for generated sample data.", required=False),
    ManifestField(
        "notes",
        "list of text",
        "Caveats a reader must know, e.g. which figures are invented.",
        required=False,
    ),
    ManifestField(
        "files",
        "object",
        "For each table file: `bytes` and `sha256`. Written last, so a half-copied folder is detectable.",
        required=False,
    ),
)

# Stage ids the queries give a meaning to. A country may add stages of its own in its `stages`
# table; these are the ones the headline figures and milestones refer to.
STAGE_ARRIVAL = "arrival"
STAGE_ADAPTATION = "adaptation"
STAGE_INVESTIGATION = "investigation"
STAGE_CUSTODY = "custody"
STAGE_PLACEMENT = "placement"
STAGE_DOCUMENTS = "documents"
STAGE_SCHOOL_WORK = "school_work"
STAGE_FOLLOW_UP = "follow_up"
STAGE_CLOSED = "closed"
STAGE_LOST = "lost"
