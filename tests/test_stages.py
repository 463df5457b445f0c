"""The detection stage keeps each document's spaCy parse, so that detecting
it again under another platform skips the costly part."""

from pathlib import Path

import pytest

from config.platform import load_platform
from extract.detect import Detector
from flows.stages import detect_and_store, parses_file

PAGES = ["Nous créerons un centre de santé municipal en 2027.", "• Rénover les écoles\n• Planter 1 000 arbres"]


@pytest.fixture(scope="module")
def detector(nlp) -> Detector:
    return Detector(load_platform(), nlp)


def never_parse(texts):
    raise AssertionError("parsed again although a parse was kept")


def test_a_second_detection_reads_the_kept_parse(detector: Detector, tmp_path: Path, monkeypatch) -> None:
    first = detect_and_store(detector, PAGES, tmp_path / "a.json", None, tmp_path / "parses")
    assert parses_file(tmp_path / "parses", detector.nlp, PAGES).exists()
    monkeypatch.setattr(detector, "parse", never_parse)
    second = detect_and_store(detector, PAGES, tmp_path / "b.json", tmp_path / "a.json", tmp_path / "parses")
    assert second.unchanged and first.analysed and (tmp_path / "b.json").read_text() == (tmp_path / "a.json").read_text()


def test_other_texts_get_a_parse_of_their_own(detector: Detector, tmp_path: Path) -> None:
    detect_and_store(detector, PAGES, tmp_path / "a.json", None, tmp_path / "parses")
    detect_and_store(detector, PAGES[:1], tmp_path / "b.json", None, tmp_path / "parses")
    assert len(list((tmp_path / "parses").iterdir())) == 2


def test_a_damaged_parse_is_parsed_again_and_replaced(detector: Detector, tmp_path: Path) -> None:
    detect_and_store(detector, PAGES, tmp_path / "a.json", None, tmp_path / "parses")
    kept = parses_file(tmp_path / "parses", detector.nlp, PAGES)
    kept.write_bytes(b"\x00 not a DocBin")
    again = detect_and_store(detector, PAGES, tmp_path / "b.json", tmp_path / "a.json", tmp_path / "parses")
    assert again.unchanged and kept.read_bytes() != b"\x00 not a DocBin"


def test_two_writers_of_one_file_both_succeed_and_leave_one_whole_copy(tmp_path: Path) -> None:
    """Two documents with the same pages, detected at once, write the same parse file."""
    from concurrent.futures import ThreadPoolExecutor

    from collect.archive import write_atomically

    target = tmp_path / "parses" / "same.spacy"
    contents = [bytes([n]) * 2_000_000 for n in range(8)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda data: write_atomically(target, data), contents))
    assert target.read_bytes() in contents
    assert [path.name for path in target.parent.iterdir()] == ["same.spacy"]  # no partial file left
