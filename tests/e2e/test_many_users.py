"""Many users at once: 20 sessions against one `streamlit run` server, each changing filters,
pages and snapshots for `SECOND_CHANCE_LOAD_SECONDS` (default 25; CI keeps the whole test under a minute).

Each session speaks Streamlit's own websocket protocol, as a browser tab does (the same messages,
without drawing them), so twenty of them fit on a small machine alongside the server. After
every action the session checks that no exception or error was shown and that the number of
people it was shown equals what data_access computes for the selection the server wrote into its
URL, so sessions cannot leak into each other. The server must load each snapshot once for
everybody, log no error, and keep its memory level. Run with `-s` to see the figures."""

from __future__ import annotations

import asyncio
import os
import random
import re
import statistics
import threading
import time
from urllib.parse import parse_qs

import psutil
import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from data_access import Filters
from data_access import queries as q
from tests.e2e.conftest import Server

USERS = 20
SECONDS = float(os.environ.get("SECOND_CHANCE_LOAD_SECONDS", "25"))
PAGES = ["", "repatriations", "progress", "regions", "explorer", "about"]
# Allowed growth of the server's memory once every snapshot is loaded: sessions come and go, so
# memory has to level off rather than grow with the number of actions.
MAX_GROWTH_MIB = 250
FINISHED = {0, 1, 3}  # successfully, with a compile error, a fragment run: anything but "rerun"


class Memory:
    """Samples the server's resident memory every 0.2 s."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.samples: list[float] = []
        self.baseline = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> float:
        return self.process.memory_info().rss / 2**20

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.samples.append(self.now())

    def __enter__(self) -> Memory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


class Session:
    """One browser tab's worth of protocol: rerun requests out, page elements in."""

    def __init__(self, socket) -> None:
        self.socket = socket
        self.widgets: dict[str, list[str]] = {}
        self.filters: dict[str, tuple[str, list[str]]] = {}
        self.query = ""
        self.page = ""

    async def run(self, *, query: str | None = None, page: str | None = None) -> dict:
        message = BackMsg()
        rerun = message.rerun_script
        rerun.query_string = self.query if query is None else query
        rerun.page_name = self.page if page is None else page
        for widget_id, values in self.widgets.items():
            state = rerun.widget_states.widgets.add()
            state.id = widget_id
            state.string_array_value.data.extend(values)
        await self.socket.send(message.SerializeToString())
        shown = {"metrics": {}, "problems": []}
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await asyncio.wait_for(self.socket.recv(), 120))
            kind = forward.WhichOneof("type")
            if kind == "page_info_changed":
                self.query = forward.page_info_changed.query_string
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                self._element(forward.delta.new_element, shown)
            elif kind == "script_finished" and forward.script_finished in FINISHED:
                return shown

    def _element(self, element, shown: dict) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            shown["problems"].append(f"exception: {element.exception.message[:200]}")
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            shown["problems"].append(f"error: {element.alert.body[:200]}")
        elif kind == "metric":
            shown["metrics"][element.metric.label] = element.metric.body
        elif kind == "multiselect":
            key = element.multiselect.id.rsplit("-", 1)[-1]
            self.filters[key] = (element.multiselect.id, list(element.multiselect.options))


async def user(base: str, number: int, deadline: float, snapshots: dict, log: dict) -> None:
    rng = random.Random(number)
    url = base.replace("http://", "ws://") + "/_stcore/stream"

    def check(session: Session, shown: dict) -> None:
        log["errors"] += [f"user {number}: {p}" for p in shown["problems"]]
        people = shown["metrics"].get("People who returned")
        if people is None:
            return
        params = parse_qs(session.query)
        snapshot = snapshots[params["snapshot"][0]]
        expected = q.base_n(snapshot, Filters.from_query(params))
        if people != f"{expected:,}":
            log["errors"].append(f"user {number}: shown {people} people for {session.query}, expected {expected:,}")

    while time.monotonic() < deadline:
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as socket:
            session = Session(socket)
            first = f"snapshot={rng.choice(list(snapshots))}"
            started = time.monotonic()
            check(session, await session.run(query=first, page=rng.choice(PAGES)))
            log["seconds"].append(time.monotonic() - started)
            log["runs"][number] = log["runs"].get(number, 0) + 1
            for action in range(rng.randint(3, 8)):
                if action and time.monotonic() > deadline:  # every session changes something at least once
                    break
                started = time.monotonic()
                roll = rng.random()
                if roll < 0.6:
                    key = rng.choice(["cohort", "region", "stage", "sex", "age_band", "origin"])
                    widget_id, options = session.filters[key]
                    session.widgets[widget_id] = rng.sample(options, rng.randint(0, min(2, len(options))))
                    shown = await session.run()
                elif roll < 0.85:
                    shown = await session.run(page=rng.choice(PAGES))
                else:
                    session.widgets.clear()
                    shown = await session.run()
                log["seconds"].append(time.monotonic() - started)
                log["runs"][number] += 1
                check(session, shown)


async def crowd(base: str, memory: Memory, snapshots: dict) -> dict:
    log = {"errors": [], "seconds": [], "runs": {}}
    # One session per snapshot first, so all are loaded before the memory baseline is taken.
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    for snapshot_id in snapshots:
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as socket:
            shown = await Session(socket).run(query=f"snapshot={snapshot_id}")
            log["errors"] += shown["problems"]
    memory.baseline = memory.now()
    deadline = time.monotonic() + SECONDS
    await asyncio.gather(*(user(base, n, deadline, snapshots, log) for n in range(USERS)))
    return log


def in_own_thread(function):
    """Run `function` in a thread of its own: the browser tests' sync Playwright may already own
    this thread's event loop."""
    result = {}
    thread = threading.Thread(target=lambda: result.update(value=function()))
    thread.start()
    thread.join()
    return result["value"]


def test_twenty_users_changing_filters_at_once(sample_snapshots):
    snapshots = {s.id: s for s in sample_snapshots}
    with Server(SECOND_CHANCE_LOG_LEVEL="INFO") as server:
        with Memory(server.process.pid) as memory:
            log = in_own_thread(lambda: asyncio.run(crowd(server.url, memory, snapshots)))
            end = memory.now()
        output = "".join(server.log)
    peak = max(memory.samples, default=end)
    seconds = sorted(log["seconds"])
    print(
        f"\n{USERS} sessions for {SECONDS:.0f} s: {len(seconds)} page runs, "
        f"p50 {statistics.median(seconds):.2f} s, p95 {seconds[int(0.95 * (len(seconds) - 1))]:.2f} s; "
        f"server RSS with the {len(snapshots)} snapshots loaded {memory.baseline:.0f} MiB, "
        f"peak {peak:.0f} MiB, end {end:.0f} MiB"
    )
    assert log["errors"] == []
    assert "Traceback" not in output and " ERROR " not in output, output[-3000:]
    loads = re.findall(r"snapshot (\S+) loaded in", output)
    assert sorted(loads) == sorted({str(s.info.path) for s in sample_snapshots}), "each snapshot loads exactly once"
    assert len(log["runs"]) == USERS and min(log["runs"].values()) >= 2, log["runs"]
    assert peak - memory.baseline < MAX_GROWTH_MIB
