"""The Streamlit side of the one-way street: pick a snapshot, draw the global filters, and hand
every page the same `View` (snapshot, filters, base n, description).

`app.py` calls `build_view()` once per run and hands the view to the page it runs.
Snapshots are loaded once per process with `st.cache_resource` and shared by every session.
"""

from __future__ import annotations

import contextvars
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import streamlit as st

import i18n
from data_access import (
    DIMENSIONS,
    Filters,
    Snapshot,
    SnapshotError,
    SnapshotInfo,
    describe,
    find_snapshots,
    load_snapshot,
    snapshot_root,
)
from data_access.catalogue import admit
from data_access.contract import MANIFEST_FILE
from data_access.filters import MAX_VALUES
from data_access.problems import Problem
from data_access.release import Access, Release
from data_access.snapshot import LOADING_STEPS
from i18n import N_, _, ngettext
from i18n import format as fmt
from ui import heap, signin
from ui.fragments import fragment
from ui.text import escape

log = logging.getLogger("second_chance.load")

FILTER_LABELS = {
    "cohort": N_("Cohort"),
    "region": N_("Region"),
    "stage": N_("Current stage"),
    "sex": N_("Sex"),
    "age_band": N_("Age band at return"),
    "origin": N_("Returned from"),
}
FILTER_NOTICES = {
    "cohort": N_("Ignored cohort values from the link that this snapshot does not have: {values}."),
    "region": N_("Ignored region values from the link that this snapshot does not have: {values}."),
    "stage": N_("Ignored current stage values from the link that this snapshot does not have: {values}."),
    "sex": N_("Ignored sex values from the link that this snapshot does not have: {values}."),
    "age_band": N_("Ignored age band at return values from the link that this snapshot does not have: {values}."),
    "origin": N_("Ignored returned from values from the link that this snapshot does not have: {values}."),
}


@dataclass(frozen=True, eq=False)
class View:
    """What every page works from in this run."""

    snapshot: Snapshot
    previous: Snapshot | None
    filters: Filters
    base_n: int
    description: str
    data: Release
    """Every figure a page shows comes from here (never from `queries` directly)."""

    @property
    def access(self) -> Access:
        return self.data.access

    @property
    def shows(self) -> bool:
        """May figures be shown for this selection at this access level?"""
        return self.data.shows(self.filters)


def access() -> Access:
    """The access level of this session: the server's, from its environment, and on a server that
    signs staff in, the signed-in identity's (`ui.signin`; never from the URL or a widget). Read on
    every run: it costs microseconds and nothing a user does on the page can change it."""
    return signin.access()


RESCAN_VARIABLE = "SECOND_CHANCE_RESCAN_SECONDS"
DEFAULT_RESCAN_SECONDS = 10.0


def rescan_seconds() -> float:
    """How often the snapshot folder is re-scanned (`SECOND_CHANCE_RESCAN_SECONDS`, default 10;
    0 re-scans on every run)."""
    try:
        return max(0.0, float(os.environ.get(RESCAN_VARIABLE, DEFAULT_RESCAN_SECONDS)))
    except ValueError:
        return DEFAULT_RESCAN_SECONDS


@st.cache_resource(max_entries=4, show_spinner=False)
def _catalogue(root: str, period: int) -> list[SnapshotInfo]:
    return find_snapshots(Path(root))


def catalogue(root: str) -> list[SnapshotInfo]:
    """The snapshot folders under `root`, re-scanned every `rescan_seconds()`: a new folder
    shows up without a restart. The period is part of the cache key, so the setting is read
    on every run."""
    seconds = rescan_seconds()
    period = time.monotonic_ns() if seconds == 0 else int(time.monotonic() // seconds)
    return _catalogue(root, period)


_waiting_area: contextvars.ContextVar = contextvars.ContextVar("waiting_area", default=None)
"""Where this run says what it is waiting for: a slot at the top of the page, drawn before the
sidebar's filters (which need the snapshot), so the first thing a fresh tab shows is words."""


class _Loading:
    """One snapshot being loaded in a thread of its own, so a page can say how far it has got
    (a progress bar with the step) instead of greying out; every session asking for the same
    snapshot meanwhile waits on the same load."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.step = LOADING_STEPS[0][0]
        self.result: Snapshot | SnapshotError | None = None
        self._done = threading.Event()
        threading.Thread(target=self._run, name=f"load {Path(path).name}", daemon=True).start()

    def _run(self) -> None:
        try:
            self.result = _read_snapshot(self.path, self._report)
        finally:
            self._done.set()

    def _report(self, step: str) -> None:
        self.step = step

    def wait(self, seconds: float | None = None) -> bool:
        return self._done.wait(seconds)


@st.cache_resource(max_entries=6, show_spinner=False)
def _loading(path: str, manifest_stamp: str) -> _Loading:
    """One load per snapshot per process. Errors are kept too, so a broken snapshot is not
    re-read on every rerun; a changed manifest (new stamp) is read again."""
    return _Loading(path)


def _read_snapshot(path: str, progress: Callable[[str], None]) -> Snapshot | SnapshotError:
    started = time.perf_counter()
    try:
        snapshot = load_snapshot(path, progress)
    except SnapshotError as error:
        log.warning(
            "snapshot %s rejected: %s", path, "; ".join(str(p) for p in error.problems if p.severity == "error")
        )
        return error
    except Exception:
        # A loader bug on odd data must not take the dashboard down: the snapshot is set aside.
        reference = uuid.uuid4().hex[:8]
        log.exception("snapshot %s could not be loaded (reference %s)", path, reference)
        message = f"could not be loaded because of an unexpected error (reference {reference} in the server log)"
        return SnapshotError(Path(path).name, [Problem("error", "snapshot", message)])
    heap.settle()
    log.info(
        "snapshot %s loaded in %.2f s: %s, %s warning(s)",
        path,
        time.perf_counter() - started,
        f"{len(snapshot.people):,} people"
        if snapshot.kind == "records"
        else f"{len(snapshot.aggregates['cells']):,} cells",
        len(snapshot.warnings),
    )
    return snapshot


def _load(info: SnapshotInfo) -> Snapshot | SnapshotError:
    """The snapshot, loaded once per process; while it loads, a progress bar in the page says
    which one and which step ("Loading the 30 Sep 2026 snapshot: reading the tables…")."""
    loading = _loading(str(info.path), _stamp(info))
    if loading.wait(0.3):
        return loading.result
    steps = [key for key, _words in LOADING_STEPS]
    words = dict(LOADING_STEPS)
    place = _waiting_area.get()
    bar = (place or st).progress(0.0)
    while not loading.wait(0.2):
        bar.progress(
            (steps.index(loading.step) + 0.5) / len(steps),
            text=_("Loading the {date} snapshot: {step}…").format(
                date=fmt.date(info.as_of), step=_(words[loading.step])
            ),
        )
    bar.empty()
    return loading.result


def _stamp(info: SnapshotInfo) -> str:
    """Changes when the snapshot is re-exported, so a fixed or replaced folder is read again."""
    try:
        written = (info.path / MANIFEST_FILE).stat().st_mtime_ns
    except OSError:
        written = 0
    return f"{written}:{info.manifest.get('files', '')}"


@st.cache_resource(show_spinner=False)
def _rejected() -> dict[tuple[str, str], SnapshotError]:
    """Snapshots whose load failed, shared by every session, so they leave the picker for all."""
    return {}


def load(info: SnapshotInfo) -> Snapshot | SnapshotError:
    loaded = _load(info)
    if isinstance(loaded, SnapshotError):
        _rejected()[(str(info.path), _stamp(info))] = loaded
    return loaded


def _sort_out(infos: list[SnapshotInfo]) -> tuple[list[SnapshotInfo], list[SnapshotInfo]]:
    """Usable snapshots, newest first, and unavailable ones with their reasons. The newest
    usable one is loaded here, since it is the default: a broken export never greets anyone."""
    rejected = _rejected()
    usable, unavailable = [], []
    for info in infos:
        error = rejected.get((str(info.path), _stamp(info)))
        if not info.usable or error:
            unavailable.append(replace(info, problems=error.problems) if error else info)
        else:
            usable.append(info)
    while usable and isinstance(loaded := load(usable[0]), SnapshotError):
        unavailable.append(replace(usable.pop(0), problems=loaded.problems))
    return usable, unavailable


def reasons(problems: tuple[Problem, ...]) -> str:
    """The errors of a snapshot in one line, escaped for Markdown (they quote data)."""
    return "; ".join(escape(str(p)) for p in problems if p.severity == "error")


def _reset_filters() -> None:
    for dim in DIMENSIONS:
        st.session_state[dim] = []


_SEEDED_KEY = "_second_chance_seeded"
_LINK_KEY = "_second_chance_link_values"


def _seed_from_url(by_id: dict[str, SnapshotInfo], newest: str) -> list[str]:
    """On a session's first run, take the snapshot and filters from the link (codes, e.g.
    `?snapshot=2026-09-30&cohort=rusafa&region=KZ-47`). Values the snapshot does not know are
    dropped with a notice; nothing from the URL is used before it is checked."""
    if st.session_state.get(_SEEDED_KEY):
        return []
    st.session_state[_SEEDED_KEY] = True
    st.session_state[_LINK_KEY] = {
        key: st.query_params.get(key, "")
        for key in st.query_params
        if key not in (*DIMENSIONS, "snapshot", LANGUAGE_KEY)
    }
    notices = []
    wanted = st.query_params.get("snapshot")
    if wanted and wanted not in by_id:
        notices.append(
            _("The link asks for a snapshot that is not available ({snapshot}); showing the latest.").format(
                snapshot=escape(repr(wanted[:40]))
            )
        )
    chosen = wanted if wanted in by_id else newest
    loaded = load(by_id[chosen])
    if isinstance(loaded, SnapshotError):
        notices.append(
            _("Snapshot {snapshot} cannot be shown: {reasons}. Showing the latest.").format(
                snapshot=escape(chosen), reasons=reasons(loaded.problems)
            )
        )
        chosen, loaded = newest, load(by_id[newest])
    st.session_state["snapshot"] = chosen
    requested = Filters.from_query({dim: st.query_params.get_all(dim) for dim in DIMENSIONS})
    for dim in DIMENSIONS:
        parts = [p.strip() for v in st.query_params.get_all(dim) for p in v.split(",") if p.strip()]
        if len(parts) > MAX_VALUES:  # `Filters` keeps the first MAX_VALUES
            notices.append(_(IGNORED).format(setting=_shown(dim, parts[MAX_VALUES]), why=_(TOO_MANY)))
        values = getattr(requested, dim)
        valid = set(_options(loaded, dim)) if isinstance(loaded, Snapshot) else set()
        st.session_state[dim] = [v for v in values if v in valid]
        unknown = [v for v in values if v not in valid]
        if unknown:
            shown = escape(", ".join(repr(v[:40]) for v in unknown[:3]))
            notices.append(_(FILTER_NOTICES[dim]).format(values=shown))
    return notices


def _sync_url(snapshot_id: str, filters: Filters) -> None:
    """Write the selection into the URL as codes, so a copied link reopens exactly this view."""
    st.query_params["snapshot"] = snapshot_id
    for dim in DIMENSIONS:
        values = list(getattr(filters, dim))
        if values:
            st.query_params[dim] = values
        elif dim in st.query_params:
            del st.query_params[dim]


def _options(snapshot: Snapshot, dim: str) -> list[str]:
    if dim == "region":
        return sorted(snapshot.labels("region"), key=snapshot.labels("region").get)
    return snapshot.categories(dim)


def _option_text(label: str, count: str) -> str:
    return f"{label} ({count})" if count else label


def _filter_widgets(snapshot: Snapshot, data: Release) -> Filters:
    """One multiselect per dimension; each option shows how many people it would select given
    the other filters (facet counts, through the disclosure rules like every other number)."""
    pending = Filters(**{dim: st.session_state.get(dim) or () for dim in DIMENSIONS})
    texts = data.option_texts(pending)
    chosen = {}
    for dim in DIMENSIONS:
        options = _options(snapshot, dim)
        st.session_state[dim] = [v for v in st.session_state.get(dim) or [] if v in options]
        labels, people = snapshot.labels(dim), texts[dim]
        chosen[dim] = st.multiselect(
            _(FILTER_LABELS[dim]),
            options=options,
            format_func=lambda code, labels=labels, people=people: _option_text(
                labels.get(code, code), people.get(code, "")
            ),
            key=dim,
            placeholder=_("All"),
        )
    return Filters(**chosen)


def _no_snapshots(infos: list[SnapshotInfo], level: Access) -> None:
    st.title("Second Chance", anchor=False)
    if level.public:  # a visitor from outside the programme is told nothing about the server's folders
        st.error(
            _(
                "No published figures are available right now. This server runs at the **public** access level, "
                "which opens only snapshots published with `python -m data_access.publish`; whoever runs it can "
                "find the reasons in its log."
            )
        )
        st.stop()
    st.error(
        _(
            "No usable snapshot was found in {folder}.\n\n"
            "Point the environment variable `SECOND_CHANCE_SNAPSHOTS` at a folder of snapshot folders, "
            "or create the synthetic sample with `python -m data_access.generate`."
        ).format(folder=escape(str(snapshot_root(level.level))))
    )
    for info in infos:
        st.warning(
            _("**{snapshot}** is unavailable: {reasons}").format(
                snapshot=escape(info.id), reasons=reasons(info.problems)
            )
        )
    st.stop()


def _access_help(level: Access) -> str:
    text = (
        _(
            "Aggregates only, after disclosure control: every count carries a small fixed noise, small counts are "
            'shown as "<5", small selections show no figures, and no person-level data is available. See **About '
            "the data** for the rules."
        )
        if level.public
        else _(
            "Exact figures and pseudonymous person rows for programme staff. Do not share screenshots or "
            "downloads outside the programme."
        )
    )
    if level.problem:
        text += " " + _(
            "The configured access level could not be used ({problem}), so the public level applies."
        ).format(problem=escape(level.problem))
    return text


def _picker_label(by_id: dict[str, SnapshotInfo], snapshot_id: str, latest: str) -> str:
    """The as-of date; with the folder name too when two snapshots share a date, since the
    picker tells options apart by their text."""
    label = by_id[snapshot_id].label
    if sum(info.label == label for info in by_id.values()) > 1:
        label += f" ({snapshot_id})"
    return _("{date} — latest").format(date=label) if snapshot_id == latest else label


_NOTICES_KEY = "_second_chance_notices"


def _set_aside(info: SnapshotInfo, error: SnapshotError) -> None:
    """The chosen snapshot turned out to be broken: say why, and run again without it."""
    st.session_state.setdefault(_NOTICES_KEY, []).append(
        _("Snapshot {snapshot} cannot be shown: {reasons}. Showing the latest usable one.").format(
            snapshot=escape(info.id), reasons=reasons(error.problems)
        )
    )
    st.rerun()


LANGUAGE_KEY = i18n.SESSION_KEY
MAX_PARAMETERS = 32
MAX_CHARACTERS = 200
"""The most a link may hold: parameters, values of one parameter (`MAX_VALUES`, as `Filters` keeps),
characters of a name or a value.
Every code the dashboard writes (ids, ISO codes, dates, numbers) is far shorter; anything longer
is dropped, with a notice, before any other code looks at it."""
_BOUNDED_KEY = "_second_chance_link_bounded"
_LINK_NOTICES_KEY = "_second_chance_link_notices"
IGNORED = N_("Ignored {setting} from the link: {why}.")
"""The one notice for a value from a link the dashboard does not use, whatever the parameter."""
NOT_OFFERED = N_("not a value this page offers")
TOO_LONG = N_("longer than any value the dashboard uses")
TOO_MANY = N_("more values or parameters than a link of the dashboard holds")


def _shown(key: str, value: str) -> str:
    """`key='value'` as a notice quotes it: both cut short, escaped for Markdown."""
    return f"{escape(key[:40])}={escape(repr(value[:40]))}"


def _ignored(key: str, value: str, why: str) -> tuple[str, dict[str, str]]:
    return IGNORED, {"setting": _shown(key, value), "why": why}


def bound_link() -> None:
    """On a session's first run, before anything reads the link: drop every parameter name or
    value longer than `MAX_CHARACTERS`, values past the `MAX_VALUES`th and parameters past the
    `MAX_PARAMETERS`th, with the notice other ignored values get (one for all the parameters past
    the limit, at most three for the long values of one parameter). The URL loses them too."""
    if st.session_state.get(_BOUNDED_KEY):
        return
    st.session_state[_BOUNDED_KEY] = True
    notices = []
    for position, key in enumerate(list(st.query_params)):
        values = st.query_params.get_all(key)
        if len(key) > MAX_CHARACTERS or position >= MAX_PARAMETERS:
            if len(key) > MAX_CHARACTERS:
                notices.append(_ignored(key, values[0] if values else "", TOO_LONG))
            elif position == MAX_PARAMETERS:
                notices.append(_ignored(key, values[0] if values else "", TOO_MANY))
            del st.query_params[key]
            continue
        kept = [value for value in values[:MAX_VALUES] if len(value) <= MAX_CHARACTERS]
        if len(kept) == len(values):
            continue
        notices += [_ignored(key, value, TOO_LONG) for value in values if len(value) > MAX_CHARACTERS][:3]
        if len(values) > MAX_VALUES:
            notices.append(_ignored(key, values[MAX_VALUES], TOO_MANY))
        if kept:
            st.query_params[key] = kept
        else:
            del st.query_params[key]
    st.session_state[_LINK_NOTICES_KEY] = notices


def _link_notices() -> list[str]:
    """The notices `bound_link` and `apply_language` kept for this run, in its language."""
    return [
        _(template).format(**{k: _(v) for k, v in params.items()})
        for template, params in st.session_state.pop(_LINK_NOTICES_KEY, [])
    ]


def apply_language() -> str:
    """Speak this session's language for the whole run, before anything is drawn: the link's
    `lang` on the first run (a shared link opens in the sender's language), else the browser's
    language, else English; afterwards, what the sidebar's language picker holds. The link is
    bounded first (`bound_link`)."""
    bound_link()
    if LANGUAGE_KEY not in st.session_state:
        requested = st.query_params.get(LANGUAGE_KEY)
        st.session_state[LANGUAGE_KEY] = i18n.choose(requested, st.context.locale)
        if requested is not None and requested not in i18n.LANGUAGES:
            st.session_state.setdefault(_LINK_NOTICES_KEY, []).append(_ignored(LANGUAGE_KEY, requested, NOT_OFFERED))
    i18n.set_language(st.session_state[LANGUAGE_KEY])
    st.query_params[LANGUAGE_KEY] = i18n.language()
    return i18n.language()


def _language_picker() -> None:
    if st.session_state.get(LANGUAGE_KEY) not in i18n.LANGUAGES:
        st.session_state[LANGUAGE_KEY] = i18n.DEFAULT
    st.selectbox(
        _("Language"),
        options=list(i18n.LANGUAGES),
        format_func=i18n.LANGUAGES.get,
        key=LANGUAGE_KEY,
        label_visibility="collapsed",
        help=_("The language of every page, chart, slide and download; the figures stay the same."),
    )


_LATEST_KEY = "_second_chance_latest_seen"
_OPEN_KEY = "_second_chance_open_snapshot"


def _newest_usable(root: str, level: str) -> SnapshotInfo | None:
    rejected = _rejected()
    for info in admit(catalogue(root), level):
        if info.usable and (str(info.path), _stamp(info)) not in rejected:
            return info
    return None


def _newer_snapshot_notice(root: str, level: str) -> None:
    """Say when a snapshot newer than any this session has seen lands, with a button to open
    it; never switch the numbers under the reader. Runs on its own every few seconds (a
    fragment), so the notice appears without anyone touching the page."""
    newest = _newest_usable(root, level)
    seen = st.session_state.get(_LATEST_KEY)
    if newest is None or seen is None or newest.id == seen:
        return
    st.info(
        _("A newer snapshot is available ({date}).").format(date=fmt.date(newest.as_of)),
        icon=":material/update:",
    )
    if st.button(_("Open it"), key="open-newer", type="primary", width="stretch"):
        st.session_state[_OPEN_KEY] = newest.id
        st.rerun(scope="app")


def build_view() -> View:
    """Draw the sidebar (language, access level, snapshot picker, filters, reset) and return this
    run's View."""
    level = access()
    _waiting_area.set(st.empty())
    with st.sidebar:
        _language_picker()
        st.caption(level.badge, help=_access_help(level))
        signin.panel(level)
    usable, unavailable = _sort_out(admit(catalogue(str(snapshot_root(level.level))), level.level))
    if not usable:
        _no_snapshots(unavailable, level)
    by_id = {info.id: info for info in usable}
    notices = _link_notices() + st.session_state.pop(_NOTICES_KEY, []) + _seed_from_url(by_id, usable[0].id)
    if st.session_state.get(_OPEN_KEY) in by_id:
        st.session_state["snapshot"] = st.session_state.pop(_OPEN_KEY)
    if st.session_state.get("snapshot") not in by_id:
        st.session_state["snapshot"] = usable[0].id
    # The newest snapshot this session knows of: the newest when it started, or one it opened.
    if _LATEST_KEY not in st.session_state or st.session_state["snapshot"] == usable[0].id:
        st.session_state[_LATEST_KEY] = usable[0].id
    with st.sidebar:
        snapshot_id = st.selectbox(
            _("Snapshot (as of)"),
            options=list(by_id),
            format_func={sid: _picker_label(by_id, sid, usable[0].id) for sid in by_id}.get,
            key="snapshot",
        )
        period = rescan_seconds()
        notice = fragment(_newer_snapshot_notice, run_every=max(period, 5.0) if period else None)
        notice(str(snapshot_root(level.level)), level.level)
        info = by_id[snapshot_id]
        loaded = load(info)
        if isinstance(loaded, SnapshotError):
            _set_aside(info, loaded)
        if loaded.warnings:
            st.caption(
                "⚠️ "
                + ngettext(
                    "Loaded with {n} warning: some rows were left out. **About the data** lists it.",
                    "Loaded with {n} warnings: some rows were left out. **About the data** lists them.",
                    len(loaded.warnings),
                ).format(n=len(loaded.warnings))
            )
        older = [i for i in usable if i.as_of < info.as_of]
        previous = load(older[0]) if older else None
        previous = previous if isinstance(previous, Snapshot) else None
        data = Release(loaded, level, previous, auditor=signin.auditor(level))
        filters = _filter_widgets(loaded, data)
        st.button(
            _("Reset filters"),
            on_click=_reset_filters,
            icon=":material/filter_alt_off:",
            disabled=filters.is_empty(),
            width="stretch",
        )
        if unavailable:
            title = ngettext("{n} snapshot unavailable", "{n} snapshots unavailable", len(unavailable))
            with st.expander(title.format(n=len(unavailable))):
                for i in unavailable:
                    # Outsiders are not told what is wrong on the server (file names, folders): its log says.
                    why = _("not available (the server's log says why)") if level.public else reasons(i.problems)
                    st.caption(f"**{escape(i.id)}**: {why}")
    _sync_url(snapshot_id, filters)
    for notice in notices:
        st.toast(notice, icon=":material/link_off:", duration="long")
    view = View(
        snapshot=loaded,
        previous=previous,
        filters=filters,
        base_n=data.size(filters),
        description=describe(filters, loaded),
        data=data,
    )
    return view


def link_params(view: View, **settings: str) -> dict[str, str | list[str]]:
    """The query parameters of a link to another page that keeps this view (language, snapshot
    and filters, as codes) with that page's `settings`: the same link `share` would give there."""
    return {LANGUAGE_KEY: i18n.language(), "snapshot": view.snapshot.id, **view.filters.to_query(), **settings}


PAGE_SETTINGS = ("rows", "columns", "measure", "layout", "slide", "stuck", "order", "section")
"""Settings of one page kept in the URL (as codes): gone from the link on the other pages."""
_USED_KEY = "_second_chance_settings_used"
_SEEN_KEY = "_second_chance_settings_seen"


def used_setting(key: str) -> None:
    """The page running now keeps `key` in the link."""
    st.session_state.setdefault(_USED_KEY, set()).add(key)


def tidy_link() -> None:
    """After the page has run: drop from the URL the settings of a page the user has left (one
    this session has shown before but this run did not), so a copied link holds only what the
    page on screen uses. A setting the session has not met yet stays: it came in with a link to
    its page."""
    used = st.session_state.pop(_USED_KEY, set())
    seen = st.session_state.setdefault(_SEEN_KEY, set())
    for key in PAGE_SETTINGS:
        if key in seen and key not in used and key in st.query_params:
            del st.query_params[key]
    seen |= used


def _same(shown: object, requested: str) -> bool:
    try:
        return float(str(shown)) == float(requested)
    except ValueError:
        return str(shown) == requested


_APPLIED_KEY = "_second_chance_settings_applied"


def applied_setting(key: str, value: str) -> None:
    """The page running now read `key` from the link and used `value` (the slide it shows), so
    a value the link asked for and the page could not take is reported like a widget's."""
    st.session_state.setdefault(_APPLIED_KEY, {})[key] = value


def report_ignored_link_values() -> None:
    """After the page has run: a widget bound to the URL (rows, measure, ...) silently falls back
    to its default when the link holds a value it cannot take, and so does a setting a page reads
    itself (`applied_setting`). Say so, once per value."""
    requested = st.session_state.get(_LINK_KEY) or {}
    applied = {**st.session_state.pop(_APPLIED_KEY, {})}
    for key in [k for k in requested if k in st.session_state or k in applied]:
        value = requested.pop(key)
        shown = applied[key] if key in applied else st.session_state[key]
        if not _same(shown, value):
            st.toast(
                _(IGNORED).format(setting=_shown(key, value), why=_(NOT_OFFERED)),
                icon=":material/link_off:",
                duration="long",
            )
