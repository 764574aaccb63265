"""The selection a user makes: a frozen value with a URL form and a plain-language description.

Empty means "all" for every dimension. Values are codes (cohort ids, ISO region codes, stage
ids), never display labels, so a link keeps working when a label is reworded. The URL form
repeats a parameter per value (`?cohort=jusan-2&cohort=rusafa`), as Streamlit's widgets bound to
query parameters do, so a link written by either opens the same view.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from i18n import _, language
from i18n import format as fmt

if TYPE_CHECKING:
    from data_access.snapshot import Snapshot

DIMENSIONS = ("cohort", "region", "stage", "sex", "age_band", "origin")
MAX_VALUES = 64


@dataclass(frozen=True)
class Filters:
    cohort: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    stage: tuple[str, ...] = ()
    sex: tuple[str, ...] = ()
    age_band: tuple[str, ...] = ()
    origin: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, f.name, tuple(sorted({str(v) for v in value})))

    @classmethod
    def from_query(cls, params: Mapping[str, str | Iterable[str]]) -> Filters:
        """Read the dimensions from query parameters; other keys are ignored.

        Accepts repeated values (`cohort=a&cohort=b`) and comma-separated ones (`cohort=a,b`).
        """
        chosen = {}
        for dim in DIMENSIONS:
            raw = params.get(dim)
            if raw is None:
                continue
            values = [raw] if isinstance(raw, str) else list(raw)
            parts = [p.strip() for v in values for p in str(v).split(",") if p.strip()]
            chosen[dim] = tuple(parts[:MAX_VALUES])
        return cls(**chosen)

    def to_query(self) -> dict[str, list[str]]:
        return {dim: list(getattr(self, dim)) for dim in DIMENSIONS if getattr(self, dim)}

    def query_string(self) -> str:
        return urlencode(self.to_query(), doseq=True)

    def is_empty(self) -> bool:
        return not any(getattr(self, dim) for dim in DIMENSIONS)

    def codes(self) -> str:
        """The selection as its codes, for file names: the same in every language ("everyone",
        "jusan-2-rusafa_KZ-47")."""
        if self.is_empty():
            return "everyone"
        return "_".join("-".join(getattr(self, dim)) for dim in DIMENSIONS if getattr(self, dim))

    def without(self, dimension: str) -> Filters:
        return replace(self, **{dimension: ()})

    def with_values(self, dimension: str, values: Iterable[str]) -> Filters:
        return replace(self, **{dimension: tuple(values)})


def describe(filters: Filters, snapshot: Snapshot) -> str:
    """A sentence-like description of the selection in this run's language, e.g.
    'Jusan-2 and Rusafa · Mangystau · currently in family placement'."""
    if filters.is_empty():
        return _("Everyone who returned")

    def names(dim: str, style: str = "standard") -> str:
        return fmt.listing([snapshot.label(dim, v) for v in getattr(filters, dim)], style)

    def lowered(text: str) -> str:  # English runs on in lower case; other languages keep the names as written
        return text.lower() if language() == "en" else text

    parts = []
    if filters.cohort:
        parts.append(names("cohort"))
    if filters.region:
        parts.append(names("region"))
    if filters.stage:
        parts.append(_("currently in {stages}").format(stages=lowered(names("stage", "or"))))
    if filters.sex:
        parts.append(lowered(names("sex", "or")))
    if filters.age_band:
        parts.append(_("aged {bands}").format(bands=fmt.listing(list(filters.age_band), "or")))
    if filters.origin:
        parts.append(_("returned from {countries}").format(countries=names("origin")))
    return " · ".join(parts)
