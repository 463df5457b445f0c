"""The `programme-pipeline` Prefect flow: collect → extract → detect → index.

A thin layer: each task wraps one stage function of `flows.stages`. Every
document's progress is recorded in the catalogue, so a failure is recorded
with its reason and the run goes on, and a re-run does only what is missing,
failed or stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import httpx
from elasticsearch import Elasticsearch
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from config.errors import IndexUnavailable, VigieError
from config.platform import DEFAULT_PLATFORM
from config.settings import Settings, load_settings
from extract.detect import Detector
from extract.model import EXTRACTOR_VERSION
from flows import stages
from flows.catalogue import Catalogue
from flows.fetch import FetchPolicy, new_client
from flows.sources import Source, read_sources
from index.client import connect
from index.schema import ensure_indices, refresh


@dataclass
class RunSummary:
    documents: int = 0
    new_versions: int = 0
    indexed: int = 0
    unchanged: int = 0
    pages: int = 0
    mentions: int = 0
    failures: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "documents": self.documents,
            "new_versions": self.new_versions,
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
# Fetching retries inside `flows.fetch`, where Retry-After and back-off are known.
collect_task = task(stages.collect_source, name="collect", cache_policy=NO_CACHE)
extract_task = task(stages.extract_version, name="extract", cache_policy=NO_CACHE)
detect_task = task(stages.analyse_document, name="detect", cache_policy=NO_CACHE)
index_task = task(stages.index_version, name="index", cache_policy=NO_CACHE, retry_condition_fn=_retry_on(IndexUnavailable))


@dataclass
class _Run:
    """What every document of one run shares."""

    settings: Settings
    catalogue: Catalogue
    detector: Detector
    client: Elasticsearch
    http: httpx.Client
    index_key: str
    index_down: IndexUnavailable | None
    summary: RunSummary

    def retrying(self, task_):
        return task_.with_options(retries=self.settings.task_retries, retry_delay_seconds=self.settings.task_retry_delay_s)

    def process(self, source: Source) -> None:
        """One source through every stage; a failure is recorded on the document, never raised."""
        self.summary.documents += 1
        try:
            collected = collect_task(source, self.settings, self.catalogue, self.http)
        except Exception as exc:  # recorded on the source; the run goes on
            message = _describe(exc)
            self.catalogue.record_source_failure(source.candidate_list.key, source.location, message)
            self.summary.failures.append(f"collect {source.location}: {message}")
            return
        version = collected.version
        self.summary.new_versions += collected.new
        if self.catalogue.stage_done(version.version_id, "index", self.index_key):
            self.summary.unchanged += 1
            return
        stage, key = "extract", EXTRACTOR_VERSION
        try:
            self.catalogue.mark_stage(version.version_id, stage, key, "running")
            extracted = extract_task(version, self.settings)
            self.catalogue.mark_stage(version.version_id, stage, key, "done")
            stage, key = "index", self.index_key
            self.catalogue.mark_stage(version.version_id, stage, key, "running")
            analysed = detect_task(extracted, self.detector)
            if self.index_down is not None:
                raise self.index_down
            counts = self.retrying(index_task)(
                self.client,
                self.settings.index_prefix,
                source.candidate_list,
                version,
                extracted,
                analysed,
                self.detector.platform.version,
            )
            self.catalogue.mark_stage(version.version_id, stage, key, "done")
        except Exception as exc:  # recorded on the document; the run goes on
            message = _describe(exc)
            self.catalogue.mark_stage(version.version_id, stage, key, "failed", message)
            self.summary.failures.append(f"{stage} {source.location}: {message}")
            return
        self.summary.indexed += 1
        self.summary.pages += counts.pages
        self.summary.mentions += counts.mentions


def _describe(exc: Exception) -> str:
    return str(exc) if isinstance(exc, VigieError) else f"{type(exc).__name__}: {exc}"


@flow(name="programme-pipeline", validate_parameters=False)
def programme_pipeline(
    sources_file: Path, settings: Settings | None = None, platform_file: Path = DEFAULT_PLATFORM
) -> RunSummary:
    """Run every programme listed in `sources_file` through the pipeline."""
    settings = settings or load_settings()
    logger = get_run_logger()
    sources = read_sources(Path(sources_file))
    client = connect(settings)
    index_down: IndexUnavailable | None = None
    try:
        ensure_indices(client, settings.index_prefix)
    except IndexUnavailable as exc:
        # Collect and extract still run; indexing is recorded as failed per document.
        index_down = exc
        logger.error("%s", exc)
    detector = stages.make_detector(settings, Path(platform_file))
    http = new_client(FetchPolicy.from_settings(settings))
    run = _Run(
        settings=settings,
        catalogue=Catalogue(settings.catalogue),
        detector=detector,
        client=client,
        http=http,
        index_key=stages.index_key(settings, detector.platform.version),
        index_down=index_down,
        summary=RunSummary(),
    )
    with http:
        for source in sources:
            run.process(source)
    summary = run.summary
    if summary.indexed:
        try:  # when the run returns, what it indexed is searchable
            refresh(client, settings.index_prefix)
        except IndexUnavailable as exc:
            logger.error("%s", exc)
    for failure in summary.failures:
        logger.warning("failed: %s", failure)
    logger.info(
        "%d documents (%d new versions): %d indexed, %d unchanged, %d failed; %d pages, %d mentions",
        summary.documents, summary.new_versions, summary.indexed, summary.unchanged, len(summary.failures),
        summary.pages, summary.mentions,
    )
    return summary
