"""Prefect flows: `collect` (sources → archive), `process` (extract → detect →
index, for every document version whose results are missing or stale), and
`programme-pipeline` (both).

A thin layer: each task wraps one stage function of `flows.stages`. Every
stage records its state and its work in the catalogue, so one bad document
never fails a run, a failure is recorded with its reason, and a re-run does
only what is missing, failed or stale: a second run on unchanged sources does
no extraction, detection or indexing; an edited platform file re-runs only
detection and indexing.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from elasticsearch import Elasticsearch
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from config.errors import IndexUnavailable, StorageError, VigieError
from config.platform import DEFAULT_PLATFORM, Platform, load_platform
from config.settings import Settings, load_settings
from extract.detect import Detector
from extract.model import ExtractedDocument
from collect import programmes
from collect.propagande import collect_propagande
from collect.propagande_site import Site
from flows import stages
from tracking import list_records
from tracking.alerts import run_alerts
from storage.catalogue import Catalogue
from storage.records import DocumentVersion
from tracking.corrections import verdicts_for_document
from collect.fetch import FetchPolicy, new_client
from flows.progress import report
from collect.sources import read_sources
from index.client import connect
from index.documents import retag_platform_version
from index.schema import Layout, abandon_generation, ensure_indices, new_generation, refresh, serve_generation, served_targets


@dataclass
class RunSummary:
    documents: int = 0
    """Sources collected."""
    new_versions: int = 0
    indexed: int = 0
    """Document versions (re)processed."""
    unchanged: int = 0
    """Document versions whose results were up to date."""
    known_failures: int = 0
    """Versions this extractor already failed on: not retried until it changes."""
    pages: int = 0
    mentions: int = 0
    carried: int = 0
    """Versions detected again whose mentions came out the same: not re-indexed."""
    lists: int = 0
    """List records (scorecards) rewritten in the lists index."""
    alerts: int = 0
    """New hits of saved searches found by this run."""
    failures: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "documents": self.documents,
            "new_versions": self.new_versions,
            "indexed": self.indexed,
            "unchanged": self.unchanged,
            "known_failures": self.known_failures,
            "pages": self.pages,
            "mentions": self.mentions,
            "carried": self.carried,
            "lists": self.lists,
            "alerts": self.alerts,
            "failures": self.failures,
        }


def _retry_on(*kinds: type[Exception]):
    """A Prefect retry condition: retry only failures that may pass (network, server),
    not a missing or corrupt file."""

    def condition(task, task_run, state) -> bool:
        return isinstance(state.result(raise_on_failure=False), kinds)

    return condition


# Stage results travel in memory within one run; the catalogue, the archive
# and the stored text and detections make re-runs incremental, not Prefect's
# cache. Fetching retries inside `collect.fetch`, where Retry-After is known.
collect_task = task(programmes.collect_source, name="collect", cache_policy=NO_CACHE)
extract_task = task(stages.extract_version, name="extract", cache_policy=NO_CACHE)
detect_task = task(stages.collect_detections, name="detect", cache_policy=NO_CACHE)
alerts_task = task(run_alerts, name="alerts", cache_policy=NO_CACHE)
index_task = task(stages.index_version, name="index", cache_policy=NO_CACHE, retry_condition_fn=_retry_on(IndexUnavailable))


def _describe(exc: Exception) -> str:
    return str(exc) if isinstance(exc, VigieError) else f"{type(exc).__name__}: {exc}"


@flow(name="collect", validate_parameters=False)
def collect(sources_file: Path, settings: Settings | None = None, summary: RunSummary | None = None) -> RunSummary:
    """Archive the current version of every programme listed in `sources_file`."""
    return collect_sources(Path(sources_file), settings or load_settings(), summary if summary is not None else RunSummary())


def collect_sources(sources_file: Path, settings: Settings, summary: RunSummary) -> RunSummary:
    """The `collect` flow's work, in the flow run under way."""
    catalogue = Catalogue(settings.catalogue)
    sources = read_sources(Path(sources_file))
    with new_client(FetchPolicy.from_settings(settings)) as http:
        for done, source in enumerate(sources):
            report("collect", done, len(sources))
            summary.documents += 1
            try:
                collected = collect_task(source, settings, catalogue, http)
            except Exception as exc:  # recorded on the source; the run goes on
                message = _describe(exc)
                catalogue.record_source_failure(source.candidate_list.key, source.location, message)
                summary.failures.append(f"collect {source.location}: {message}")
                continue
            summary.new_versions += collected.new
    report("collect", len(sources), len(sources))
    return summary


@flow(name="propagande", validate_parameters=False)
def propagande(settings: Settings | None = None, platform_file: Path = DEFAULT_PLATFORM) -> RunSummary:
    """Collect what the Ministry publishes (`vigie collect propagande`), then process what it brought."""
    settings = settings or load_settings()
    summary = RunSummary()
    policy = FetchPolicy.from_settings(settings)
    with new_client(policy) as http:
        site = Site(settings.propagande_url, http, policy, settings.propagande_rate)
        run = collect_propagande(settings, Catalogue(settings.catalogue), site)
    summary.documents += run.listed
    summary.new_versions += run.new_versions
    summary.failures += [f"propagande {failure}" for failure in run.failures]
    return process_versions(settings, Path(platform_file), summary)


POOL_FROM_DOCUMENTS = 12
"""Stale documents from which a run detects in worker processes."""


@dataclass
class _Processing:
    """What every document of one processing run shares."""

    settings: Settings
    catalogue: Catalogue
    platform: Platform
    client: Elasticsearch
    targets: dict[str, str]
    """Where records go: the aliases, or the generation a rebuild fills."""
    platform_file: Path
    rebuild: bool
    keys: stages.StageKeys
    index_down: IndexUnavailable | None
    summary: RunSummary

    pooled: bool = False
    """Detect in worker processes (large runs) rather than in this process."""
    retag: list[str] = field(default_factory=list)
    """Versions whose detections came out the same under a new platform."""

    @cached_property
    def pool(self) -> stages.DetectionPool:
        """Started when a document needs detection: a run with nothing stale
        does not pay for the spaCy pipelines."""
        return stages.DetectionPool(self.settings, self.platform_file)

    @cached_property
    def detector(self) -> Detector:
        return stages.make_detector(self.settings, self.platform)

    def detect(self, version: DocumentVersion, extracted: ExtractedDocument) -> Future:
        """The version's detections under way, stored under the run's key and
        compared with those the index holds."""
        store = stages.detections_file(self.settings, version, self.keys.detect)
        previous = self._indexed_detections(version)
        parses = stages.parses_folder(self.settings)
        if self.pooled:
            return self.pool.submit(extracted, store, previous, parses)
        done: Future = Future()
        texts = [page.text for page in extracted.pages]
        done.set_result(stages.detect_and_store(self.detector, texts, store, previous, parses))
        return done

    def run(self, versions: list[DocumentVersion]) -> None:
        stale = [
            v for v in versions if self.rebuild or not self.catalogue.stage_done(v.version_id, "index", self.keys.index)
        ]
        self.summary.unchanged += len(versions) - len(stale)
        # The same extractor fails the same way on the same bytes (an empty or
        # locked file): no need to try again before the extractor changes.
        hopeless = {v.version_id for v in stale if self.catalogue.stage_failed(v.version_id, "extract", self.keys.extract)}
        self.summary.known_failures += len(hopeless)
        stale = [v for v in stale if v.version_id not in hopeless]
        # Extraction runs in child processes, detection in worker processes:
        # all extractions are submitted at once, each document's detection as
        # soon as its text is there, and documents are indexed in order as
        # their detections come back. A bounded window of documents in flight
        # keeps memory flat, whatever the corpus.
        pending = {
            v.version_id: extract_task.submit(v, self.settings)
            for v in stale
            if not self._reusable(v, "extract", self.keys.extract)
        }
        # Worker processes each load spaCy (seconds): worth it for a run of
        # many documents, not for a handful.
        self.pooled = len(stale) >= POOL_FROM_DOCUMENTS
        in_flight: deque[_InFlight] = deque()
        window = max(2, 2 * self.settings.workers)
        try:
            for done, version in enumerate(stale):
                report("process", done, len(stale))
                started = self.start(version, pending.pop(version.version_id, None))
                if started is not None:
                    in_flight.append(started)
                while in_flight and (len(in_flight) > window or in_flight[0].ready()):
                    self.finish(in_flight.popleft())
            while in_flight:
                self.finish(in_flight.popleft())
            self.retag_carried()
        finally:
            if "pool" in self.__dict__:
                self.pool.close()
        report("process", len(stale), len(stale))

    def update_lists(self, keys: list[str]) -> None:
        """Rewrite the scorecard records of these lists; when it fails they
        stay due and the next run writes them."""
        if not keys:
            return
        try:
            self.summary.lists += list_records.update_list_records(
                self.client, self.settings, self.catalogue, [d.id for d in self.platform.demands], self.targets, keys
            )
        except Exception as exc:
            self.summary.failures.append(f"scorecards of {len(keys)} list(s): {_describe(exc)}")

    def _indexed_detections(self, version: DocumentVersion) -> Path | None:
        """Where the detections the served index holds for this version are
        stored, when it is up to date with them (not in a rebuild, which
        writes everything anew)."""
        detect_key = self.catalogue.done_key(version.version_id, "detect")
        if self.rebuild or detect_key is None or not self.catalogue.stage_done(version.version_id, "index", stages.index_key(detect_key)):
            return None
        return stages.detections_file(self.settings, version, detect_key)

    def retag_carried(self) -> None:
        if not self.retag:
            return
        try:
            retag_platform_version(self.client, self.targets, self.retag, self.platform.version)
        except Exception as exc:  # their indexing is redone by the next run
            for version_id in self.retag:
                self.catalogue.mark_stale(version_id, "index", f"platform version not updated: {_describe(exc)}")
            self.summary.failures.append(f"platform version of {len(self.retag)} document(s): {_describe(exc)}")

    def _is_latest(self, version: DocumentVersion) -> bool:
        newest = self.catalogue.latest_version(version.list_key, version.source)
        return newest is None or newest.version_id == version.version_id

    def _reusable(self, version: DocumentVersion, stage: str, key: str) -> bool:
        return self.catalogue.stage_done(version.version_id, stage, key)

    def _failed(self, version: DocumentVersion, stage: str, key: str, exc: Exception) -> None:
        message = _describe(exc)
        if isinstance(exc, StorageError):
            # A full disk or a damaged archived copy says nothing of the
            # extractor and the bytes: recorded under a key no run has, so the
            # next run tries again instead of taking it as a known failure.
            key = f"{key}|storage"
        self.catalogue.mark_stage(version.version_id, stage, key, "failed", message)
        self.summary.failures.append(f"{stage} {version.source} (version {version.version}): {message}")

    def start(self, version: DocumentVersion, extraction) -> _InFlight | None:
        """The version's text (stored, or from its extraction), and its
        detections under way; None when extraction failed (recorded)."""
        stage, key = "extract", self.keys.extract
        try:
            extracted = stages.stored_text(version, self.settings) if extraction is None else None
            if extracted is None:
                extracted = (extraction or extract_task.submit(version, self.settings)).result()
                self.catalogue.mark_stage(version.version_id, stage, key, "done")
            stage, key = "detect", self.keys.detect
            if version.kind == "evidence":  # searchable pages only: a deliberation is not the list's programme
                return _InFlight(version, extracted, analysed=[[] for _ in extracted.pages])
            if self._reusable(version, stage, key):
                analysed = stages.stored_detections(version, self.settings, key)
                if analysed is not None:
                    return _InFlight(version, extracted, analysed=analysed)
            return _InFlight(version, extracted, detection=self.detect(version, extracted))
        except Exception as exc:  # recorded on the version; the run goes on
            self._failed(version, stage, key, exc)
            return None

    def finish(self, flight: _InFlight) -> None:
        """Detections stored, then the version indexed; a failure is recorded on the version, never raised."""
        version, keys = flight.version, self.keys
        stage, key = "detect", keys.detect
        try:
            analysed = flight.analysed
            if analysed is None:
                detected = detect_task(version, flight.detection)
                self.catalogue.mark_stage(version.version_id, stage, key, "done")
                analysed = detected.analysed
                if detected.unchanged:
                    # A platform edit that changes nothing in this document: its
                    # records stand; only their platform version is updated, once
                    # for all such documents at the end of the run.
                    self.catalogue.carry_stage(version.version_id, "index", keys.index)
                    self.retag.append(version.version_id)
                    self.summary.carried += 1
                    return
            stage, key = "index", keys.index
            if self.index_down is not None:
                raise self.index_down
            counts = index_task.with_options(
                retries=self.settings.task_retries, retry_delay_seconds=self.settings.task_retry_delay_s
            )(
                self.client,
                self.targets,
                self.catalogue.candidate_list(version.list_key),
                version,
                # Prefect walks every parameter looking for futures: quoted,
                # a document's thousands of pages and mentions are passed as they are.
                quote(flight.extracted),
                quote(analysed),
                self.platform.version,
                self._is_latest(version),
                verdicts_for_document(self.catalogue, version.version_id),
            )
            # The list is due before the document is done: a run killed between
            # the two rewrites the list's record next time (the other order
            # would leave it stale, the document being up to date).
            self.catalogue.mark_scorecards_due([version.list_key])
            self.catalogue.mark_stage(version.version_id, stage, key, "done")
        except Exception as exc:  # recorded on the version; the run goes on
            self._failed(version, stage, key, exc)
            return
        self.summary.indexed += 1
        self.summary.pages += counts.pages
        self.summary.mentions += counts.mentions


@dataclass
class _InFlight:
    """A document between extraction and indexing."""

    version: DocumentVersion
    extracted: ExtractedDocument
    analysed: list | None = None
    """Its detections, when already known (stored, or none for evidence)."""
    detection: Future | None = None
    """Its detections under way in the pool."""

    def ready(self) -> bool:
        return self.detection is None or self.detection.done()


@flow(name="process", validate_parameters=False)
def process(
    settings: Settings | None = None,
    platform_file: Path = DEFAULT_PLATFORM,
    summary: RunSummary | None = None,
    rebuild: bool = False,
) -> RunSummary:
    """Extract, detect and index every archived version whose results are missing or stale.

    With `rebuild`, every version is indexed into new indices that replace
    the served ones in one atomic step when all went well (`vigie reindex`);
    text and detections are reused when current."""
    return process_versions(
        settings or load_settings(), Path(platform_file), summary if summary is not None else RunSummary(), rebuild
    )


def process_versions(settings: Settings, platform_file: Path, summary: RunSummary, rebuild: bool = False) -> RunSummary:
    """The `process` flow's work, in the flow run under way."""
    logger = get_run_logger()
    client = connect(settings)
    index_down: IndexUnavailable | None = None
    try:
        ensure_indices(client, settings.index_prefix, Layout(settings.index_shards, settings.index_replicas))
    except IndexUnavailable as exc:
        # Extraction and detection still run; indexing is recorded as failed per document.
        index_down = exc
        logger.error("%s", exc)
    platform = load_platform(Path(platform_file))
    catalogue = Catalogue(settings.catalogue)
    targets = served_targets(settings.index_prefix)
    if rebuild:
        if index_down is not None:
            raise index_down
        targets = new_generation(client, settings.index_prefix, Layout(settings.index_shards, settings.index_replicas))
    processing = _Processing(
        settings=settings,
        catalogue=catalogue,
        platform=platform,
        platform_file=Path(platform_file),
        client=client,
        targets=targets,
        rebuild=rebuild,
        keys=stages.stage_keys(settings, platform.version),
        index_down=index_down,
        summary=summary,
    )
    processing.run(catalogue.versions())
    if index_down is None:
        processing.update_lists(catalogue.list_keys() if rebuild else catalogue.scorecards_due())
    if rebuild:
        if summary.failures:
            abandon_generation(client, targets)
            logger.error("rebuild abandoned: %d failure(s); the served indices are unchanged", len(summary.failures))
            return summary
        serve_generation(client, settings.index_prefix, targets)
    if (summary.indexed or summary.lists) and index_down is None:
        try:  # when the run returns, what it indexed is searchable
            refresh(client, settings.index_prefix)
        except IndexUnavailable as exc:
            logger.error("%s", exc)
    if index_down is None and not rebuild:
        try:
            alerts = alerts_task(catalogue, client, settings, check=summary.indexed > 0)
        except Exception as exc:  # the next run checks again: hits are told apart by id, not time
            summary.failures.append(f"alerts: {_describe(exc)}")
        else:
            summary.alerts += sum(alerts.found.values())
            summary.failures += alerts.failures
    return summary


def task_runner(settings: Settings):
    """Where submitted tasks (extraction) run: the workers of the Dask cluster
    the settings name, or threads of this process each driving an extraction
    child process."""
    if settings.dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=settings.dask_address)
    return ThreadPoolTaskRunner(max_workers=settings.workers)


def programme_pipeline(
    sources_file: Path, settings: Settings | None = None, platform_file: Path = DEFAULT_PLATFORM
) -> RunSummary:
    """Collect the programmes of `sources_file`, then process what is new or
    stale: one run of the `programme-pipeline` flow, its tasks on the task
    runner the settings name."""
    settings = settings or load_settings()
    return pipeline_flow.with_options(task_runner=task_runner(settings))(Path(sources_file), settings, Path(platform_file))


@flow(name="programme-pipeline", validate_parameters=False)
def pipeline_flow(sources_file: Path, settings: Settings, platform_file: Path) -> RunSummary:
    """Collecting and processing in one flow run: as two subflows, each
    would cost its own run's creation and heartbeat (a second or two, most
    of a run with nothing to do)."""
    logger = get_run_logger()
    summary = collect_sources(sources_file, settings, RunSummary())
    process_versions(settings, platform_file, summary)
    for failure in summary.failures:
        logger.warning("failed: %s", failure)
    logger.info(
        "%d sources (%d new versions): %d versions processed, %d up to date, %d failed; %d pages, %d mentions, %d list scorecards",
        summary.documents, summary.new_versions, summary.indexed, summary.unchanged, len(summary.failures),
        summary.pages, summary.mentions, summary.lists,
    )
    create_table_artifact(
        key="vigie-run-summary",
        table=[
            {"what": "sources collected", "count": summary.documents},
            {"what": "new versions", "count": summary.new_versions},
            {"what": "versions processed", "count": summary.indexed},
            {"what": "versions up to date", "count": summary.unchanged},
            {"what": "list scorecards rewritten", "count": summary.lists},
            {"what": "new hits of saved searches", "count": summary.alerts},
            {"what": "failed", "count": len(summary.failures)},
        ]
        + [{"what": failure, "count": 1} for failure in summary.failures],
        description="What this run of the programme pipeline did.",
    )
    return summary


def deployments(settings: Settings) -> list:
    """The scheduled deployments `vigie serve` runs: collection of the sources
    registry and of the Ministry's publication, and the processing of what is
    missing or stale."""
    return [
        collect.with_options(task_runner=task_runner(settings)).to_deployment(
            name="vigie-collect",
            cron=settings.collect_cron,
            parameters={"sources_file": str(settings.sources_registry)},
            description="Collect every registered programme source into the archive.",
        ),
        propagande.with_options(task_runner=task_runner(settings)).to_deployment(
            name="vigie-propagande",
            cron=settings.propagande_cron,
            description="Collect the professions de foi the Ministry publishes, then process what is new.",
        ),
        process.with_options(task_runner=task_runner(settings)).to_deployment(
            name="vigie-process",
            cron=settings.process_cron,
            description="Extract, detect and index every document version whose results are missing or stale.",
        ),
    ]
