"""The naive reference of bench/run reads the pages the pipeline reads by OCR,
at the pipeline's resolution and in its language (bench/naive.py). Nothing
here is timed: the bench measures, it is not a test."""

from __future__ import annotations

from pathlib import Path

import pytest

import extract.ocr
import extract.pdf
from bench.naive import needs_ocr, ocr_page_numbers, plain_pages, plain_texts
from extract.limits import ExtractionLimits
from tests.tracts import french_paragraphs, make_tract, scan_pdf


@pytest.mark.parametrize(
    ("text", "has_image", "expected"),
    [
        ("", True, True),
        ("  \n ", True, True),
        ("x" * 19, True, True),
        ("x" * 20, True, False),
        ("", False, False),
        ("Nous rénoverons les écoles de la commune.", True, False),
    ],
)
def test_a_page_is_scanned_when_it_has_an_image_and_almost_no_text(text: str, has_image: bool, expected: bool) -> None:
    assert needs_ocr(text, has_image) is expected


@pytest.fixture
def tract_and_scan(tmp_path: Path) -> tuple[Path, Path]:
    tract = make_tract(tmp_path / "tract.pdf", french_paragraphs(30, seed=3), columns=2, title="Nos engagements")
    assert len(tract.pages) >= 2
    return tract.path, scan_pdf(tract.path, tmp_path / "scan.pdf", dpi=72)


def _fake_ocr(calls: list):
    def ocr_image(image, *, language: str, timeout_s: float) -> str:
        calls.append((image.size, language))
        return "Texte lu par OCR."

    return ocr_image


def test_the_naive_reference_ocrs_the_pages_the_pipeline_ocrs(tract_and_scan, monkeypatch) -> None:
    tract, scan = tract_and_scan
    calls: list = []
    monkeypatch.setattr(extract.ocr, "ocr_image", _fake_ocr(calls))
    monkeypatch.setattr(extract.pdf, "ocr_image", _fake_ocr(calls))
    for path in (tract, scan):
        pages, _ = extract.pdf.extract_pdf(path, limits=ExtractionLimits())
        assert ocr_page_numbers(str(path)) == [page.number for page in pages if page.method == "ocr"]
    assert ocr_page_numbers(str(tract)) == []
    assert len(ocr_page_numbers(str(scan))) == len(pages)


def test_scanned_pages_are_rendered_at_the_pipelines_resolution_in_the_given_language(tract_and_scan, monkeypatch) -> None:
    tract, scan = tract_and_scan
    calls: list = []
    monkeypatch.setattr(extract.ocr, "ocr_image", _fake_ocr(calls))
    read = plain_pages(str(scan), "fra")
    assert [text for text, _ in read] == ["Texte lu par OCR."] * len(read)
    assert all(seconds is not None and seconds >= 0 for _, seconds in read)
    width_pt = 595.2756  # A4, the tract's page size
    assert calls and all(language == "fra" for _, language in calls)
    assert all(abs(size[0] - width_pt * extract.ocr.OCR_RESOLUTION / 72) <= 2 for size, _ in calls)

    calls.clear()
    assert all(seconds is None for _, seconds in plain_pages(str(tract), "fra"))  # a text layer: no OCR
    assert plain_texts(str(scan)) == [""] * len(read)  # without a language: the old reference, nothing read
    assert calls == []
