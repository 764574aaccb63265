"""The Streamlit side of the one-way street: pick a snapshot, draw the global filters, and hand
every page the same `View` (snapshot, filters, base n, description).

`app.py` calls `build_view()` once per run, before the page runs; pages call `view()`.
Snapshots are loaded once per process with `st.cache_resource` and shared by every session.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

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
from data_access import queries as q
from data_access.catalogue import admit
from data_access.release import Access, Release, count_texts

FILTER_LABELS = {
    "cohort": "Cohort",
    "region": "Region",
    "stage": "Current stage",
    "sex": "Sex",
    "age_band": "Age band at return",
    "origin": "Returned from",
}
_VIEW_KEY = "_second_chance_view"


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
    """The access level of this server process, from its environment (never from the URL or
    a widget). Read on every run: it costs microseconds and nothing a user does can change it."""
    return Access.from_environment()


@st.cache_resource(ttl=30, show_spinner=False)
def catalogue(root: str, level: str) -> list[SnapshotInfo]:
    """The snapshot folders under `root` this access level may open, re-scanned every 30 seconds."""
    return admit(find_snapshots(Path(root)), level)


@st.cache_resource(max_entries=6, show_spinner="Loading snapshot…")
def _load(path: str, manifest_stamp: str) -> Snapshot | SnapshotError:
    """One loaded copy per snapshot per process. Errors are cached too, so a broken snapshot
    is not re-read on every rerun; a changed manifest (new stamp) is read again."""
    try:
        return load_snapshot(path)
    except SnapshotError as error:
        return error


def load(info: SnapshotInfo) -> Snapshot | SnapshotError:
    stamp = str(info.manifest.get("files", "")) + str(info.manifest.get("as_of", ""))
    return _load(str(info.path), stamp)


def _reset_filters() -> None:
    for dim in DIMENSIONS:
        st.session_state[dim] = []


_SEEDED_KEY = "_second_chance_seeded"


def _seed_from_url(by_id: dict[str, SnapshotInfo], newest: str) -> list[str]:
    """On a session's first run, take the snapshot and filters from the link (codes, e.g.
    `?snapshot=2026-09-30&cohort=rusafa&region=KZ-47`). Values the snapshot does not know are
    dropped with a notice; nothing from the URL is used before it is checked."""
    if st.session_state.get(_SEEDED_KEY):
        return []
    st.session_state[_SEEDED_KEY] = True
    notices = []
    wanted = st.query_params.get("snapshot")
    if wanted and wanted not in by_id:
        notices.append(f"The link asks for a snapshot that is not available ({wanted[:40]!r}); showing the latest.")
    st.session_state["snapshot"] = wanted if wanted in by_id else newest
    loaded = load(by_id[st.session_state["snapshot"]])
    requested = Filters.from_query({dim: st.query_params.get_all(dim) for dim in DIMENSIONS})
    for dim in DIMENSIONS:
        values = getattr(requested, dim)
        valid = set(_options(loaded, dim)) if isinstance(loaded, Snapshot) else set()
        st.session_state[dim] = [v for v in values if v in valid]
        unknown = [v for v in values if v not in valid]
        if unknown:
            shown = ", ".join(repr(v[:40]) for v in unknown[:3])
            notices.append(
                f"Ignored {FILTER_LABELS[dim].lower()} values from the link that this snapshot does not have: {shown}."
            )
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
    column = snapshot.people[q.COLUMN[dim]]
    return [str(code) for code in column.cat.categories]


def _option_text(label: str, count: str) -> str:
    return f"{label} ({count})" if count else label


def _filter_widgets(snapshot: Snapshot, data: Release) -> Filters:
    """One multiselect per dimension; each option shows how many people it would select given
    the other filters (facet counts, through the disclosure rules like every other number)."""
    pending = Filters(**{dim: st.session_state.get(dim) or () for dim in DIMENSIONS})
    chosen = {}
    for dim in DIMENSIONS:
        options = _options(snapshot, dim)
        st.session_state[dim] = [v for v in st.session_state.get(dim) or [] if v in options]
        counts = data.option_counts(pending, dim)
        labels = dict(zip(counts["code"], counts["label"], strict=True))
        people = dict(zip(counts["code"], count_texts(counts), strict=True))
        chosen[dim] = st.multiselect(
            FILTER_LABELS[dim],
            options=options,
            format_func=lambda code, labels=labels, people=people: _option_text(
                labels.get(code, code), people.get(code, "")
            ),
            key=dim,
            placeholder="All",
        )
    return Filters(**chosen)


def _no_snapshots(infos: list[SnapshotInfo], level: Access) -> None:
    st.title("Second Chance")
    public = (
        " This server runs at the **public** access level, so it opens only published snapshots "
        "(`python -m data_access.publish`)."
        if level.public
        else ""
    )
    st.error(
        f"No usable snapshot was found in `{snapshot_root(level.level)}`.{public}\n\n"
        "Point the environment variable `SECOND_CHANCE_SNAPSHOTS` at a folder of snapshot folders, "
        "or create the synthetic sample with `python -m data_access.generate`."
    )
    for info in infos:
        st.warning(f"**{info.id}** is unavailable: " + "; ".join(str(p) for p in info.problems))
    st.stop()


def _access_help(level: Access) -> str:
    text = (
        'Aggregates only, after disclosure control: small counts are shown as "<5", small selections show no '
        "figures, and no person-level data is available. See **About the data** for the rules."
        if level.public
        else "Exact figures and pseudonymous person rows for programme staff. Do not share screenshots or "
        "downloads outside the programme."
    )
    if level.problem:
        text += f" The configured access level could not be used ({level.problem}), so the public level applies."
    return text


def build_view() -> View:
    """Draw the sidebar (snapshot picker, filters, reset) and return this run's View."""
    level = access()
    with st.sidebar:
        st.caption(level.badge, help=_access_help(level))
    infos = catalogue(str(snapshot_root(level.level)), level.level)
    usable = [info for info in infos if info.usable]
    if not usable:
        _no_snapshots(infos, level)
    by_id = {info.id: info for info in usable}
    notices = _seed_from_url(by_id, usable[0].id)
    if st.session_state.get("snapshot") not in by_id:
        st.session_state["snapshot"] = usable[0].id
    with st.sidebar:
        snapshot_id = st.selectbox(
            "Snapshot (as of)",
            options=list(by_id),
            format_func=lambda sid: by_id[sid].label + (" — latest" if sid == usable[0].id else ""),
            key="snapshot",
        )
        info = by_id[snapshot_id]
        loaded = load(info)
        if isinstance(loaded, SnapshotError):
            st.error(
                f"Snapshot {info.id} cannot be shown: "
                + "; ".join(str(p) for p in loaded.problems if p.severity == "error")
                + ". Pick another snapshot above."
            )
            st.stop()
        older = [i for i in usable if i.as_of < info.as_of]
        previous = load(older[0]) if older else None
        previous = previous if isinstance(previous, Snapshot) else None
        data = Release(loaded, level, previous)
        filters = _filter_widgets(loaded, data)
        st.button(
            "Reset filters",
            on_click=_reset_filters,
            icon=":material/filter_alt_off:",
            disabled=filters.is_empty(),
            width="stretch",
        )
        broken = [i for i in infos if not i.usable]
        if broken:
            with st.expander(f"{len(broken)} snapshot(s) unavailable"):
                for i in broken:
                    st.caption(f"**{i.id}**: " + "; ".join(str(p) for p in i.problems))
    _sync_url(snapshot_id, filters)
    for notice in notices:
        st.toast(notice, icon=":material/link_off:")
    view = View(
        snapshot=loaded,
        previous=previous,
        filters=filters,
        base_n=q.base_n(loaded, filters),
        description=describe(filters, loaded),
        data=data,
    )
    st.session_state[_VIEW_KEY] = view
    return view


def view() -> View:
    """This run's View, as built by app.py (each run builds a new one; a page takes it once)."""
    current = st.session_state.pop(_VIEW_KEY, None)
    if current is None:
        # The page ran without app.py. Streamlit does that when a `pages/` folder exists and the
        # first request it serves is a link straight to a page (and in AppTest on every run):
        # it still assumes the old folder-based navigation until `st.navigation` has run once.
        # Switch that assumption off and run again, now through app.py.
        PagesManager.uses_pages_directory = False
        st.rerun()
    return current
