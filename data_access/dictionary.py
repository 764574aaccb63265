"""The data dictionary, rendered from the contract: for the About page and docs/data-contract.md.

python -m data_access.dictionary > docs/data-contract.md
"""

from __future__ import annotations

import pandas as pd

from data_access import contract as c
from i18n import N_, _

TYPE_WORDS = {
    "string": N_("text"),
    "date32[day]": N_("date"),
    "double": N_("number"),
    "int32": N_("whole number"),
    "int64": N_("whole number"),
    "bool": N_("true/false"),
    "binary": N_("outline (GeoParquet WKB)"),
}

INTRO = """\
# Data contract (schema version {version})

A **snapshot** is one folder per as-of date (for example `sample_data/snapshots/2026-09-30/`)
holding one Parquet file per table below and a `manifest.json`. The dashboard only reads
snapshots; it never writes into a snapshot folder. This page is generated from
`data_access/contract.py` (`python -m data_access.dictionary > docs/data-contract.md`); a test
fails when the two disagree.

Rules the loader applies:
- A missing required table or column, a column of the wrong type, empty values in a required
  column, duplicate ids, an unreadable file, a file that does not match the manifest's size or
  checksum, or a manifest that is missing, malformed or newer than the dashboard: the snapshot is
  **not loaded** and the reasons are listed.
- Rows that point at unknown codes (cohort, region, stage, person), events or assessments dated
  after the as-of date, scores outside 0–1, events before the cohort's arrival and overlapping
  stage intervals: the snapshot loads, the affected rows are left out or the values ignored, and
  each is reported as a **warning** on the About page.
- Repeated (person, month, service type) rows in `services` are merged, sessions added up, with a
  warning.
- Extra columns are ignored with a warning. Parquet types may be wider than listed (for example
  `large_string`, dictionary-encoded text, 64-bit integers, timestamps for dates); they are cast.

Derived at load: a person's **current stage** is their open stage (no exit date) entered last,
as of the snapshot date; **men**, **women** and **children** are people aged 18+ by sex and
people under 18 at return; **on the justice track** means the person ever entered a stage whose
track is `justice`.
"""


AGGREGATES = """\
# Public snapshots: aggregates (`kind: aggregates`)

A public snapshot, written by `python -m data_access.publish`, holds **no person rows**: the
reference tables above (`cohorts`, `regions`, `stages`, the true ones) and the per-cell tables
below. A **cell** is one combination of placement region, cohort, current stage, sex and age band;
every count carries `<count>_key`, the sum of the record keys of the people it counts modulo 2**32,
which the public dashboard turns into a fixed noise through the perturbation table named in the
manifest (the cell-key method; see data_access/perturbation.py). Loading checks every code against
the reference tables and the allowed values, every count for being whole and not negative and every
key for being under 2**32; any problem is an error, since aggregates cannot lose rows without
changing every total."""


def data_dictionary(kind: str = "records") -> pd.DataFrame:
    """One row per column of every table of a snapshot of `kind` (records or aggregates), in
    this run's language (the codes, column names and values stay as they are)."""
    rows = [
        {
            "table": table.name,
            "column": col.name,
            "type": _(TYPE_WORDS[str(col.type)]),
            "required": _("yes") if not col.nullable else _("may be empty"),
            "allowed values": ", ".join(col.allowed)
            or (_("a {reference}").format(reference=col.references) if col.references else ""),
            "meaning": _(col.meaning),
        }
        for table in c.TABLES_BY_KIND[kind]
        for col in table.columns
    ]
    return pd.DataFrame(rows)


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def contract_markdown() -> str:
    lines = [INTRO.format(version=c.SCHEMA_VERSION)]
    lines += ["## manifest.json", "", "| field | kind | required | meaning |", "|---|---|---|---|"]
    lines += [
        f"| `{f.name}` | {_escape(f.kind)} | {'yes' if f.required else 'no'} | {_escape(f.meaning)} |"
        for f in c.MANIFEST_FIELDS
    ]
    lines.append("")
    for kind, heading in (("records", None), ("aggregates", AGGREGATES)):
        if heading:
            lines += [heading, ""]
        dictionary = data_dictionary(kind)
        for table in c.TABLES_BY_KIND[kind]:
            if kind == "aggregates" and table in c.REFERENCE_TABLES:
                continue
            optional = " (optional)" if table.optional else ""
            lines += [f"## `{table.file_name}`{optional}", "", table.meaning, ""]
            if table.key:
                lines += [f"Unique key: {' + '.join(f'`{k}`' for k in table.key)}.", ""]
            lines += ["| column | type | required | allowed values | meaning |", "|---|---|---|---|---|"]
            for row in dictionary[dictionary["table"] == table.name].itertuples(index=False):
                lines.append(
                    f"| `{row.column}` | {row.type} | {row.required} | {_escape(row[4])} | {_escape(row.meaning)} |"
                )
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(contract_markdown(), end="")
