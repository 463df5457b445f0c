"""The `programme-pipeline` Prefect flow: collect → extract → detect → index.

A thin layer: each task wraps one stage function of `flows.stages`. Every
document's progress is recorded in the catalogue, so a failure is recorded
with its reason and the run goes on, and a re-run does only what is missing,
failed or stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from config.errors import FetchError, IndexUnavailable, VigieError
from config.platform import DEFAULT_PLATFORM, load_platform
from config.settings import Settings, load_settings
from extract.detect import Detector
from extract.model import EXTRACTOR_VERSION
from extract.nlp import load_pipeline
from flows import stages
from flows.catalogue import Catalogue
from flows.sources import Source, read_sources
from index.client import connect
from index.schema import ensure_indices, refresh


@dataclass
class RunSummary:
    documents: int = 0
    indexed: int = 0
    unchanged: int = 0
    pages: int = 0
    mentions: int = 0
    failures: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "documents": self.documents,
            "indexed": self.indexed,
            "unchanged": self.unchanged,
            "pages": self.pages,
            "mentions": self.mentions,
            "failures": self.failures,
        }


def _retry_on(*kinds: type[Exception]):
    """A Prefect retry condition: retry only failures that may pass (network, server),
    not a missing or corrupt file."""

    def condition(task, task_run, state) -> bool:
        return isinstance(state.result(raise_on_failure=False), kinds)

    return condition


# Stage results travel in memory within one run; the catalogue, the archive
# and the text cache are what make re-runs incremental, not Prefect's cache.
collect_task = task(stages.collect_source, name="collect", cache_policy=NO_CACHE, retry_condition_fn=_retry_on(FetchError))
extract_task = task(stages.extract_version, name="extract", cache_policy=NO_CACHE)
detect_task = task(stages.analyse_document, name="detect", cache_policy=NO_CACHE)
index_task = task(stages.index_version, name="index", cache_policy=NO_CACHE, retry_condition_fn=_retry_on(IndexUnavailable))


@flow(name="programme-pipeline", validate_parameters=False)
def programme_pipeline(
    sources_file: Path, settings: Settings | None = None, platform_file: Path = DEFAULT_PLATFORM
) -> RunSummary:
    """Run every programme listed in `sources_file` through the pipeline."""
    settings = settings or load_settings()
    logger = get_run_logger()
    sources = read_sources(Path(sources_file))
    platform = load_platform(Path(platform_file))
    detector = Detector(platform, load_pipeline(settings.spacy_model))
    catalogue = Catalogue(settings.catalogue)
    client = connect(settings)
    index_ready: IndexUnavailable | None = None
    try:
        ensure_indices(client, settings.index_prefix)
    except IndexUnavailable as exc:
        # Collect and extract still run; indexing is recorded as failed per document.
        index_ready = exc
        logger.error("%s", exc)
    key = stages.index_key(settings, platform.version)
    summary = RunSummary()
    for source in sources:
        summary.documents += 1
        run_source(source, settings, catalogue, detector, client, key, index_ready, summary)
    if summary.indexed:
        # When the run returns, what it indexed is searchable.
        refresh(client, settings.index_prefix)
    for failure in summary.failures:
        logger.warning("failed: %s", failure)
    logger.info(
        "%d documents: %d indexed, %d unchanged, %d failed; %d pages, %d mentions",
        summary.documents, summary.indexed, summary.unchanged, len(summary.failures), summary.pages, summary.mentions,
    )
    return summary


def run_source(source, settings, catalogue, detector, client, key, index_ready, summary) -> None:
    """One source through every stage; a failure is recorded on the document, never raised."""
    candidate_list = source.candidate_list
    try:
        version = collect_task.with_options(retries=settings.task_retries, retry_delay_seconds=settings.task_retry_delay_s)(
            source, settings, catalogue
        )
    except VigieError as exc:
        catalogue.record_source_failure(candidate_list.key, source.location, str(exc))
        summary.failures.append(f"collect {source.location}: {exc}")
        return
    if catalogue.stage_done(version.version_id, "index", key):
        summary.unchanged += 1
        return
    stage = "extract"
    try:
        catalogue.mark_stage(version.version_id, "extract", EXTRACTOR_VERSION, "running")
        extracted = extract_task(version, settings)
        catalogue.mark_stage(version.version_id, "extract", EXTRACTOR_VERSION, "done")
        stage = "index"
        catalogue.mark_stage(version.version_id, "index", key, "running")
        analysed = detect_task(extracted, detector)
        if index_ready is not None:
            raise index_ready
        counts = index_task.with_options(retries=settings.task_retries, retry_delay_seconds=settings.task_retry_delay_s)(
            client, settings.index_prefix, candidate_list, version, extracted, analysed, detector.platform.version
        )
        catalogue.mark_stage(version.version_id, "index", key, "done")
    except Exception as exc:  # recorded on the document; the run goes on with the next one
        message = str(exc) if isinstance(exc, VigieError) else f"{type(exc).__name__}: {exc}"
        catalogue.mark_stage(version.version_id, stage, EXTRACTOR_VERSION if stage == "extract" else key, "failed", message)
        summary.failures.append(f"{stage} {source.location}: {message}")
        return
    summary.indexed += 1
    summary.pages += counts.pages
    summary.mentions += counts.mentions
