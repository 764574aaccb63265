"""The snapshot data contract: tables, columns, types, allowed values and the manifest.

This module is the single source of truth. The loader enforces it, the generator writes it,
the data dictionary on the About page and `docs/data-contract.md` are rendered from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from i18n import N_

SCHEMA_VERSION = 3
"""Version 2 adds public snapshots of aggregates (`kind: aggregates`) and the names of cohorts and
stages in Russian and Kazakh (optional columns). Version-1 snapshots load as they are; their
cohorts and stages are named in English in every language, which the About page says. Version 3
adds the regions' outlines (optional `regions.boundary`, GeoParquet); a snapshot without them
shows its regions as tiles only."""
MANIFEST_FILE = "manifest.json"
ACCESS_LEVELS = ("restricted", "public")
KINDS = ("records", "aggregates")
"""What a snapshot holds: person records (restricted), or per-cell aggregates (public)."""

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
        Column("name", pa.string(), "Display name, in English."),
        Column(
            "name_ru",
            pa.string(),
            "Display name in Russian (schema 2; English where empty).",
            required=False,
            nullable=True,
        ),
        Column(
            "name_kk",
            pa.string(),
            "Display name in Kazakh (schema 2; English where empty).",
            required=False,
            nullable=True,
        ),
        Column("operation", pa.string(), "Name of the operation (e.g. Jusan, Rusafa)."),
        Column("origin_country", pa.string(), "ISO 3166-1 alpha-2 code of the country returned from."),
        Column("arrival_date", pa.date32(), "Day the cohort arrived home."),
    ),
    key=("cohort_id",),
)

REGIONS = Table(
    "regions",
    "Reference: placement regions with names, their cell in the tile-grid map and their outline.",
    (
        Column("region_code", pa.string(), "ISO 3166-2 subdivision code."),
        Column("name_en", pa.string(), "Name in English."),
        Column("name_ru", pa.string(), "Name in Russian."),
        Column("name_kk", pa.string(), "Name in Kazakh."),
        Column("grid_row", pa.int32(), "Row of the region's tile (0 = north)."),
        Column("grid_col", pa.int32(), "Column of the region's tile (0 = west)."),
        Column(
            "boundary",
            pa.binary(),
            "The region's outline for the map: a polygon or multipolygon as WKB, longitude and latitude "
            "in degrees (OGC:CRS84), with the file's GeoParquet 'geo' metadata (schema 3; tiles only where empty).",
            required=False,
            nullable=True,
        ),
    ),
    key=("region_code",),
)

STAGES = Table(
    "stages",
    "Reference: programme stages in their usual order.",
    (
        Column("stage_id", pa.string(), "Stage id."),
        Column("label", pa.string(), "Display label, in English."),
        Column(
            "label_ru",
            pa.string(),
            "Display label in Russian (schema 2; English where empty).",
            required=False,
            nullable=True,
        ),
        Column(
            "label_kk",
            pa.string(),
            "Display label in Kazakh (schema 2; English where empty).",
            required=False,
            nullable=True,
        ),
        Column("order", pa.int32(), "Position in the usual path (1 = first)."),
        Column("track", pa.string(), "Which track the stage belongs to.", allowed=TRACKS),
    ),
    key=("stage_id",),
)

REFERENCE_TABLES: tuple[Table, ...] = (COHORTS, REGIONS, STAGES)
TABLES: tuple[Table, ...] = (PEOPLE, STAGE_EVENTS, ASSESSMENTS, SERVICES, *REFERENCE_TABLES)
"""The tables of a snapshot of person records (`kind: records`, the default)."""

# -- public snapshots: aggregates per cell -----------------------------------------------------
# A cell is one combination of placement region, cohort, current stage, sex and age band. Each
# count says how many people it counts and the sum of their record keys modulo 2**32 (the cell-key
# material of data_access/perturbation.py); the public dashboard perturbs every count it shows.

_CELL = Column("cell", pa.int32(), "Cell number (see `cells`).", references="cells.cell")


def _count(
    name: str = "people",
    meaning: str = N_("People counted in this row."),
    key_meaning: str = N_("Sum of the record keys of the people counted here, modulo 2**32."),
) -> tuple[Column, Column]:
    return Column(name, pa.int64(), meaning), Column(f"{name}_key", pa.int64(), key_meaning)


CELLS = Table(
    "cells",
    "Public aggregates: one row per occupied cell (placement region, cohort, current stage, sex, age band).",
    (
        Column("cell", pa.int32(), "Cell number: 0, 1, 2, ... in order."),
        Column("region_code", pa.string(), "Placement region.", references="regions.region_code"),
        Column("cohort_id", pa.string(), "Cohort.", references="cohorts.cohort_id"),
        Column(
            "stage_id",
            pa.string(),
            "Current stage; empty for people with no stage recorded.",
            nullable=True,
            references="stages.stage_id",
        ),
        Column("sex", pa.string(), "Sex as recorded.", allowed=SEXES),
        Column("age_band", pa.string(), "UNHCR age band at return.", allowed=AGE_BANDS),
        *_count(),
    ),
    key=("cell",),
)
CELL_FLAGS = Table(
    "cell_flags",
    "Public aggregates: people per cell by whether they returned unaccompanied and ever were on the justice track.",
    (
        _CELL,
        Column("unaccompanied", pa.bool_(), "Returned unaccompanied."),
        Column("justice", pa.bool_(), "Ever on the justice track."),
        *_count(),
    ),
    key=("cell", "unaccompanied", "justice"),
)
CELL_STAGES_REACHED = Table(
    "cell_stages_reached",
    "Public aggregates: people per cell who ever entered each stage.",
    (_CELL, Column("stage_id", pa.string(), "Stage.", references="stages.stage_id"), *_count()),
    key=("cell", "stage_id"),
)
CELL_STAGE_MOVES = Table(
    "cell_stage_moves",
    "Public aggregates: stage entries and exits per cell and month (entries before the first arrival month "
    "count in it); people in a stage at the end of a month are the entries so far minus the exits.",
    (
        _CELL,
        Column("month", pa.date32(), "First day of the month."),
        Column("stage_id", pa.string(), "Stage.", references="stages.stage_id"),
        *_count(
            "entered", N_("Stage entries in the month."), N_("Sum of the record keys of the entries, modulo 2**32.")
        ),
        *_count("left", N_("Stage exits in the month."), N_("Sum of the record keys of the exits, modulo 2**32.")),
    ),
    key=("cell", "month", "stage_id"),
)
CELL_MILESTONES = Table(
    "cell_milestones",
    "Public aggregates: people per cell by whole months from their cohort's arrival to the day they first "
    "entered a milestone stage (family placement, school/training/work); earlier than arrival counts as 0.",
    (
        _CELL,
        Column("milestone", pa.string(), "Milestone stage.", references="stages.stage_id"),
        Column("months", pa.int32(), "Whole months from arrival."),
        *_count(),
    ),
    key=("cell", "milestone", "months"),
)
CELL_DAYS_IN_STAGE = Table(
    "cell_days_in_stage",
    "Public aggregates: people per cell by days in their current stage as of the snapshot.",
    (_CELL, Column("days", pa.int32(), "Days since entering the current stage."), *_count()),
    key=("cell", "days"),
)
CELL_LATEST_SCORE = Table(
    "cell_latest_score",
    "Public aggregates: people per cell by their latest composite score (rounded to 0.001).",
    (_CELL, Column("composite", pa.float64(), "Latest composite score, 0-1."), *_count()),
    key=("cell", "composite"),
)
CELL_SCORES = Table(
    "cell_scores",
    "Public aggregates: assessments per cell, half-year and score (rounded to 0.001), for medians and quartiles.",
    (
        _CELL,
        Column("dimension", pa.string(), "Score dimension.", allowed=(*SCORE_DIMENSIONS, "composite")),
        Column("half_year", pa.date32(), "First day of the half-year."),
        Column("value", pa.float64(), "Score, 0-1."),
        Column("assessments", pa.int64(), "Assessments with this score."),
    ),
    key=("cell", "dimension", "half_year", "value"),
)
CELL_SCORED = Table(
    "cell_scored",
    "Public aggregates: people per cell and half-year with at least one score on a dimension.",
    (
        _CELL,
        Column("dimension", pa.string(), "Score dimension.", allowed=(*SCORE_DIMENSIONS, "composite")),
        Column("half_year", pa.date32(), "First day of the half-year."),
        *_count(),
    ),
    key=("cell", "dimension", "half_year"),
)
CELL_SERVICES = Table(
    "cell_services",
    "Public aggregates: people served and sessions per cell, month and type of service.",
    (
        _CELL,
        Column("month", pa.date32(), "First day of the month."),
        Column("service_type", pa.string(), "Kind of support.", allowed=SERVICE_TYPES),
        *_count(),
        Column("sessions", pa.int64(), "Sessions delivered."),
    ),
    key=("cell", "month", "service_type"),
    optional=True,
)
CELL_SERVED_LAST_YEAR = Table(
    "cell_served_last_year",
    "Public aggregates: people per cell served with each type of service in the 12 months to the as-of date.",
    (_CELL, Column("service_type", pa.string(), "Kind of support.", allowed=SERVICE_TYPES), *_count()),
    key=("cell", "service_type"),
    optional=True,
)
AGGREGATE_TABLES: tuple[Table, ...] = (
    CELLS,
    CELL_FLAGS,
    CELL_STAGES_REACHED,
    CELL_STAGE_MOVES,
    CELL_MILESTONES,
    CELL_DAYS_IN_STAGE,
    CELL_LATEST_SCORE,
    CELL_SCORES,
    CELL_SCORED,
    CELL_SERVICES,
    CELL_SERVED_LAST_YEAR,
    *REFERENCE_TABLES,
)
"""The tables of a public snapshot (`kind: aggregates`): no person rows at all."""
TABLES_BY_KIND = {"records": TABLES, "aggregates": AGGREGATE_TABLES}
TABLES_BY_NAME = {t.name: t for t in (*TABLES, *AGGREGATE_TABLES)}


@dataclass(frozen=True)
class ManifestField:
    name: str
    kind: str
    meaning: str
    required: bool = True


MANIFEST_FIELDS: tuple[ManifestField, ...] = (
    ManifestField(
        "schema_version", "integer", "Version of this contract the snapshot follows (see the heading of this page)."
    ),
    ManifestField("as_of", "date (YYYY-MM-DD)", "Day the data describes; nothing after it is in the snapshot."),
    ManifestField("country", "ISO 3166-1 alpha-2", "Country running the programme."),
    ManifestField(
        "access_level",
        "restricted | public",
        "Who may see it: `restricted` (programme staff) or `public` (disclosure-controlled).",
    ),
    ManifestField(
        "kind",
        "records | aggregates",
        "What the snapshot holds: person `records` (the default; restricted) or per-cell `aggregates` "
        "(public, written by `python -m data_access.publish`).",
        required=False,
    ),
    ManifestField(
        "perturbation",
        "object",
        "Aggregates only: the perturbation table's `max_noise`, `variance` and `never_shown` "
        "(see data_access/perturbation.py).",
        required=False,
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
        "notes_<lang>",
        "list of text",
        "The same notes in another interface language (`notes_ru`, `notes_kk`); the English `notes` show where "
        "a language has none.",
        required=False,
    ),
    ManifestField(
        "files",
        "object",
        "For each table file: `bytes` and `sha256`. Written last, so a half-copied folder is detectable.",
        required=False,
    ),
)


def notes_key(language: str) -> str:
    """The manifest field of the notes in `language`: `notes` (English), `notes_ru`, `notes_kk`."""
    return "notes" if language == "en" else f"notes_{language}"


def manifest_notes(manifest: dict, language: str) -> list[str]:
    """The manifest's notes in `language`, the English ones where it has none in it."""
    for key in (notes_key(language), "notes"):
        notes = manifest.get(key)
        if isinstance(notes, list) and notes:
            return [str(note) for note in notes]
    return []


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
