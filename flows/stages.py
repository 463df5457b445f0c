"""The pipeline's stages as plain functions: collect, extract, analyse, index.

The Prefect flow, the CLI and (later) the web app call these; none of them
imports Prefect.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import spacy
from elasticsearch import Elasticsearch

from config.errors import StorageError
from config.platform import DEFAULT_PLATFORM, Platform, load_platform
from config.settings import Settings
from extract.detect import Detector, SentenceMentions
from extract.isolated import extract_isolated
from extract.learned import META_FILE, TrainedModel
from extract.limits import ExtractionLimits
from extract.model import EXTRACTOR_VERSION, ExtractedDocument
from extract import stored as extract_stored
from extract.nlp import load_pipeline
from collect.archive import file_sha256, write_atomically

from storage.records import DocumentVersion
from collect.sources import CandidateList
from index.documents import IndexedCounts, replace_version_records, retire_older_versions
from index.schema import SCHEMA_VERSION


def extract_version(version: DocumentVersion, settings: Settings) -> ExtractedDocument:
    """Pages of text of an archived version, extracted in a child process
    with the settings' limits and stored beside the archive. The archived
    copy is checked against its sha256 first: altered bytes are never indexed."""
    if file_sha256(Path(version.archive_path)) != version.sha256:
        raise StorageError(
            "the archived copy is missing or no longer matches its sha256; run `vigie archive verify`, "
            "then collect the source again (`vigie run` with its sources file) to restore it",
            path=version.archive_path,
        )
    extracted = extract_isolated(
        Path(version.archive_path), limits=ExtractionLimits.from_settings(settings), name=version.source
    )
    _write_json(extract_stored.text_file(settings.data_dir, version.sha256), extracted.to_json())
    return extracted


def make_detector(settings: Settings, platform: Platform | None = None) -> Detector:
    """The detector for these settings and a platform (the shipped one by
    default): with the trained classifiers when `vigie train` built them."""
    model_path = trained_model_path(settings)
    model = load_trained(str(model_path)) if model_path else None
    return Detector(platform or load_platform(DEFAULT_PLATFORM), load_pipeline(settings.spacy_model), model, settings.detector)


def trained_model_path(settings: Settings) -> Path | None:
    """The trained detector these settings use, or None for the rules alone."""
    if settings.detector == "rules" or not (settings.detector_model / META_FILE).exists():
        return None
    return settings.detector_model


@lru_cache(maxsize=2)
def load_trained(path: str) -> TrainedModel:
    return TrainedModel.load(Path(path))


def detector_identity(settings: Settings) -> str:
    """Which detector decides, and which training made it: part of the detection stage's key."""
    path = trained_model_path(settings)
    if path is None:
        return "rules"
    try:
        return f"{settings.detector}-{json.loads((path / META_FILE).read_text(encoding='utf-8'))['key']}"
    except (OSError, ValueError, KeyError):
        return f"{settings.detector}-unreadable"


@dataclass(frozen=True)
class StageKeys:
    """What each stage's result depends on: a change of any part makes it stale."""

    extract: str
    detect: str
    index: str


def stage_keys(settings: Settings, platform_version: str) -> StageKeys:
    detect = f"{EXTRACTOR_VERSION}|platform-{platform_version}|{settings.spacy_model}|{detector_identity(settings)}"
    return StageKeys(extract=EXTRACTOR_VERSION, detect=detect, index=index_key(detect))


def index_key(detect_key: str) -> str:
    return f"{detect_key}|schema-{SCHEMA_VERSION}"


def parses_folder(settings: Settings) -> Path:
    return settings.data_dir / "parses"


def _detections_file(settings: Settings, version: DocumentVersion, key: str) -> Path:
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return settings.data_dir / "mentions" / f"{version.version_id}.{digest}.json"


@dataclass(frozen=True)
class Detected:
    analysed: list[list[SentenceMentions]] | None
    """The detections, page by page; None when they equal the previous ones (not sent back)."""
    unchanged: bool
    """The same as the detections the index holds (`previous`)."""


PARSE_FORMAT = "1"
"""Bump when what is kept of a parse changes."""


def parses_file(folder: Path, nlp, texts: list[str]) -> Path:
    """Where the parse of these texts by this pipeline is kept: named by both,
    so a new model, spaCy version or extraction never reads an old parse."""
    identity = [PARSE_FORMAT, spacy.__version__, nlp.meta.get("lang"), nlp.meta.get("name"), nlp.meta.get("version"), nlp.pipe_names, texts]
    return folder / f"{hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:32]}.spacy"


def parsed_blocks(detector: Detector, texts: list[str], folder: Path) -> list:
    """The texts' parsed blocks: read back when the same pipeline parsed the
    same texts before (a platform edit changes nothing of a parse), else
    parsed and kept. A damaged file is parsed again and replaced."""
    from spacy.tokens import DocBin

    path = parses_file(folder, detector.nlp, texts)
    if path.exists():
        try:
            return list(DocBin().from_bytes(path.read_bytes()).get_docs(detector.nlp.vocab))
        except Exception:  # noqa: BLE001 (a cache: whatever broke it, parsing again repairs it)
            pass
    parsed = detector.parse(texts)
    write_atomically(path, DocBin(docs=parsed, store_user_data=False).to_bytes())
    return parsed


def detect_and_store(detector: Detector, texts: list[str], store: Path, previous: Path | None, parses: Path | None = None) -> Detected:
    """Detect, store the detections at `store`, and tell whether they equal
    those stored at `previous`; run where the detector is (a worker process,
    or the flow's process for small runs). With `parses`, a folder, the
    spaCy parse of the texts is kept there and reused by later detections."""
    parsed = parsed_blocks(detector, texts, parses) if parses is not None else None
    analysed: list[list[SentenceMentions]] = [[] for _ in texts]
    for index, item in detector.analyse_many(texts, parsed=parsed):
        analysed[index].append(item)
    records = [[item.to_record() for item in page] for page in analysed]
    _write_json(store, records)
    unchanged = previous is not None and previous.exists() and json.loads(previous.read_text(encoding="utf-8")) == records
    return Detected(None if unchanged else analysed, unchanged)


def collect_detections(version: DocumentVersion, detection) -> Detected:
    """The detections of a version, made and stored by `detect_and_store` (in a pool or not)."""
    return detection.result()


def detections_file(settings: Settings, version: DocumentVersion, key: str) -> Path:
    return _detections_file(settings, version, key)


_POOL_DETECTOR: Detector | None = None


def _load_pool_detector(model: str, platform_file: str, trained: str | None, mode: str) -> None:
    global _POOL_DETECTOR
    _POOL_DETECTOR = Detector(load_platform(Path(platform_file)), load_pipeline(model), load_trained(trained) if trained else None, mode)  # type: ignore[arg-type]


def _pooled_detect_and_store(texts: list[str], store: Path, previous: Path | None, parses: Path | None) -> Detected:
    assert _POOL_DETECTOR is not None, "the detection worker was not initialised"
    return detect_and_store(_POOL_DETECTOR, texts, store, previous, parses)


def _optional_str(path: Path | None) -> str | None:
    return None if path is None else str(path)


class DetectionPool:
    """Detection in worker processes, each with its own spaCy pipeline loaded
    once: spaCy holds the GIL, so in the flow's process it would starve the
    threads that feed the extraction processes; here documents are detected
    on every core while others are extracted."""

    def __init__(self, settings: Settings, platform_file: Path, workers: int | None = None) -> None:
        from concurrent.futures import ProcessPoolExecutor
        import multiprocessing

        self._pool = ProcessPoolExecutor(
            max_workers=workers or settings.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_load_pool_detector,
            initargs=(settings.spacy_model, str(platform_file), _optional_str(trained_model_path(settings)), settings.detector),
        )

    def submit(self, extracted: ExtractedDocument, store: Path, previous: Path | None, parses: Path | None = None):
        """A future of the document's `Detected`."""
        return self._pool.submit(_pooled_detect_and_store, [page.text for page in extracted.pages], store, previous, parses)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def stored_detections(version: DocumentVersion, settings: Settings, key: str) -> list[list[SentenceMentions]] | None:
    path = _detections_file(settings, version, key)
    if not path.exists():
        return None
    return [[SentenceMentions.from_record(item) for item in page] for page in json.loads(path.read_text(encoding="utf-8"))]


def stored_text(version: DocumentVersion, settings: Settings) -> ExtractedDocument | None:
    return extract_stored.stored_text(settings.data_dir, version.sha256)


def _write_json(path: Path, value: object) -> None:
    write_atomically(path, json.dumps(value, ensure_ascii=False).encode("utf-8"))


def index_version(
    client: Elasticsearch,
    targets: Mapping[str, str],
    candidate_list: CandidateList,
    version: DocumentVersion,
    extracted: ExtractedDocument,
    analysed: list[list[SentenceMentions]],
    platform_version: str,
    latest: bool = True,
    verdicts: Mapping[str, object] | None = None,
) -> IndexedCounts:
    """Replace this version's records in the index; a rejected record fails the stage.

    `latest` says whether it is the newest version of its source: when it
    is, the older versions' records stop being the default search target.
    `verdicts` are the analysts' corrections of its mentions, applied over
    the detector's output."""
    base = {
        "latest": latest,
        "doc_id": version.version_id,
        "sha256": version.sha256,
        "source": version.source,
        "archive_path": version.archive_path,
        "media_type": version.media_type,
        "fetched_at": version.fetched_at.isoformat(),
        "version": version.version,
        "extractor_version": extracted.extractor_version,
        "kind": version.kind,
        "list_key": version.list_key,
        "list_label": candidate_list.label,
        "commune": candidate_list.commune,
        "commune_insee": candidate_list.commune_insee,
        "departement": candidate_list.departement,
        "nuance": candidate_list.nuance,
        "head_of_list": candidate_list.head_of_list,
        "panel": candidate_list.panel,
    }
    counts = replace_version_records(client, targets, base, extracted, analysed, platform_version, verdicts)
    if latest and version.version > 1:
        retire_older_versions(client, targets, version.list_key, version.source, version.version_id)
    return counts
