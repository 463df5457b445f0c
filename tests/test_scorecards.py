"""Scorecards and coverage computed by aggregations, checked against a plain
count of the indexed mentions of the sample corpus."""

from collections import defaultdict

import pytest
from elasticsearch import helpers

from config.platform import load_platform
from index.schema import alias_name
from index.scorecards import ABSENT, STRENGTH, demand_coverage, scorecards

pytestmark = [pytest.mark.es, pytest.mark.prefect]
DEMANDS = [d.id for d in load_platform().demands]


def by_hand(client, prefix) -> dict[str, dict[str, tuple[str, int]]]:
    """list → demand → (strongest level, sentences), counted one mention at a time."""
    levels: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for hit in helpers.scan(client, index=alias_name(prefix, "mentions"), query={"query": {"match_all": {}}}):
        levels[hit["_source"]["list_key"]][hit["_source"]["demand"]].append(hit["_source"]["level"])
    return {
        key: {demand: (min(found, key=STRENGTH.index), len(found)) for demand, found in demands.items()}
        for key, demands in levels.items()
    }


def test_every_cell_matches_a_count_of_the_mentions(corpus) -> None:
    client, prefix = corpus
    expected = by_hand(client, prefix)
    cards = scorecards(client, prefix, DEMANDS)
    assert len(cards) == 5
    for card in cards:
        for demand, cell in card.cells.items():
            assert (cell.level, cell.sentences) == expected[card.list_key].get(demand, (ABSENT, 0)), (card.list_key, demand)


def test_a_commune_shows_its_lists_side_by_side_with_quotations(corpus) -> None:
    client, prefix = corpus
    cards = {card.list_label: card for card in scorecards(client, prefix, DEMANDS, commune="Moulins-sur-Lys")}
    assert set(cards) == {"Moulins en commun", "Moulins Avenir", "Moulins Citoyens"}
    health = cards["Moulins en commun"].cells["D07"]
    assert health.level == "commitment" and health.page in {1, 2}
    assert health.archive.endswith(f".pdf#page={health.page}")
    water = cards["Moulins Avenir"].cells["D03"]
    assert water.level == "opposition"
    assert "opérateur privé" in water.quotation


def test_silences_are_the_demands_never_addressed(corpus) -> None:
    client, prefix = corpus
    [card] = scorecards(client, prefix, DEMANDS, list_key="62991-2")
    assert card.silences == [d for d in DEMANDS if card.cells[d].level == ABSENT]
    assert set(card.silences) == set(DEMANDS) - set(by_hand(client, prefix)["62991-2"])


def test_coverage_counts_each_list_once_at_its_strongest_level(corpus) -> None:
    client, prefix = corpus
    strongest = by_hand(client, prefix)
    for c in demand_coverage(client, prefix, DEMANDS):
        assert c.lists == 5
        levels = [strongest[key][c.demand][0] for key in strongest if c.demand in strongest[key]]
        assert (c.committing, c.opposing, c.mentioning) == tuple(levels.count(level) for level in STRENGTH)
        assert c.silent == 5 - len(levels)
        assert c.share_committing == c.committing / 5
    in_62 = {c.demand: c for c in demand_coverage(client, prefix, DEMANDS, departement="62")}
    assert in_62["D01"].lists == 2
