"""The attacker, played against the public release layer (not the files alone).

The attacker sees only what the public dashboard shows (the release layer on the public sample)
and knows the rules and the perturbation table. They try to recover the size of a small group (1
to 4 people) by differencing two selections that differ by that group, by averaging many such
differences, and by comparing a facet count with the same group's row in a table. The restricted
sample is used only to score them.

"Chance" is what the perturbation table itself gives: for each attempt, the probability that
the same difference equals the truth when every published cell gets independent noise from the
table (simulated with random keys). An attack that does better than chance has found something
the table does not account for; it must not.

`pytest -s tests/unit/test_attack.py` prints the figures."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import pytest

from data_access import Filters, load_snapshot
from data_access import cells as cells_module
from data_access import queries as q
from data_access.perturbation import KEY_MODULUS
from data_access.release import Access, Release
from tests.conftest import SAMPLE_ROOT

DIMS = ("cohort", "region", "stage", "sex", "age_band")
TARGETS = 3000
DIFFERENCES = 20
SIMULATIONS = 200


@dataclass
class Target:
    """A small group the attacker goes after, and what they got from the dashboard."""

    truth: int
    pieces: list[int]  # true sizes of the published cells a difference for it adds up
    differences: list[int]  # published(A plus the group) - published(A), for every A tried


@pytest.fixture(scope="module")
def published():
    return load_snapshot(SAMPLE_ROOT.parent / "public" / "2026-09-30")


def targets(release: Release, truth, rng: random.Random) -> list[Target]:
    """Small groups defined by one added value on top of other filters, each reached as the
    difference between many pairs of selections (A, A plus the value) that the dashboard shows."""
    snapshot = release.snapshot
    found = []
    for _ in range(TARGETS):
        dim = rng.choice(DIMS)
        value = rng.choice(snapshot.categories(dim))
        rest = {
            other: (rng.choice(snapshot.categories(other)),) for other in DIMS if other != dim and rng.random() < 0.4
        }
        group = Filters(**rest, **{dim: (value,)})
        true_group = q.base_n(truth, group)
        if not 1 <= true_group <= 4:
            continue
        others = [v for v in snapshot.categories(dim) if v != value]
        differences = []
        for _ in range(DIFFERENCES):
            chosen = tuple(rng.sample(others, rng.randint(1, max(1, len(others) - 1))))
            a, b = Filters(**rest, **{dim: chosen}), Filters(**rest, **{dim: (*chosen, value)})
            if release.shows(a) and release.shows(b):
                differences.append(release.base_n(b) - release.base_n(a))
        if differences:
            found.append(Target(true_group, [int(n) for n in piece_sizes(truth, group)], differences))
    return found


def piece_sizes(truth, filters: Filters) -> np.ndarray:
    """True sizes of the single-value combinations a selection is made of."""
    chosen = cells_module.cells(truth)
    piece, pieces = chosen.pieces(filters, chosen.mask(filters))
    sizes = np.bincount(piece[piece >= 0], weights=chosen.size.people[piece >= 0, 0], minlength=pieces)
    return sizes[sizes > 0]


def chance(release: Release, found: list[Target], rng: np.random.Generator) -> float:
    """Expected successes of one difference per target if every published cell had independent
    noise from the perturbation table."""
    table = release.snapshot.perturbation
    total = 0.0
    for target in found:
        sizes = np.array(target.pieces)
        keys = rng.integers(0, KEY_MODULUS, (SIMULATIONS, len(sizes)))
        published = table.apply(np.broadcast_to(sizes, keys.shape), keys).sum(axis=1)
        total += float((published == target.truth).mean())
    return total


def play(release: Release, truth, seed: int) -> dict:
    found = targets(release, truth, random.Random(seed))
    return {
        "targets": len(found),
        "differences": sum(len(t.differences) for t in found),
        "one_difference": sum(max(t.differences[0], 0) == t.truth for t in found),
        "averaged": sum(round(float(np.mean(t.differences))) == t.truth for t in found),
        "chance": chance(release, found, np.random.default_rng(seed)),
    }


def slack(n: int, expected: float) -> float:
    p = expected / max(n, 1)
    return 3 * np.sqrt(max(n * p * (1 - p), 1.0))


def test_differencing_and_averaging_do_no_better_than_chance(published, latest):
    release = Release(published, Access("public"))
    figures = play(release, latest, seed=2026)
    print(
        f"\n{figures['targets']} groups of 1-4 people, reached through {figures['differences']} differences of two "
        f"shown selections: one difference right for {figures['one_difference']}, all of them averaged right for "
        f"{figures['averaged']}; chance under the perturbation table: {figures['chance']:.1f}"
    )
    assert figures["targets"] >= 100, "the harness found too few small groups to judge"
    limit = figures["chance"] + slack(figures["targets"], figures["chance"])
    assert figures["one_difference"] <= limit
    assert figures["averaged"] <= limit


def test_the_harness_catches_noise_that_averages_away(published, latest, monkeypatch):
    """Without pieces (every selection perturbed as one cell), two selections that differ by a
    small group have independent noise, and averaging many such differences finds the group: the
    same attack must then beat chance by far. A harness that could not see this would prove
    nothing."""
    monkeypatch.setattr(cells_module.Cells, "pieces", lambda self, filters, mask: (np.where(mask, 0, -1), 1))
    release = Release(published, Access("public"))
    figures = play(release, latest, seed=2026)
    print(f"\nwithout pieces: {figures['averaged']} of {figures['targets']} groups found by averaging")
    assert figures["averaged"] > figures["chance"] + 3 * slack(figures["targets"], figures["chance"])


def test_a_facet_count_and_a_table_row_of_the_same_people_agree(published):
    """The attacker reads the same group twice, as a facet count and as a table row: one cell
    key, one number, so the second reading adds nothing."""
    release = Release(published, Access("public"))
    for cohort in ("jusan-1", "jusan-2", "jusan-3"):
        filters = Filters(cohort=(cohort,))
        facets = release.option_counts(filters, "region").set_index("code")["people_text"]
        table = release.region_summary(filters).set_index("region")["people_text"]
        pivot = release.counts_by(filters, ["region"]).set_index("region")["people_text"]
        assert facets.to_dict() == table.to_dict() == pivot.to_dict()


def test_everyone_minus_a_selection_is_its_complement_within_the_noise(published, latest):
    """All vs complement: the published total minus a published selection estimates the rest,
    but no better than the rest's own published count does."""
    release = Release(published, Access("public"))
    total = release.base_n(Filters())
    for sex in ("female", "male"):
        other = "male" if sex == "female" else "female"
        estimate = total - release.base_n(Filters(sex=(sex,)))
        truth = q.base_n(latest, Filters(sex=(other,)))
        assert abs(estimate - truth) <= 6  # two cells' noise at most
