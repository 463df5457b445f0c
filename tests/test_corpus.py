"""The labelled corpus: its checks, its split by source document, and the
agreement of two annotations."""

from pathlib import Path

import pytest

from config.errors import ConfigError
from extract.corpus import Item, Label, agreement, problems, read_items, reserved_urls, split_by_document, write_items

DEMANDS = {f"D{n:02d}" for n in range(1, 15)}


def item(identifier: str, document: str = "doc", text: str | None = None, labels=(), url: str | None = None) -> Item:
    source = {"url": url} if url else {"repo": "owner/programmes", "path": f"{document}.txt", "commit": "0" * 40}
    return Item(id=identifier, text=text or f"Phrase {identifier} du programme.", document=document, source=source, labels=tuple(labels))


def test_items_survive_a_round_trip_through_their_file(tmp_path: Path) -> None:
    items = [item("a-1", labels=[Label("D07", "commitment")]), item("a-2", url="https://liste.example/programme")]
    write_items(tmp_path / "corpus.jsonl", items)
    assert read_items(tmp_path / "corpus.jsonl") == items


def test_a_line_that_is_not_an_item_names_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "corpus.jsonl").write_text('{"id": "a-1", "text": "x"}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"corpus.jsonl:1: not a corpus item"):
        read_items(tmp_path / "corpus.jsonl")


def test_problems_name_duplicates_unknown_labels_and_reserved_sources(tmp_path: Path) -> None:
    reserved = tmp_path / "reserved.txt"
    reserved.write_text("# kept for evaluation\nhttp://www.reserve.example/page/\n", encoding="utf-8")
    items = [
        item("a-1", text="Nous ouvrirons un centre de santé."),
        item("a-1", text="Nous  ouvrirons un centre de santé."),
        item("a-3", labels=[Label("D99", "commitment"), Label("D07", "maybe")]),
        item("a-4", url="https://reserve.example/page"),
        Item(id="a-5", text="x", document="d", source={"repo": "RonKop/pourquituvotes", "path": "data/elections/t1.csv"}),
    ]
    found = problems(items, DEMANDS, reserved_urls(reserved))
    assert "a-1: id used 2 times" in found
    assert any(line.startswith("text found 2 times") for line in found)
    assert "a-3: unknown demand D99" in found and "a-3: unknown level maybe" in found
    assert "a-4: its source https://reserve.example/page is reserved for independent evaluation" in found
    assert "a-5: data/elections/ is reserved for independent evaluation" in found
    assert problems([item("b-1"), item("b-2")], DEMANDS) == []


def test_splits_never_share_a_document_and_follow_their_shares() -> None:
    items = [item(f"{doc}-{n}", document=f"doc{doc}") for doc in range(400) for n in range(doc % 7 + 3)]
    splits = split_by_document(items)
    documents = {name: {i.document for i in split} for name, split in splits.items()}
    assert not (documents["train"] & documents["dev"]) and not (documents["train"] & documents["test"]) and not (documents["dev"] & documents["test"])
    assert sum(len(split) for split in splits.values()) == len(items)
    assert abs(len(splits["test"]) / len(items) - 0.15) < 0.02 and abs(len(splits["train"]) / len(items) - 0.7) < 0.02


def test_adding_documents_never_moves_one_already_split() -> None:
    before = split_by_document([item(f"{doc}-{n}", document=f"doc{doc}") for doc in range(60) for n in range(doc % 9 + 1)])
    fixed = {i.document: name for name, split in before.items() for i in split}
    after = split_by_document([item(f"{doc}-{n}", document=f"doc{doc}") for doc in range(200) for n in range(doc % 9 + 1)], fixed=fixed)
    for name in before:
        assert {i.id for i in before[name]} <= {i.id for i in after[name]}
    assert abs(len(after["test"]) / sum(len(split) for split in after.values()) - 0.15) < 0.05


def test_the_split_does_not_depend_on_the_order_items_come_in() -> None:
    items = [item(f"{doc}-{n}", document=f"doc{doc}") for doc in range(30) for n in range(doc % 5 + 2)]
    forward, backward = split_by_document(items), split_by_document(list(reversed(items)))
    assert {name: {i.id for i in split} for name, split in forward.items()} == {name: {i.id for i in split} for name, split in backward.items()}


def test_agreement_counts_exact_matches_demands_levels_and_kappa() -> None:
    first = {
        "1": (Label("D07", "commitment"),),
        "2": (),
        "3": (Label("D01", "mention"),),
        "4": (Label("D09", "commitment"), Label("D12", "commitment")),
    }
    second = {
        "1": (Label("D07", "commitment"),),
        "2": (),
        "3": (Label("D01", "commitment"),),
        "4": (Label("D09", "commitment"),),
    }
    result = agreement(first, second, sorted(DEMANDS))
    assert result.items == 4
    assert result.exact == 0.5
    assert result.demands == 0.75
    assert result.levels == 2 / 3
    assert 0.7 < result.kappa < 1.0


LABELLED = Path(__file__).resolve().parent.parent / "config" / "labelled"


def committed_splits() -> dict[str, list[Item]]:
    return {name: read_items(LABELLED / f"real-{name}.jsonl") for name in ("train", "dev", "test")}


def test_the_committed_corpus_is_clean_and_its_splits_share_no_document() -> None:
    splits = committed_splits()
    everything = [item for split in splits.values() for item in split]
    assert problems(everything, DEMANDS) == []
    assert len(everything) >= 2500
    documents = {name: {item.document for item in split} for name, split in splits.items()}
    assert not (documents["train"] & documents["test"]) and not (documents["dev"] & documents["test"]) and not (documents["train"] & documents["dev"])
    assert sum(1 for item in everything if not item.labels) >= 0.4 * len(everything)


def test_every_sentence_of_the_corpus_says_where_it_comes_from() -> None:
    for item in (item for split in committed_splits().values() for item in split):
        assert item.url or {"repo", "path", "commit"} <= set(item.source) or {"file", "page"} <= set(item.source), item.id
        if "file" in item.source:
            assert (Path(__file__).parent / "data" / "real-programmes" / item.source["file"]).exists(), item.id


def test_the_blind_reannotation_agrees_with_the_corpus_as_the_readme_says() -> None:
    import json

    first = {item.id: item.labels for split in committed_splits().values() for item in split}
    second = {}
    for line in (LABELLED / "blind-reannotation.jsonl").read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        second[data["id"]] = tuple(Label(label["demand"], label["level"]) for label in data["labels"])
    result = agreement(first, second, sorted(DEMANDS))
    assert result.items == 273
    assert (round(result.exact, 3), round(result.kappa, 3), round(result.levels, 3)) == (0.894, 0.907, 0.993)


def test_every_sentence_without_a_demand_says_whether_it_is_a_measure_and_the_blind_check_agrees() -> None:
    import json

    negatives = {item.id: item.extra for split in committed_splits().values() for item in split if not item.labels}
    assert all(isinstance(extra.get("measure"), bool) for extra in negatives.values())
    assert all(("theme" in extra) == extra["measure"] for extra in negatives.values())
    second = [json.loads(line) for line in (LABELLED / "blind-measures.jsonl").read_text(encoding="utf-8").splitlines()]
    same = sum(negatives[row["id"]]["measure"] == row["measure"] for row in second)
    both = [row for row in second if row["measure"] and negatives[row["id"]]["measure"]]
    same_theme = sum(negatives[row["id"]]["theme"] == row["theme"] for row in both)
    assert (len(second), same, len(both), same_theme) == (132, 130, 80, 73)
