"""Collecting a programme: a source's current bytes archived once under their
sha256 and recorded in the catalogue as a version of the list's programme.

This is the sources file's adapter. The others (the Ministry's publication,
`collect.propagande`) end in the same three functions, `collect.fetch.fetch`,
`collect.archive.archive_bytes` and `Catalogue.record_version`, so every
document gets the same provenance (URL or path, time, HTTP status and
validators, hash).
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import httpx

from collect.archive import archive_bytes, file_sha256
from collect.fetch import FetchPolicy, fetch, new_client
from collect.sources import Source
from config.errors import ExtractionError, FetchError
from config.settings import Settings
from storage.catalogue import Catalogue
from storage.records import DocumentVersion, HttpInfo


@dataclass(frozen=True)
class Collected:
    version: DocumentVersion
    new: bool
    """A version not seen before (a new or changed programme)."""


def collect_source(source: Source, settings: Settings, catalogue: Catalogue, client: httpx.Client | None = None) -> Collected:
    """Archive the source's current bytes and record them as a version of it.

    A URL is fetched (conditionally, when an earlier version has validators);
    a local path is read. Either way the archive keeps every version."""
    location, list_key = source.location, source.candidate_list.key
    catalogue.save_list(source.candidate_list)
    if "://" in location:
        policy = FetchPolicy.from_settings(settings)
        latest = catalogue.latest_version(list_key, location)
        # A damaged archived copy is fetched whole again (not "unchanged since"), to be restored.
        conditional = latest is not None and file_sha256(Path(latest.archive_path)) == latest.sha256
        with nullcontext(client) if client is not None else new_client(policy) as http:
            fetched = fetch(
                http,
                location,
                policy=policy,
                etag=latest.etag if conditional else None,
                last_modified=latest.last_modified if conditional else None,
            )
        if fetched.not_modified and latest is not None:
            return Collected(latest, new=False)
        if fetched.data is None:
            raise FetchError("the server answered 304 to a first request; nothing to archive", url=location, status=304)
        if not fetched.data.strip():
            raise FetchError("the server sent an empty file", url=location, status=fetched.status)
        info = HttpInfo(fetched.status, fetched.final_url, fetched.content_type, fetched.etag, fetched.last_modified)
        archived = archive_bytes(settings.data_dir / "archive", fetched.data)
        version, new = catalogue.record_version(list_key, location, archived, info)
        return Collected(version, new)
    path = Path(location)
    limit = int(settings.max_file_mb * 2**20)
    try:
        size = path.stat().st_size
        if size > limit:
            raise ExtractionError(
                f"{size / 2**20:.1f} MiB is over the limit of {settings.max_file_mb} MiB (VIGIE_MAX_FILE_MB)", path=location
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractionError(f"cannot read the file ({exc.strerror}); check the sources file", path=location) from exc
    archived = archive_bytes(settings.data_dir / "archive", data)
    version, new = catalogue.record_version(list_key, location, archived)
    return Collected(version, new)
