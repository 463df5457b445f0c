"""Following the elected list's commitments: items, append-only events,
optimistic concurrency, evidence links and the per-commune summary.

Everything runs on a temporary SQLite catalogue; no service is needed.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, func, insert, select
from sqlalchemy.exc import IntegrityError

from config.errors import ConfigError
from tracking.followup import (
    STATUSES,
    Commitment,
    Evidence,
    Item,
    StaleRevision,
    elected_list,
    followup_elections,
    followup_events,
    followup_items,
    item,
    items_for_commune,
    items_for_list,
    mark_elected,
    record_event,
    summarise,
)
from storage.catalogue import Catalogue
from storage.schema import results

COMMUNE = "75056"
WINNERS = f"{COMMUNE}-1"
RUNNERS_UP = f"{COMMUNE}-2"


@pytest.fixture
def catalogue(tmp_path: Path) -> Iterator[Catalogue]:
    catalogue = Catalogue(f"sqlite:///{tmp_path / 'c.sqlite'}")
    yield catalogue
    catalogue.engine.dispose()


def commitment(number: int, demand: str = "D07", page: int = 1) -> Commitment:
    """A commitment as detection would report it, told apart by its number."""
    return Commitment(
        demand=demand,
        sentence=f"Engagement n° {number} : nous ouvrirons un centre de santé municipal.",
        page=page,
        archive=f"archive/ab/programme.pdf#page={page}",
        source_record=f"mention-{number}",
    )


def elect(catalogue: Catalogue, list_key: str = WINNERS, commitments: list[Commitment] | None = None) -> list[Item]:
    commitments = [commitment(1), commitment(2), commitment(3)] if commitments is None else commitments
    return mark_elected(catalogue, COMMUNE, list_key, commitments, by="alice", why="résultats officiels du second tour")


def rows(catalogue: Catalogue, table) -> list[tuple]:
    with catalogue.engine.connect() as db:
        return [tuple(row) for row in db.execute(select(table).order_by(*table.primary_key.columns))]


def count(catalogue: Catalogue, table) -> int:
    with catalogue.engine.connect() as db:
        return db.execute(select(func.count()).select_from(table)).scalar_one()


# --------------------------------------------------------------------------
# Marking the elected list
# --------------------------------------------------------------------------


def test_marking_the_elected_list_follows_each_commitment_once(catalogue: Catalogue) -> None:
    first = elect(catalogue)

    assert sorted(followed.sentence for followed in first) == [commitment(n).sentence for n in (1, 2, 3)]
    assert {(followed.status, followed.revision, followed.history) for followed in first} == {("not started", 0, ())}
    assert all(followed.list_key == WINNERS and followed.commune_insee == COMMUNE for followed in first)

    again = elect(catalogue, commitments=[commitment(1), commitment(2), commitment(3), commitment(4)])

    assert {followed.item_id for followed in first} < {followed.item_id for followed in again}
    assert len(again) == 4 and count(catalogue, followup_items) == 4
    assert count(catalogue, followup_elections) == 2  # each marking is recorded


def test_marking_again_keeps_an_item_and_its_history_as_they_are(catalogue: Catalogue) -> None:
    [followed, *_] = elect(catalogue)
    record_event(catalogue, followed.item_id, by="bob", expected_revision=0, status="in progress")

    elect(catalogue, commitments=[commitment(1)])

    assert item(catalogue, followed.item_id).status == "in progress"


def test_marking_another_list_keeps_the_items_of_the_first(catalogue: Catalogue) -> None:
    first = elect(catalogue, WINNERS)
    second = elect(catalogue, RUNNERS_UP, [commitment(7)])

    assert items_for_list(catalogue, WINNERS) == first
    assert items_for_commune(catalogue, COMMUNE) == second
    assert second[0].item_id != first[0].item_id


def test_a_list_of_another_commune_or_an_anonymous_marking_is_refused(catalogue: Catalogue) -> None:
    with pytest.raises(ConfigError, match="list '13055-1' is not a list of commune 75056"):
        mark_elected(catalogue, COMMUNE, "13055-1", [commitment(1)], by="alice", why="erreur de saisie")
    with pytest.raises(ConfigError, match="who marks the list is required"):
        mark_elected(catalogue, COMMUNE, WINNERS, [commitment(1)], by=" ", why="résultats")

    assert count(catalogue, followup_elections) == 0 and count(catalogue, followup_items) == 0


def test_items_are_ordered_by_demand_then_page(catalogue: Catalogue) -> None:
    elect(catalogue, commitments=[commitment(1, "D09", 2), commitment(2, "D07", 5), commitment(3, "D07", 3)])

    assert [(followed.demand, followed.page) for followed in items_for_list(catalogue, WINNERS)] == [
        ("D07", 3), ("D07", 5), ("D09", 2),
    ]  # fmt: skip


# --------------------------------------------------------------------------
# Which list won
# --------------------------------------------------------------------------


def add_result(catalogue: Catalogue, list_key: str, *, elected: bool) -> None:
    with catalogue.engine.begin() as db:
        db.execute(
            insert(results).values(
                list_key=list_key, votes=1200 if elected else 800, percent_expressed=None, elected=elected,
                seats_council=20 if elected else 5, seats_community=0, round=2,
            )
        )  # fmt: skip


def test_the_elected_list_comes_from_the_results_until_someone_marks_one(catalogue: Catalogue) -> None:
    assert elected_list(catalogue, COMMUNE) is None
    add_result(catalogue, RUNNERS_UP, elected=False)
    add_result(catalogue, WINNERS, elected=True)
    add_result(catalogue, "13055-4", elected=True)  # another commune's winner

    assert elected_list(catalogue, COMMUNE) == WINNERS

    elect(catalogue, RUNNERS_UP)  # say, an annulled and re-run election
    assert elected_list(catalogue, COMMUNE) == RUNNERS_UP

    elect(catalogue, WINNERS)
    assert elected_list(catalogue, COMMUNE) == WINNERS  # the latest mark wins


# --------------------------------------------------------------------------
# Recording changes
# --------------------------------------------------------------------------


def test_a_status_change_records_who_when_from_what_to_what_and_why(catalogue: Catalogue) -> None:
    [followed, *_] = elect(catalogue)

    changed = record_event(
        catalogue, followed.item_id, by="bob", expected_revision=0, status="in progress",
        why="délibération du conseil municipal du 12 mai", evidence=[Evidence("Délibération", url="https://ville.example/delib-12")],
    )  # fmt: skip

    assert (changed.status, changed.revision) == ("in progress", 1)
    [change] = changed.history
    assert (change.revision, change.by, change.status_before, change.status_after) == (1, "bob", "not started", "in progress")
    assert change.why == "délibération du conseil municipal du 12 mai"
    assert change.evidence == (Evidence("Délibération", url="https://ville.example/delib-12"),)
    assert change.at.tzinfo == timezone.utc and changed.updated_at == change.at
    assert item(catalogue, followed.item_id) == changed  # what was returned is what was stored


def test_a_note_or_evidence_alone_leaves_the_status_as_it_is(catalogue: Catalogue) -> None:
    [followed, *_] = elect(catalogue)
    record_event(catalogue, followed.item_id, by="bob", expected_revision=0, status="in progress")

    noted = record_event(catalogue, followed.item_id, by="carol", expected_revision=1, status="in progress", note="Travaux commencés.")
    linked = record_event(
        catalogue, followed.item_id, by="carol", expected_revision=2,
        evidence=[Evidence("Photo du chantier", archive="archive/cd/chantier.pdf#page=1")],
    )  # fmt: skip

    assert linked.status == "in progress" and linked.revision == 3
    assert [(change.status_before, change.status_after) for change in linked.history[1:]] == [
        ("in progress", None), ("in progress", None),
    ]  # fmt: skip
    assert noted.history[-1].note == "Travaux commencés."
    assert linked.history[-1].evidence[0].archive == "archive/cd/chantier.pdf#page=1"


def test_the_history_is_complete_ordered_and_never_rewritten(catalogue: Catalogue) -> None:
    [followed, *_] = elect(catalogue)
    record_event(catalogue, followed.item_id, by="bob", expected_revision=0, status="in progress")
    record_event(catalogue, followed.item_id, by="carol", expected_revision=1, note="Budget voté.")
    before = rows(catalogue, followup_events)
    items_before = rows(catalogue, followup_items)

    final = record_event(catalogue, followed.item_id, by="bob", expected_revision=2, status="kept", why="centre ouvert")

    after = rows(catalogue, followup_events)
    assert after[: len(before)] == before and len(after) == len(before) + 1
    assert rows(catalogue, followup_items) == items_before
    assert [(change.revision, change.by, change.status_after) for change in final.history] == [
        (1, "bob", "in progress"), (2, "carol", None), (3, "bob", "kept"),
    ]  # fmt: skip
    assert final.status == "kept"


def test_a_change_made_from_a_stale_revision_is_refused_and_writes_nothing(catalogue: Catalogue) -> None:
    [followed, *_] = elect(catalogue)
    record_event(catalogue, followed.item_id, by="bob", expected_revision=0, status="in progress")
    before = rows(catalogue, followup_events)

    with pytest.raises(StaleRevision) as refused:
        record_event(catalogue, followed.item_id, by="carol", expected_revision=0, status="broken")

    assert str(refused.value) == (
        f"follow-up item {followed.item_id}: someone else changed this item since revision 0 "
        "(it is now at revision 1); reload the item and retry your change"
    )
    assert (refused.value.expected, refused.value.current) == (0, 1)
    with pytest.raises(StaleRevision, match="revision 5 does not exist"):  # revisions leave no gap
        record_event(catalogue, followed.item_id, by="carol", expected_revision=5, status="broken")
    assert rows(catalogue, followup_events) == before


def record_from_threads(catalogue: Catalogue, item_id: str, statuses: list[str], before_each: Callable[[], None]) -> list:
    """Each thread saves one status from revision 0; returns what each got (an Item or the exception)."""
    outcomes: list = []
    lock = threading.Lock()

    def save(status: str) -> None:
        before_each()
        try:
            outcome = record_event(catalogue, item_id, by=f"writer-{status}", expected_revision=0, status=status)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each writer got
            outcome = exc
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=save, args=(status,)) for status in statuses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_two_people_saving_at_the_same_moment_one_wins_and_the_other_is_told(catalogue: Catalogue) -> None:
    [followed, *_] = elect(catalogue)
    start = threading.Barrier(2, timeout=10)

    outcomes = record_from_threads(catalogue, followed.item_id, ["kept", "broken"], start.wait)

    [won] = [outcome for outcome in outcomes if isinstance(outcome, Item)]
    [lost] = [outcome for outcome in outcomes if not isinstance(outcome, Item)]
    assert isinstance(lost, StaleRevision) and lost.current == 1
    assert item(catalogue, followed.item_id).status == won.status
    assert count(catalogue, followup_events) == 1


@contextmanager
def both_read_before_either_writes(engine: Engine) -> Iterator[None]:
    """Hold each writer just before its INSERT until both are there: both have
    checked revision 0, so only the unique (item_id, revision) can stop one."""
    barrier = threading.Barrier(2, timeout=10)

    def hold(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO FOLLOWUP_EVENTS"):
            barrier.wait()

    event.listen(engine, "before_cursor_execute", hold)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", hold)


def test_two_writers_who_both_passed_the_check_cannot_both_win(catalogue: Catalogue) -> None:
    [followed, *_] = elect(catalogue)

    with both_read_before_either_writes(catalogue.engine):
        outcomes = record_from_threads(catalogue, followed.item_id, ["kept", "broken"], lambda: None)

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Item", "StaleRevision"]
    [lost] = [outcome for outcome in outcomes if isinstance(outcome, StaleRevision)]
    assert "someone else changed this item since revision 0 (it is now at revision 1)" in str(lost)
    assert isinstance(lost.__cause__, IntegrityError)  # the constraint, not the check, stopped it
    assert item(catalogue, followed.item_id).revision == 1


def test_an_unknown_status_an_empty_change_or_an_unknown_item_is_refused(catalogue: Catalogue) -> None:
    [followed, *_] = elect(catalogue)

    with pytest.raises(ConfigError, match="unknown status 'done'; use one of: not started, in progress, kept") as bad:
        record_event(catalogue, followed.item_id, by="bob", expected_revision=0, status="done")
    assert bad.value.field == "status"
    with pytest.raises(ConfigError, match="changes nothing"):
        record_event(catalogue, followed.item_id, by="bob", expected_revision=0, note="   ")
    with pytest.raises(ConfigError, match="changes nothing"):
        record_event(catalogue, followed.item_id, by="bob", expected_revision=0, status="not started")
    with pytest.raises(ConfigError, match="no follow-up item 'nope'") as unknown:
        record_event(catalogue, "nope", by="bob", expected_revision=0, status="kept")
    assert unknown.value.field == "item"
    with pytest.raises(ConfigError, match="no follow-up item 'nope'"):
        item(catalogue, "nope")

    assert count(catalogue, followup_events) == 0


# --------------------------------------------------------------------------
# Evidence
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:alert(1)", "data:text/html,<script>x</script>",
     "ftp://ville.example/cr.pdf", "https://", "//ville.example/cr.pdf", " https://ville.example/"],
)  # fmt: skip
def test_evidence_links_only_to_web_pages(url: str) -> None:
    with pytest.raises(ConfigError, match="not a web address; give an http:// or https:// link") as refused:
        Evidence("Compte rendu", url=url)
    assert (refused.value.source, refused.value.field) == ("follow-up", "evidence")


@pytest.mark.parametrize("where", [{}, {"url": "https://ville.example/cr", "archive": "archive/ab/cr.pdf#page=2"}])
def test_evidence_is_a_web_page_or_an_archived_file_not_both_nor_neither(where: dict) -> None:
    with pytest.raises(ConfigError, match="exactly one of them"):
        Evidence("Compte rendu", **where)


def test_an_archived_file_is_a_path_not_a_url() -> None:
    with pytest.raises(ConfigError, match="not an archived file path"):
        Evidence("Compte rendu", archive="javascript:alert(1)")
    assert Evidence("Compte rendu", archive="archive/ab/cr.pdf#page=2").archive == "archive/ab/cr.pdf#page=2"
    assert Evidence("Compte rendu", url="HTTPS://ville.example/cr").url == "HTTPS://ville.example/cr"


# --------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------


def test_the_summary_counts_commitments_kept_broken_and_pending(catalogue: Catalogue) -> None:
    followed = elect(catalogue, commitments=[commitment(n) for n in range(1, 8)])
    for one, status in zip(followed, ["kept", "kept", "partly kept", "broken", "abandoned", "in progress"]):
        record_event(catalogue, one.item_id, by="bob", expected_revision=0, status=status)

    summary = summarise(items_for_commune(catalogue, COMMUNE))

    assert (summary.total, summary.kept, summary.partly, summary.broken, summary.pending) == (7, 2, 1, 2, 2)
    assert summary.by_status == {
        "not started": 1, "in progress": 1, "kept": 2, "partly kept": 1, "broken": 1, "abandoned": 1,
    }  # fmt: skip
    assert list(summary.by_status) == list(STATUSES)
    assert summarise([]).by_status == dict.fromkeys(STATUSES, 0)


def test_follow_up_needs_no_service_client() -> None:
    probe = "import sys, tracking.followup; print(sorted(m for m in ('elasticsearch', 'fastapi', 'prefect') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip() == "[]"
