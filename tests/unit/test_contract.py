"""The contract drives validation: a value added to the contract is accepted by the loader,
counted by the queries and documented in the data dictionary, with no other change; a value it
does not declare is refused (or left out with a warning) with the contract's own words."""

from __future__ import annotations

import dataclasses

import pandas as pd

from data_access import Filters, load_snapshot
from data_access import contract as c
from data_access import queries as q
from data_access.dictionary import contract_markdown, data_dictionary
from tests import tiny


def extend(monkeypatch, table: c.Table, column: str, constant: str, value: str) -> None:
    """Edit the contract as a person would edit contract.py: one more allowed value."""
    allowed = (*getattr(c, constant), value)
    changed = dataclasses.replace(
        table,
        columns=tuple(
            dataclasses.replace(col, allowed=allowed) if col.name == column else col for col in table.columns
        ),
    )
    monkeypatch.setattr(c, constant, allowed)
    monkeypatch.setattr(c, table.name.upper(), changed)
    for name in ("TABLES", "REFERENCE_TABLES", "AGGREGATE_TABLES"):
        monkeypatch.setattr(c, name, tuple(changed if t.name == table.name else t for t in getattr(c, name)))
    monkeypatch.setattr(c, "TABLES_BY_KIND", {"records": c.TABLES, "aggregates": c.AGGREGATE_TABLES})
    monkeypatch.setattr(c, "TABLES_BY_NAME", {t.name: t for t in (*c.TABLES, *c.AGGREGATE_TABLES)})


def test_a_service_type_added_to_the_contract_is_loaded_counted_and_documented(monkeypatch, tmp_path):
    tables = tiny.tables()
    housing = pd.DataFrame([("p5", tiny.D("2022-05-01"), "housing", 2)], columns=tables["services"].columns)
    tables["services"] = pd.concat([tables["services"], housing], ignore_index=True)
    refused = load_snapshot(tiny.write(tmp_path / "before", tables))
    assert [p.text for p in refused.warnings] == [
        "unknown service type (expected " + ", ".join(c.SERVICE_TYPES) + "); these rows are left out"
    ]

    extend(monkeypatch, c.SERVICES, "service_type", "SERVICE_TYPES", "housing")
    snapshot = load_snapshot(tiny.write(tmp_path / "after", tables))
    assert snapshot.warnings == ()
    served = q.services_by_type(snapshot, Filters()).set_index("service_type")
    assert (served.loc["housing", "sessions"], served.loc["housing", "people"]) == (2, 1)
    dictionary = data_dictionary().set_index(["table", "column"])
    assert "housing" in dictionary.loc[("services", "service_type"), "allowed values"]
    assert "housing" in contract_markdown()


def test_a_track_added_to_the_contract_is_accepted(monkeypatch, tmp_path):
    tables = tiny.tables()
    aftercare = pd.DataFrame([("aftercare", "Aftercare", 11, "aftercare")], columns=tables["stages"].columns)
    tables["stages"] = pd.concat([tables["stages"], aftercare], ignore_index=True)
    folder = tiny.write(tmp_path / "before", tables)
    try:
        load_snapshot(folder)
        raise AssertionError("an unknown track must be refused")
    except Exception as error:  # SnapshotError, with the contract's words
        assert "track must be one of rehabilitation, justice, exit" in str(error)
    extend(monkeypatch, c.STAGES, "track", "TRACKS", "aftercare")
    snapshot = load_snapshot(tiny.write(tmp_path / "after", tables))
    assert "aftercare" in snapshot.categories("stage")
    assert "aftercare" in data_dictionary().set_index(["table", "column"]).loc[("stages", "track"), "allowed values"]
