"""Loading a snapshot: read every table, hold it to the contract, derive what the queries need.

The loader only reads. Problems a person can fix (a missing column, a wrong type, duplicate
ids) stop the load with an error; problems the figures can survive (a few rows that point at
unknown codes, dates after the as-of date) are left out and reported as warnings.

What is derived once here, so each query is a cheap pass over one table:
- `people` gets the cohort's origin and arrival date, a `group` (man / woman / child), the
  current stage and since when, whether the person was ever on the justice track, and the
  first day of family placement and of school-or-work;
- every child table gets an integer `person` column pointing at the row of `people`.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from data_access import boundaries, integrity, prepared, programme
from data_access import contract as c
from data_access.catalogue import SnapshotInfo, read_manifest
from data_access.limits import one_large_load
from data_access.perturbation import KEY_MODULUS, Perturbation
from data_access.problems import Problem, SnapshotError, problem
from i18n import N_, _, language
from i18n import format as fmt

PREPARE_FROM_PEOPLE = 20_000
"""Snapshots this large are kept ready on disk after loading (see `data_access.prepared`); a
smaller one loads from its files in well under a second, so a copy would not pay."""
PERSON_ROWS = ("stage_events", "assessments", "services")
"""Tables of rows about people, matched to them by person_id (`_person_index`)."""
UNIQUE_TEXT = {"people": ("person_id", "household_id")}
"""Text columns read as plain text, not dictionaries: nearly every value differs."""


@dataclass(frozen=True, eq=False)
class Snapshot:
    """A loaded, validated snapshot. Treat every table as read-only: it is shared.

    A snapshot of person records (restricted) has `people`, `events`, `assessments` and
    `services`; a public one has none of them, only its per-cell `aggregates` (see
    `data_access.cells`). Both have the reference tables."""

    info: SnapshotInfo
    cohorts: pd.DataFrame
    regions: pd.DataFrame
    stages: pd.DataFrame
    problems: tuple[Problem, ...]
    people: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    assessments: pd.DataFrame | None = None
    services: pd.DataFrame | None = None
    aggregates: dict[str, pd.DataFrame] | None = None

    @cached_property
    def outlines(self) -> tuple[boundaries.Outline, ...]:
        """The regions' outlines for the map, built once per snapshot (empty: tiles only)."""
        return boundaries.outlines(self.regions)

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def as_of(self) -> dt.date:
        return self.info.as_of

    @property
    def kind(self) -> str:
        return "aggregates" if self.aggregates is not None else "records"

    @cached_property
    def perturbation(self) -> Perturbation | None:
        """The perturbation table every count of a public snapshot goes through (None: records)."""
        if self.kind != "aggregates":
            return None
        return Perturbation.from_manifest(self.info.manifest.get("perturbation"))

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def notices(self) -> tuple[Problem, ...]:
        """What the loader converted without changing a value (a type other than the contract's)."""
        return tuple(p for p in self.problems if p.severity == "notice")

    def categories(self, dimension: str) -> list[str]:
        """Every code of a dimension, in the order the reference tables give (stages in
        programme order), whatever the snapshot holds."""
        return list(self._categories[dimension])

    @cached_property
    def _categories(self) -> dict[str, tuple[str, ...]]:
        """Read from the reference tables once: queries ask for them a score of times a rerun."""
        return {
            "cohort": tuple(str(v) for v in self.cohorts["cohort_id"]),
            "region": tuple(str(v) for v in self.regions["region_code"]),
            "stage": tuple(str(v) for v in self.stages["stage_id"]),
            "origin": tuple(sorted(str(v) for v in self.cohorts["origin_country"].unique())),
            "sex": tuple(c.SEXES),
            "age_band": tuple(c.AGE_BANDS),
            "group": tuple(programme.GROUPS),
        }

    def track_stages(self, track: str) -> frozenset[str]:
        """The stages of a track (rehabilitation, justice, exit): every run asks, so read once."""
        return self._tracks.get(track, frozenset())

    @cached_property
    def _tracks(self) -> dict[str, frozenset[str]]:
        tracks: dict[str, set[str]] = {}
        for stage, track in zip(self.stages["stage_id"], self.stages["track"], strict=True):
            tracks.setdefault(str(track), set()).add(str(stage))
        return {track: frozenset(stages) for track, stages in tracks.items()}

    def labels(self, dimension: str) -> dict[str, str]:
        """Display names of every code of a dimension (cohort, region, stage, ...), in this
        run's language: the snapshot's own names where it has them in that language (regions,
        and cohorts and stages from schema version 2), the English ones otherwise."""
        code = language()
        with _labels_lock:
            cache = _labels_cache.setdefault(self, {})
            if code not in cache:
                cache[code] = {dim: make(self, code) for dim, make in LABELLERS.items()}
        return cache[code][dimension]

    def label(self, dimension: str, code: str) -> str:
        return self.labels(dimension).get(code, str(code))

    def has_labels_in(self, code: str) -> bool:
        """Whether the snapshot names its cohorts and stages in language `code` (English always)."""
        if code == "en":
            return True
        return all(
            f"{column}_{code}" in table and table[f"{column}_{code}"].notna().all()
            for table, column in ((self.cohorts, "name"), (self.stages, "label"))
        )


_labels_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_labels_lock = threading.Lock()


def _localised(table: pd.DataFrame, key: str, column: str, code: str, english: str = "") -> dict[str, str]:
    """`<column>_<code>`, the names in language `code`, where the snapshot has them; the English
    ones (`english`, by default `column` itself) where it does not, as for a language added to
    the interface before the snapshots name things in it."""
    names = table[english or column].astype(str)
    own = f"{column}_{code}"
    if code != "en" and own in table:
        # As plain objects: a categorical column refuses the English names it lacks as a fallback.
        own_names = table[own].astype(object)
        names = own_names.where(own_names.notna() & (own_names.astype(str) != ""), names).astype(str)
    return dict(zip(table[key].astype(str), names, strict=True))


LABELLERS = {
    "cohort": lambda s, code: _localised(s.cohorts, "cohort_id", "name", code),
    "region": lambda s, code: _localised(s.regions, "region_code", "name", code, english="name_en"),
    "stage": lambda s, code: _localised(s.stages, "stage_id", "label", code),
    "sex": lambda s, code: {"female": _("Female"), "male": _("Male")},
    "age_band": lambda s, code: {b: _("{band} years").format(band=b) for b in c.AGE_BANDS},
    "origin": lambda s, code: {origin: fmt.country(origin) for origin in s.cohorts.origin_country},
    "group": lambda s, code: {"man": _("Men"), "woman": _("Women"), "child": _("Children")},
    "unaccompanied": lambda s, code: {"True": _("Yes"), "False": _("No")},
    "justice": lambda s, code: {"True": _("Yes"), "False": _("No")},
    "track": lambda s, code: {track: _(TRACK_NAMES[track]) for track in c.TRACKS},
}
TRACK_NAMES = {"rehabilitation": N_("Rehabilitation"), "justice": N_("Justice"), "exit": N_("Exit")}


class _Checker:
    """Collects problems while one snapshot is read."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, table: str, message: str, **kw) -> None:
        """Record an error; `message` is an English template, `kw` its values and where."""
        self.problems.append(problem("error", table, message, **kw))

    def warn(self, table: str, message: str, **kw) -> None:
        self.problems.append(problem("warning", table, message, **kw))

    def note(self, table: str, message: str, **kw) -> None:
        """Record a notice: something converted without changing any value."""
        self.problems.append(problem("notice", table, message, **kw))

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def _example(frame: pd.DataFrame, mask: np.ndarray | pd.Series, columns: list[str]) -> str:
    first = frame.loc[np.asarray(mask)].iloc[0]

    def text(value) -> str:
        if isinstance(value, pd.Timestamp | dt.datetime) and value == value.normalize():
            return value.date().isoformat()
        return str(value)[:40]

    return ", ".join(f"{col}={text(first[col])}" for col in columns)


def _conform(table: c.Table, data: pa.Table, stored: pa.Schema, check: _Checker) -> pa.Table | None:
    """Columns and types to the contract, or None with errors recorded. A column stored as
    another type that holds the same values (large_string, int8, a whole-number float, a decimal
    score, a timestamp at midnight) is converted, with a notice; a value that would change is an
    error that names its row."""
    problems = integrity.schema_problems(table, stored)
    check.problems.extend(problems)
    wrong = {p.column for p in problems if p.severity == "error"}
    if wrong - set(data.column_names):
        return None
    arrays, converted = [], {}
    for col in table.columns:
        if col.name in wrong:
            continue
        if col.name not in data.column_names:  # an optional column a snapshot may leave out
            arrays.append(pa.nulls(data.num_rows, col.type))
            continue
        array = _converted(table, col, data.column(col.name), check)
        if array is None:
            continue
        arrays.append(array)
        kept_as = integrity.value_type(stored.field(col.name).type)
        if kept_as != col.type and not pa.types.is_null(kept_as):
            converted.setdefault((str(kept_as), str(col.type)), []).append(col.name)
        nulls = arrays[-1].null_count
        if nulls and not col.nullable:
            position = pc.index(pc.is_null(arrays[-1]), True).as_py()
            check.error(
                table.file_name,
                "empty values in a required column",
                column=col.name,
                rows=nulls,
                example=f"row {position + 1}",
            )
    if check.failed:
        return None
    for (kept_as, expected), columns in converted.items():
        check.note(
            table.file_name,
            "stored as {actual}, read as {expected} ({type}) without changing any value",
            column=", ".join(columns)[:200],
            actual=kept_as,
            expected=integrity.words(expected),
            type=expected,
        )
    return pa.Table.from_arrays(arrays, names=[col.name for col in table.columns])


def _converted(table: c.Table, col: c.Column, array: pa.ChunkedArray, check: _Checker) -> pa.ChunkedArray | None:
    """`array` as the contract's type, or None with the error recorded (which row, which value)."""
    expected = str(col.type)
    if pa.types.is_dictionary(array.type) and expected != "string":
        array = array.cast(array.type.value_type)
    kind = array.type
    if pa.types.is_dictionary(kind):
        # Text stays dictionary-encoded (pandas categoricals): ids repeat across millions of
        # rows, and matching codes is far cheaper than matching strings.
        return array.cast(pa.dictionary(pa.int32(), pa.string()))
    refused = None
    if expected == "date32[day]" and not pa.types.is_date32(kind):
        stamps = array.cast(pa.timestamp("ms")) if pa.types.is_date64(kind) else array
        if pa.types.is_timestamp(kind) and kind.tz is not None:
            stamps = pc.local_timestamp(stamps)  # the day where the export was made
        timed = pc.not_equal(pc.floor_temporal(stamps, unit="day"), stamps)
        refused = (timed, N_("holds times of day, not only dates; export the dates alone"))
        array = stamps
    elif expected in ("int32", "int64") and not pa.types.is_integer(kind):
        values = array.cast(pa.float64())
        whole = pc.and_(pc.is_finite(values), pc.equal(pc.floor(values), values))
        refused = (pc.invert(whole), N_("holds numbers that are not whole; a count or a position is a whole number"))
        array = values
    elif expected == "double" and pa.types.is_decimal(kind) and kind.precision > 15:
        refused = (pc.is_valid(array), N_("holds decimals of {precision} digits, more than a number keeps (15)"))
    if refused is not None and _refuse(table, col, array, *refused, check, precision=getattr(kind, "precision", "")):
        return None
    if expected in ("int32", "int64") and not _fits(array.type, col.type):
        bounds = np.iinfo(np.int32 if expected == "int32" else np.int64)
        values = array.cast(pa.float64())
        outside = pc.or_(pc.less(values, float(bounds.min)), pc.greater(values, float(bounds.max)))
        if _refuse(table, col, array, outside, N_("holds numbers too large for {type}"), check, type=col.type):
            return None
    try:
        return array.cast(col.type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        check.error(
            table.file_name,
            "values do not fit {type}: {reason}",
            column=col.name,
            type=col.type,
            reason=str(exc)[:120],
        )
        return None


def _fits(kind: pa.DataType, expected: pa.DataType) -> bool:
    """Whether every value of integer type `kind` is one of `expected` (int16 in int32: yes;
    uint32 or int64 in int32: not always)."""
    if not pa.types.is_integer(kind):
        return False
    if pa.types.is_signed_integer(kind):
        return kind.bit_width <= expected.bit_width
    return kind.bit_width < expected.bit_width


def _refuse(table: c.Table, col: c.Column, array, bad, message: str, check: _Checker, **params) -> bool:
    """Record `message` as an error on the rows where `bad` holds (with the first of them), if any."""
    bad = pc.fill_null(bad, False)
    rows = pc.sum(bad).as_py() or 0
    if not rows:
        return False
    position = pc.index(bad, True).as_py()
    value = array[position].as_py()
    example = f"row {position + 1}: {str(value)[:40]}"
    check.error(table.file_name, message, column=col.name, rows=rows, example=example, **params)
    return True


def _valid_text(table: c.Table, data: pa.Table, check: _Checker) -> bool:
    """Whether every text column holds valid UTF-8; if not, an error that names the column and
    the first row (Arrow only finds out when the text is used, far from the file)."""
    valid = True
    for name in data.column_names:
        column = data.column(name)
        if not _is_text(integrity.value_type(column.type)):
            continue
        offset = 0
        for chunk in column.chunks:
            try:
                chunk.validate(full=True)
            except pa.ArrowInvalid as exc:
                row, shown = _first_bad_text(chunk, str(exc))
                check.error(
                    table.file_name,
                    "holds text that is not valid UTF-8; export the table with its text encoded as UTF-8",
                    column=name,
                    example=f"row {offset + row + 1}: {shown}",
                )
                valid = False
                break
            offset += len(chunk)
    return valid


def _is_text(data_type: pa.DataType) -> bool:
    return pa.types.is_string(data_type) or pa.types.is_large_string(data_type) or pa.types.is_string_view(data_type)


def _first_bad_text(chunk: pa.Array, message: str) -> tuple[int, str]:
    """The row (in `chunk`) of the first invalid text Arrow's `message` points at, and how it reads."""
    found = re.search(r"string index (\d+)", message)
    index = int(found[1]) if found else 0
    strings = chunk.dictionary if pa.types.is_dictionary(chunk.type) else chunk
    try:
        raw = strings.cast(pa.large_binary())[index].as_py() or b""
        shown = repr(raw.decode("utf-8", errors="replace")[:40])
    except (pa.ArrowException, IndexError):
        shown = "?"
    if pa.types.is_dictionary(chunk.type):
        row = pc.index(chunk.indices, index).as_py()
        return max(row, 0), shown
    return index, shown


def _read(folder: Path, table: c.Table, check: _Checker) -> pd.DataFrame | None:
    """One table, read only if it is a regular file of the snapshot folder itself: only its
    contract's columns, its text checked to be UTF-8 and its types conformed to the contract."""
    data = _read_arrow(folder, table, check)
    return None if data is None else data.to_pandas(date_as_object=False)


def _read_arrow(folder: Path, table: c.Table, check: _Checker) -> pa.Table | None:
    """`_read`, left in Arrow: a table of person rows matches its person ids there
    (`_person_index`) before the rest becomes pandas."""
    try:
        handle = integrity.open_file(folder, table.file_name)
    except FileNotFoundError:
        if table.optional:
            return pa.table({col.name: pa.array([], type=pa.string()) for col in table.columns})
        check.problems.append(integrity.missing_table(table))
        return None
    except integrity.OutsideFolder as refused:
        check.problems.append(refused.problem)
        return None
    try:
        with handle:
            stored = pq.ParquetFile(handle).schema_arrow
            wanted = [col.name for col in table.columns if col.name in stored.names]
            # Text that repeats is read as a dictionary (codes, not millions of strings); a
            # table's own unique ids are not (their dictionary would be as long as the column).
            text = [
                name
                for name in wanted
                if str(table.column(name).type) == "string" and name not in UNIQUE_TEXT.get(table.name, ())
            ]
            data = pq.ParquetFile(handle, read_dictionary=text).read(columns=wanted)
    except (OSError, pa.ArrowException) as exc:
        check.problems.append(integrity.unreadable(table, exc))
        return None
    if not _valid_text(table, data, check):
        return None
    return _conform(table, data, stored, check)


def _unique(frame: pd.DataFrame, table: c.Table, check: _Checker) -> None:
    key = list(table.key)
    dup = frame.duplicated(key, keep=False)
    if dup.any():
        check.error(
            table.file_name,
            "duplicate {key}; each must appear once",
            key=" + ".join(key),
            column=key[0],
            rows=int(dup.sum()),
            example=_example(frame, dup, key),
        )


LEFT_OUT = {
    True: N_("unknown {name} (expected {values}); these rows are left out"),
    False: N_("unknown {name} (not in {target}); these rows are left out"),
}
REFUSED = {
    True: N_("unknown {name} (expected {values}); publish the snapshot again"),
    False: N_("unknown {name} (not in {target}); publish the snapshot again"),
}
COLUMN_WORDS = {
    "cohort_id": N_("cohort"),
    "region_code": N_("region"),
    "stage_id": N_("stage"),
    "sex": N_("sex"),
    "age_band": N_("age band"),
    "service_type": N_("service type"),
    "track": N_("track"),
    "milestone": N_("milestone"),
    "dimension": N_("dimension"),
    "cell": N_("cell"),
}
"""How a person names a column in a message."""


@dataclass(frozen=True)
class _Declared:
    """A column whose values the contract declares, the values it knows, and how to say so."""

    column: str
    known: object
    allowed: bool
    """True: the contract lists the values; False: they must be in another table."""
    params: dict


def _declared(table: c.Table, reference: dict[str, pd.DataFrame]) -> list[_Declared]:
    """Every column of `table` whose values the contract declares: allowed values, or a
    reference to one of the tables in `reference` (a reference to a table not given is checked
    elsewhere: person ids by `_person_index`)."""
    found = []
    for col in table.columns:
        words = COLUMN_WORDS.get(col.name, col.name)
        if col.allowed:
            listing = " or ".join(col.allowed) if len(col.allowed) == 2 else ", ".join(col.allowed)
            found.append(_Declared(col.name, col.allowed, True, {"name": words, "values": listing}))
        elif col.references and col.references.split(".")[0] in reference:
            target, column = col.references.split(".")
            found.append(_Declared(col.name, reference[target][column], False, {"name": words, "target": target}))
    return found


def _keep_declared(frame: pd.DataFrame, table: c.Table, reference: dict[str, pd.DataFrame], check: _Checker):
    """`frame` without the rows whose codes the contract does not know (each kind reported as a
    warning that names the column and gives an example)."""
    for declared in _declared(table, reference):
        unknown = ~_isin(frame[declared.column], declared.known)
        if unknown.any():
            check.warn(
                table.file_name,
                LEFT_OUT[declared.allowed],
                column=declared.column,
                rows=int(unknown.sum()),
                example=_example(frame, unknown, [declared.column]),
                **declared.params,
            )
            frame = frame.loc[~unknown]
    return frame


def _isin(values: pd.Series, known) -> np.ndarray:
    """`values.isin(known)` as an array; for a categorical, decided once per category (a
    column of millions of rows has a handful)."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return values.isin(known).to_numpy()
    per_category = np.append(values.cat.categories.isin(known), False)  # code -1 (empty): not known
    return per_category[values.cat.codes.to_numpy()]


LOADING_STEPS: tuple[tuple[str, str], ...] = (
    ("files", N_("checking the files")),
    ("waiting", N_("waiting while another large snapshot loads")),
    ("tables", N_("reading the tables")),
    ("people", N_("checking the people")),
    ("histories", N_("building the stage histories")),
    ("assessments", N_("reading the assessments")),
    ("services", N_("reading the services")),
)
"""What `load_snapshot` reports to its `progress` callback, in order, with the words a waiting
reader sees (a snapshot of a million people takes seconds; the page says which step it is on)."""


def load_snapshot(source: Path | SnapshotInfo, progress: Callable[[str], None] | None = None) -> Snapshot:
    """Load and validate one snapshot folder. Raises SnapshotError when it cannot be used.
    `progress(step)` is called as each of `LOADING_STEPS` begins."""
    step = progress or (lambda _step: None)
    info = source if isinstance(source, SnapshotInfo) else read_manifest(Path(source))
    check = _Checker()
    check.problems.extend(info.problems)
    if check.failed:
        raise SnapshotError(info.id, check.problems)
    step("files")
    check.problems.extend(integrity.file_problems(info.path, info.manifest, checksums=True))
    if not check.failed:  # sizes from the footers, before a single row is read
        check.problems.extend(integrity.footer_problems(info.path, info.kind))
    if check.failed:
        raise SnapshotError(info.id, check.problems)
    with one_large_load(integrity.footer_rows(info.path, info.kind), waiting=lambda: step("waiting")):
        step("tables")
        if info.kind == "aggregates":
            return _load_aggregates(info, check)
        return _load_records(info, check, step)


def _load_records(info: SnapshotInfo, check: _Checker, step: Callable[[str], None]) -> Snapshot:
    ready = prepared.read(info.manifest)  # loaded before by an earlier process: same files, same code
    if ready is not None:
        tables, problems = ready
        release_memory()  # the Arrow buffers the tables were converted from
        return Snapshot(info=info, problems=tuple(problems), **{name: tables[name] for name in prepared.TABLES})

    tables = {t.name: _read_arrow(info.path, t, check) for t in c.TABLES}
    if check.failed:
        raise SnapshotError(info.id, check.problems)
    for name in ("people", "stage_events"):
        if not tables[name].num_rows:
            check.problems.append(integrity.empty_table(c.TABLES_BY_NAME[name]))
    # Rows of people stay in Arrow until their person ids are matched (`_person_index`).
    raw = {name: data if name in PERSON_ROWS else data.to_pandas(date_as_object=False) for name, data in tables.items()}
    del tables
    _unique(raw["people"], c.PEOPLE, check)
    cohorts, regions, stages = _reference(raw, check)
    if check.failed:
        raise SnapshotError(info.id, check.problems)

    as_of = pd.Timestamp(info.as_of)
    step("people")
    people = _people(raw["people"], cohorts, regions, check)
    if people.empty:
        check.error(c.PEOPLE.file_name, "no usable people are left after the checks above")
        raise SnapshotError(info.id, check.problems)
    step("histories")
    ids = _PersonIds.of(people)
    events = _events(raw["stage_events"], people, ids, stages, as_of, check)
    people = _derive_people(people, events, stages, check)
    step("assessments")
    assessments = _assessments(raw["assessments"], ids, as_of, check)
    people = people.assign(latest_composite=_latest(assessments, "composite", len(people)))
    step("services")
    services = _services(raw["services"], ids, as_of, check)
    del raw
    release_memory()
    snapshot = Snapshot(
        info=info,
        cohorts=cohorts,
        regions=regions,
        stages=stages,
        problems=tuple(check.problems),
        people=people,
        events=events,
        assessments=assessments,
        services=services,
    )
    if len(people) >= PREPARE_FROM_PEOPLE:
        # For the next process, not this one: written while the first page is drawn.
        tables = {name: getattr(snapshot, name) for name in prepared.TABLES}
        prepared.write_soon(info.manifest, tables, check.problems, then=release_memory)
    return snapshot


def _reference(raw: dict[str, pd.DataFrame], check: _Checker) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The cohorts, regions and stages tables checked (unique ids, known tracks), stages in
    programme order."""
    for table in c.REFERENCE_TABLES:
        if raw[table.name].empty:
            check.problems.append(integrity.empty_table(table))
        _unique(raw[table.name], table, check)
        for declared in _declared(table, raw):
            bad = ~raw[table.name][declared.column].isin(declared.known)
            if bad.any():
                check.error(
                    table.file_name,
                    "{name} must be one of {values}",
                    name=declared.column,
                    values=", ".join(declared.known),
                    column=declared.column,
                    rows=int(bad.sum()),
                    example=_example(raw[table.name], bad, [table.key[0], declared.column]),
                )
    cohorts = raw["cohorts"].reset_index(drop=True)
    regions, faults = boundaries.checked(raw["regions"].reset_index(drop=True))
    check.problems.extend(faults)
    stages = raw["stages"].sort_values(["order", "stage_id"]).reset_index(drop=True)
    return cohorts, regions, stages


def _load_aggregates(info: SnapshotInfo, check: _Checker) -> Snapshot:
    """A public snapshot: reference tables and per-cell aggregates, no person rows. Everything
    is checked against the contract (codes, references, counts and keys in range); any problem
    is an error, since aggregates cannot lose rows without changing every total."""
    try:
        Perturbation.from_manifest(info.manifest.get("perturbation"))
    except ValueError as error:
        check.error(
            c.MANIFEST_FILE,
            "{reason}; publish the snapshot again with python -m data_access.publish",
            reason=str(error),
        )
    raw = {t.name: _read(info.path, t, check) for t in c.AGGREGATE_TABLES}
    if check.failed:
        raise SnapshotError(info.id, check.problems)
    cohorts, regions, stages = _reference(raw, check)
    if raw["cells"].empty:
        check.problems.append(integrity.empty_table(c.CELLS))
    if check.failed:
        raise SnapshotError(info.id, check.problems)
    for table in c.AGGREGATE_TABLES:
        if table not in c.REFERENCE_TABLES:
            _unique(raw[table.name], table, check)
            _check_aggregate(raw, table, check)
    if check.failed:
        raise SnapshotError(info.id, check.problems)
    aggregates = {t.name: raw[t.name] for t in c.AGGREGATE_TABLES if t not in c.REFERENCE_TABLES}
    return Snapshot(
        info=info,
        cohorts=cohorts,
        regions=regions,
        stages=stages,
        problems=tuple(check.problems),
        aggregates=aggregates,
    )


def _check_aggregate(raw: dict[str, pd.DataFrame], table: c.Table, check: _Checker) -> None:
    """Codes the contract allows or references (as for records, but an error here), counts that
    are not negative, keys in [0, 2**32)."""
    frame = raw[table.name]
    problems = [
        (
            d.column,
            ~_isin(frame[d.column], d.known) & frame[d.column].notna().to_numpy(),
            REFUSED[d.allowed],
            d.params,
        )
        for d in _declared(table, raw)
    ]
    for col in table.columns:
        values = frame[col.name]
        if col.name.endswith("_key"):
            bad = ((values < 0) | (values >= KEY_MODULUS)).to_numpy()
            problems.append((col.name, bad, N_("keys outside 0 to 2**32 - 1; publish the snapshot again"), {}))
        elif str(col.type) == "int64":
            problems.append((col.name, (values < 0).to_numpy(), N_("negative counts; publish the snapshot again"), {}))
    for column, bad, message, params in problems:
        if bad.any():
            check.error(
                table.file_name,
                message,
                column=column,
                rows=int(bad.sum()),
                example=_example(frame, bad, [column]),
                **params,
            )


def release_memory() -> None:
    """Hand memory freed after a large build back to the system. Arrow's pool and the C allocator
    keep freed blocks for reuse; after loading a large snapshot (or summing it per cell) that is
    hundreds of MiB a long-running server would hold for nothing."""
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def month_numbers(dates: np.ndarray) -> np.ndarray:
    """Months since 1970-01 as whole numbers (-1 for no date), derived once at load so that
    per-rerun counting never converts dates."""
    # NumPy's datetime64[M] cast walks the calendar value by value (~40 ns each: 1 s for the 28M
    # service rows of a 1M-person snapshot), and so does its cast to days. Days are found by
    # dividing milliseconds; dates span a few thousand days, so the calendar is walked once per
    # day in that span and looked up by day.
    dates = np.asarray(dates).astype("datetime64[ms]", copy=False)
    missing = np.isnat(dates)
    some_missing = bool(missing.any())
    if not len(dates) or (some_missing and missing.all()):
        return np.full(len(dates), -1, dtype=np.int32)
    days = dates.view(np.int64) // 86_400_000
    if some_missing:
        days[missing] = days[np.argmin(missing)]  # any known day: the lookup stays in range
    first, last = int(days.min()), int(days.max())
    if last - first > 200_000:  # dates centuries apart: not worth a table
        months = dates.astype("datetime64[M]").astype(np.int64)
        return np.where(missing, -1, months).astype(np.int32)
    table = np.arange(first, last + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int32)
    out = table[days - first]
    if some_missing:
        out[missing] = -1
    return out


def _categorical(values: pd.Series, categories) -> pd.Categorical:
    """`values` as a categorical over exactly `categories` (the reference table's order)."""
    categories = [str(v) for v in categories]
    if isinstance(values.dtype, pd.CategoricalDtype):
        return pd.Categorical(values.cat.set_categories(categories))
    return pd.Categorical(values, categories=categories)


def _person_index(data: pa.Table, ids: _PersonIds, table: c.Table, check: _Checker) -> pd.DataFrame:
    """`data` (rows of people, in Arrow) as pandas with each row's `person` (its row in
    `people`), rows whose person_id is not in people left out with a warning.

    The ids are matched in Arrow: every chunk's dictionary of ids is looked up in `people` at
    once (`pyarrow.compute.index_in`), and the result spread over the rows by code. A million
    people's ids never become a pandas categorical (which hashes its categories again to check
    them) or Python strings; `person_id` comes back as a categorical over the people's ids
    (`ids`), for the examples in messages."""
    person = _person_rows(data.column("person_id"), ids.arrow)
    frame = data.drop_columns(["person_id"]).to_pandas(date_as_object=False)
    unknown = person < 0
    if unknown.any():
        first = int(np.flatnonzero(unknown)[0])
        check.warn(
            table.file_name,
            "unknown person_id (not in people); these rows are left out",
            column="person_id",
            rows=int(unknown.sum()),
            example=f"person_id={str(data.column('person_id')[first].as_py())[:40]}",
        )
        frame, person = frame.loc[~unknown].reset_index(drop=True), person[~unknown]
    frame.insert(0, "person_id", pd.Categorical.from_codes(person, dtype=ids.dtype))
    frame["person"] = person
    return frame


def _person_rows(ids: pa.ChunkedArray, people_ids: pa.Array) -> np.ndarray:
    """Each id's row in `people_ids` (-1 where it is not there), as int32."""
    if not pa.types.is_dictionary(ids.type):
        ids = ids.dictionary_encode()
    chunks = [chunk for chunk in ids.chunks if len(chunk)]
    person = np.empty(len(ids), dtype=np.int32)
    if not chunks:
        return person
    dictionaries = pa.concat_arrays([chunk.dictionary.cast(pa.string()) for chunk in chunks])
    found = pc.index_in(dictionaries, value_set=people_ids).fill_null(-1).to_numpy(zero_copy_only=False)
    found = found.astype(np.int32, copy=False)
    row = start = 0
    for chunk in chunks:
        codes = chunk.indices.to_numpy(zero_copy_only=False)
        np.take(found[start : start + len(chunk.dictionary)], codes, out=person[row : row + len(chunk)])
        row += len(chunk)
        start += len(chunk.dictionary)
    return person


@dataclass(frozen=True)
class _PersonIds:
    """The people's ids in Arrow (to look child rows up in) and as a categorical type (to give
    child rows their ids back), made once per load: each takes a pass over a million strings."""

    arrow: pa.Array
    dtype: pd.CategoricalDtype

    @staticmethod
    def of(people: pd.DataFrame) -> _PersonIds:
        ids = people["person_id"].to_numpy(dtype=object)
        return _PersonIds(pa.array(ids, type=pa.string()), pd.CategoricalDtype(ids))


def _people(people: pd.DataFrame, cohorts: pd.DataFrame, regions: pd.DataFrame, check: _Checker) -> pd.DataFrame:
    t = c.PEOPLE
    people = _keep_declared(people, t, {"cohorts": cohorts, "regions": regions}, check)
    people = people.reset_index(drop=True)
    cohort = _categorical(people["cohort_id"], cohorts["cohort_id"])
    # Per-cohort facts spread over people by cohort code (every code is known after the check above).
    origins = sorted(cohorts["origin_country"].unique())
    origin_code = pd.Index(origins).get_indexer(cohorts["origin_country"])[cohort.codes]
    arrival = cohorts["arrival_date"].to_numpy().astype("datetime64[ms]")[cohort.codes]
    sex = pd.Categorical(people["sex"], categories=c.SEXES)
    age_band = pd.Categorical(people["age_band"], categories=c.AGE_BANDS, ordered=True)
    group = programme.group_codes(sex.codes, age_band.codes)
    return pd.DataFrame(
        {
            "person_id": people["person_id"].astype(object),
            "household_id": people["household_id"].astype(object),
            "cohort": cohort,
            "origin": pd.Categorical.from_codes(origin_code, categories=origins),
            "arrival_date": arrival,
            "sex": sex,
            "age_band": age_band,
            "group": pd.Categorical.from_codes(group, categories=programme.GROUPS),
            "unaccompanied": people["unaccompanied"].to_numpy(dtype=bool),
            "region": _categorical(people["region_code"], regions["region_code"]),
        }
    )


def _events(
    events: pa.Table, people: pd.DataFrame, ids: _PersonIds, stages: pd.DataFrame, as_of: pd.Timestamp, check: _Checker
) -> pd.DataFrame:
    """Stage events with their person's row, in person and entry order, dates checked."""
    t = c.STAGE_EVENTS
    events = _person_index(events, ids, t, check)
    events = _keep_declared(events, t, {"stages": stages}, check)
    entered, exited, future = _event_dates(events, people, as_of, check)
    frame = pd.DataFrame(
        {
            "person": events["person"].to_numpy(),
            "stage": _categorical(events["stage_id"], stages["stage_id"]),
            "entered_on": entered.to_numpy(),
            "exited_on": exited.to_numpy(),
        }
    )
    if future.any():
        frame = frame.loc[~future.to_numpy()]
    frame = _sorted_by_person(frame, "entered_on")
    frame["entered_month"] = month_numbers(frame["entered_on"].to_numpy())
    frame["exited_month"] = month_numbers(frame["exited_on"].to_numpy())
    _warn_overlaps(frame, people, check)
    return frame


def _event_dates(events: pd.DataFrame, people: pd.DataFrame, as_of: pd.Timestamp, check: _Checker):
    """(entry dates, exit dates, entered after the as-of date): exits after the as-of date or
    before the entry ignored, each kind of odd date reported."""
    t = c.STAGE_EVENTS
    entered = events["entered_on"].astype("datetime64[ms]")
    exited = events["exited_on"].astype("datetime64[ms]")
    future = entered > as_of
    late_exit = exited > as_of
    backwards = exited.mask(late_exit) < entered
    early = entered.to_numpy() < people["arrival_date"].to_numpy()[events["person"].to_numpy()]
    for rows, column, message, example in (
        (future, "entered_on", "entered after the snapshot's as-of date; left out", ["person_id", "entered_on"]),
        (
            late_exit,
            "exited_on",
            "exit after the as-of date; treated as still in the stage",
            ["person_id", "exited_on"],
        ),
        (
            backwards,
            "exited_on",
            "exit before entry; the exit date is ignored",
            ["person_id", "entered_on", "exited_on"],
        ),
        (
            early,
            "entered_on",
            "entered before the person's cohort arrived; kept as recorded",
            ["person_id", "entered_on"],
        ),
    ):
        if rows.any():
            check.warn(
                t.file_name,
                message,
                column=column,
                rows=int(rows.sum()),
                example=_example(events, rows, example),
            )
    return entered, exited.mask(late_exit).mask(backwards), future


def _warn_overlaps(frame: pd.DataFrame, people: pd.DataFrame, check: _Checker) -> None:
    """A person in two stages at once: the latest entered counts as current, with a warning."""
    person = frame["person"].to_numpy()
    previous_exit = frame["exited_on"].to_numpy()[:-1]
    overlap = (person[1:] == person[:-1]) & (
        np.isnat(previous_exit) | (previous_exit > frame["entered_on"].to_numpy()[1:])
    )
    if overlap.any():
        people_hit = np.unique(person[1:][overlap])
        check.warn(
            c.STAGE_EVENTS.file_name,
            "stage intervals overlap for some people; the latest entered stage counts as current",
            rows=int(overlap.sum()),
            example=f"person_id={people['person_id'].iat[people_hit[0]]}",
        )


def _sorted_by_person(frame: pd.DataFrame, date: str) -> pd.DataFrame:
    """`frame` sorted by person, then `date` (stable); exports usually come in that order, which
    is checked in one pass instead of sorting millions of rows again."""
    key = frame["person"].to_numpy().astype(np.int64) << 32
    key += frame[date].to_numpy().astype("datetime64[D]").astype(np.int64)
    if len(key) > 1 and not (key[1:] >= key[:-1]).all():
        frame = frame.iloc[np.argsort(key, kind="stable")]
    return frame.reset_index(drop=True)


def _derive_people(people: pd.DataFrame, events: pd.DataFrame, stages: pd.DataFrame, check: _Checker) -> pd.DataFrame:
    n = len(people)
    person = events["person"].to_numpy()
    # Current stage: the open stage entered last; if none is open, the last entered. Events are
    # in person and entry order, so that is each person's row with the largest (open, position).
    rank = events["exited_on"].isna().to_numpy().astype(np.int64) * len(events) + np.arange(len(events))
    starts = np.flatnonzero(np.r_[True, person[1:] != person[:-1]]) if len(person) else np.array([], dtype=np.int64)
    chosen = np.maximum.reduceat(rank, starts) % len(events) if len(person) else starts
    last = events.iloc[chosen]
    stage = pd.Categorical.from_codes(np.full(n, -1), categories=stages["stage_id"])
    stage_codes = np.full(n, -1, dtype=np.int16)
    stage_codes[last["person"].to_numpy()] = last["stage"].cat.codes.to_numpy()
    stage = pd.Categorical.from_codes(stage_codes, dtype=stage.dtype)
    since = np.full(n, np.datetime64("NaT"), dtype="datetime64[ms]")
    since[last["person"].to_numpy()] = last["entered_on"].to_numpy()
    missing = stage_codes < 0
    if missing.any():
        check.warn(
            c.STAGE_EVENTS.file_name,
            "people with no stage recorded: counted in totals, not in stage charts",
            rows=int(missing.sum()),
            example=f"person_id={people['person_id'].iat[int(np.flatnonzero(missing)[0])]}",
        )

    def first_entry(stage_id: str) -> np.ndarray:
        out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ms]")
        rows = events.loc[events["stage"] == stage_id].drop_duplicates("person", keep="first")
        out[rows["person"].to_numpy()] = rows["entered_on"].to_numpy()
        return out

    justice_stages = stages.loc[stages["track"] == "justice", "stage_id"]
    justice = np.zeros(n, dtype=bool)
    justice[person[events["stage"].isin(justice_stages).to_numpy()]] = True
    return people.assign(
        stage=stage,
        stage_since=since,
        justice=justice,
        placed_on=first_entry(c.STAGE_PLACEMENT),
        school_work_on=first_entry(c.STAGE_SCHOOL_WORK),
    )


def _assessments(data: pa.Table, ids: _PersonIds, as_of: pd.Timestamp, check: _Checker) -> pd.DataFrame:
    t = c.ASSESSMENTS
    if not data.num_rows:
        check.warn(t.file_name, "is empty: no scores to show")
    frame = _person_index(data, ids, t, check)
    assessed = frame["assessed_on"].astype("datetime64[ms]")
    future = (assessed > as_of).to_numpy()
    if future.any():
        check.warn(
            t.file_name,
            "assessed after the as-of date; left out",
            column="assessed_on",
            rows=int(future.sum()),
            example=_example(frame, future, ["person_id", "assessed_on"]),
        )
    scores = {}
    for dim in c.SCORE_DIMENSIONS:
        values = frame[dim].astype("float64")
        outside = (values < 0) | (values > 1)
        if outside.any():
            check.warn(
                t.file_name,
                "score outside 0-1; treated as missing",
                column=dim,
                rows=int(outside.sum()),
                example=_example(frame, outside, ["person_id", dim]),
            )
        scores[dim] = values.mask(outside).to_numpy()
    out = pd.DataFrame({"person": frame["person"].to_numpy(), "assessed_on": assessed.to_numpy(), **scores})
    # The mean of the dimensions scored (NaN where none was), as DataFrame.mean(axis=1) gives it:
    # added in the same order, one dimension at a time (no 12M x 3 copy to stack and clean).
    total = np.zeros(len(out))
    scored = np.zeros(len(out), dtype=np.int8)
    for dim in c.SCORE_DIMENSIONS:
        seen = ~np.isnan(scores[dim])
        scored += seen
        total += np.where(seen, scores[dim], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["composite"] = np.where(scored > 0, total / scored, np.nan)
    if future.any():
        out = out.loc[~future].reset_index(drop=True)
    # The half-year an assessment falls in (its first day): the period score charts group by.
    months = month_numbers(out["assessed_on"].to_numpy()).astype(np.int64)
    out["half_year"] = (months - months % 6).astype("datetime64[M]").astype("datetime64[ms]")
    return out


def _latest(assessments: pd.DataFrame, column: str, n: int) -> np.ndarray:
    """Each person's most recent value of `column` (NaN where never assessed)."""
    out = np.full(n, np.nan)
    if assessments.empty:
        return out
    ordered = _sorted_by_person(assessments, "assessed_on")
    person = ordered["person"].to_numpy()
    last = np.r_[person[1:] != person[:-1], True]
    out[person[last]] = ordered[column].to_numpy()[last]
    return out


def _services(data: pa.Table, ids: _PersonIds, as_of: pd.Timestamp, check: _Checker) -> pd.DataFrame:
    t = c.SERVICES
    frame = _person_index(data, ids, t, check)
    frame = _keep_declared(frame, t, {}, check)
    month = frame["month"].astype("datetime64[ms]")
    sessions = frame["sessions"].astype("int32")
    bad = (month > as_of) | (sessions < 1)
    if bad.any():
        check.warn(
            t.file_name,
            "month after the as-of date or fewer than 1 session; left out",
            rows=int(bad.sum()),
            example=_example(frame, bad, ["person_id", "month", "sessions"]),
        )
    out = pd.DataFrame(
        {
            "person": frame["person"].to_numpy(),
            "month": month.to_numpy(),
            "service_type": _categorical(frame["service_type"], c.SERVICE_TYPES),
            "sessions": sessions.to_numpy(),
        }
    )
    if bad.any():
        out = out.loc[~bad.to_numpy()].reset_index(drop=True)
    return _one_row_per_key(out.assign(month_number=month_numbers(out["month"].to_numpy())), check)


def _one_row_per_key(services: pd.DataFrame, check: _Checker) -> pd.DataFrame:
    """The contract's key (person, month, service type) must be unique: the queries count rows
    as people served. Repeated keys are merged (sessions added) with a warning."""
    months = services["month_number"].to_numpy().astype(np.int64)
    person_month = (services["person"].to_numpy().astype(np.int64) << 24) + ((months - months.min(initial=0)) << 4)
    key = person_month + services["service_type"].cat.codes.to_numpy()
    if len(key) < 2 or _unique_in_runs(person_month, key, len(c.SERVICE_TYPES)) or pd.Series(key).is_unique:
        return services
    repeated = int(pd.Series(key).duplicated().sum())
    check.warn(
        c.SERVICES.file_name,
        "the same person, month and service type appear more than once; their sessions are added up",
        rows=repeated,
    )
    merged = services.groupby(["person", "month", "service_type"], observed=True, as_index=False)["sessions"].sum()
    merged = merged.astype({"person": np.int32, "sessions": np.int32})
    return merged.assign(month_number=month_numbers(merged["month"].to_numpy()))


def _unique_in_runs(run: np.ndarray, key: np.ndarray, longest: int) -> bool:
    """True when `run` never decreases and no `key` repeats within a run of at most `longest`
    rows (exports come sorted by person and month): a check in a few passes, without hashing."""
    if not (run[1:] >= run[:-1]).all():
        return False
    for shift in range(1, longest):
        same_run = run[shift:] == run[:-shift]
        if not same_run.any():
            return True
        if (same_run & (key[shift:] == key[:-shift])).any():
            return False
    return not (run[longest:] == run[:-longest]).any()
