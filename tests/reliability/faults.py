"""Helpers of the fault-injection tests: a small programme corpus, what the
index holds (record ids and contents), a reverse proxy in front of
Elasticsearch that can refuse bulk requests, and `vigie` run as a process."""

from __future__ import annotations

import errno
import gc
import hashlib
import http.client
import json
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from elasticsearch import Elasticsearch, helpers
from PIL import Image

from config.settings import Settings
from index.schema import KINDS, alias_name, refresh
from tests.factories import make_sources
from tests.tracts import Line, french_paragraphs, make_tract, wrap

REPO = Path(__file__).resolve().parents[2]

PROGRAMMES = 6
"""Programmes of the corpus: a run on it takes seconds."""

PHOTO_PROGRAMME = "avec-photo.pdf"
"""The one programme with a large photograph (about 1 MiB), the others are a few KiB."""


def build_corpus(folder: Path) -> Path:
    """Six programmes of two to four pages (one with a large photograph of the
    head of the list) and their sources CSV; the same bytes on every call."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for number in range(PROGRAMMES):
        paragraphs = french_paragraphs(16 + 6 * number, seed=100 + number)
        if number == 0:
            _photo_programme(folder / PHOTO_PROGRAMME, paragraphs)
            name = PHOTO_PROGRAMME
        else:
            name = f"programme-{number}.pdf"
            make_tract(
                folder / name,
                paragraphs,
                columns=1 + number % 2,
                header=f"Liste {number + 1} — Élections municipales 2026",
                footer_template=f"Liste {number + 1} · page {{n}} / {{total}}",
            )
        rows.append({"list_label": f"Liste {number + 1}", "source": name})
    return make_sources(folder / "sources.csv", rows)


def _photo_programme(path: Path, paragraphs: list[str]) -> None:
    """A first page with a caption and a 600x600 photograph of noise
    (incompressible: the file is over 1 MiB), then the programme in one column."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    rng = random.Random(7)
    photo = Image.frombytes("RGB", (600, 600), bytes(rng.getrandbits(8) for _ in range(600 * 600 * 3)))
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 780, "Notre tête de liste, Camille Essai, devant la future maison de santé.")
    pdf.drawImage(ImageReader(photo), 72, 420, width=300, height=300)
    pdf.showPage()
    lines = [line.text for paragraph in paragraphs for line in [*wrap(paragraph, 450), Line("")]]
    for start in range(0, len(lines), 45):
        pdf.setFont("Helvetica", 10.5)
        y = 790.0
        for text in lines[start : start + 45]:
            pdf.drawString(72, y, text)
            y -= 16
        pdf.showPage()
    pdf.save()


# --- what the index holds -----------------------------------------------------------------

_RUN_SPECIFIC = {"fetched_at", "updated_at"}
"""Fields that differ between two undisturbed runs (times); archived files'
paths are compared from the archive folder on (data directories differ)."""


@dataclass(frozen=True)
class IndexState:
    records: dict[str, dict[str, str]]
    """Per kind, record id → digest of its content (run-specific fields left out)."""

    def ids(self, kind: str) -> set[str]:
        return set(self.records[kind])

    def counts(self) -> dict[str, int]:
        return {kind: len(ids) for kind, ids in self.records.items()}


def index_state(client: Elasticsearch, prefix: str) -> IndexState:
    refresh(client, prefix)
    records: dict[str, dict[str, str]] = {}
    for kind in KINDS:
        records[kind] = {
            hit["_id"]: _digest(_comparable({k: v for k, v in hit["_source"].items() if k not in _RUN_SPECIFIC}))
            for hit in helpers.scan(client, index=alias_name(prefix, kind), query={"query": {"match_all": {}}})
        }
    return IndexState(records)


def _comparable(value: object) -> object:
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, str) and "/archive/" in value:
        return "archive/" + value.split("/archive/", 1)[1]
    return value


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def differences(expected: IndexState, actual: IndexState) -> dict[str, dict[str, list[str]]]:
    """Per kind, the ids missing, extra, or whose content differs ({} when equal)."""
    found = {}
    for kind in KINDS:
        want, got = expected.records[kind], actual.records[kind]
        diff = {
            "missing": sorted(set(want) - set(got))[:5],
            "extra": sorted(set(got) - set(want))[:5],
            "changed": sorted(i for i in set(want) & set(got) if want[i] != got[i])[:5],
        }
        if any(diff.values()):
            found[kind] = diff
    return found


# --- a proxy in front of Elasticsearch ----------------------------------------------------

Verdict = Callable[[str, str, bytes], "tuple[int, bytes] | None"]
"""(method, path, body) → a response (status, JSON body) to send instead of
forwarding, or None to forward the request."""


class EsProxy:
    """A reverse proxy on 127.0.0.1 in front of an Elasticsearch node; `verdict`
    decides, request by request, whether to answer in its place."""

    def __init__(self, upstream: str, verdict: Verdict) -> None:
        host, port = upstream.removeprefix("http://").rstrip("/").split(":")
        self.upstream = (host, int(port))
        self.verdict = verdict
        self.seen: list[tuple[str, str, int]] = []
        """(method, path, status answered) of every request."""
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                answer = proxy.verdict(self.command, self.path, body)
                if answer is None:
                    upstream = http.client.HTTPConnection(*proxy.upstream, timeout=60)
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in {"host", "connection"}}
                    upstream.request(self.command, self.path, body=body or None, headers=headers)
                    response = upstream.getresponse()
                    status, payload = response.status, response.read()
                    content_type = response.getheader("Content-Type", "application/json")
                    upstream.close()
                else:
                    status, payload = answer
                    content_type = "application/json; charset=UTF-8"
                proxy.seen.append((self.command, self.path, status))
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> EsProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


def rejected_bulk(body: bytes) -> bytes:
    """The answer of a node whose write queue is full: every item of the bulk request refused with 429."""
    items = []
    lines = [line for line in body.splitlines() if line.strip()]
    for action_line in lines[::2]:
        (action, meta), = json.loads(action_line).items()
        items.append(
            {
                action: {
                    "_index": meta.get("_index"),
                    "_type": "_doc",
                    "_id": meta.get("_id"),
                    "status": 429,
                    "error": {
                        "type": "es_rejected_execution_exception",
                        "reason": "rejected execution of coordinating operation [queue capacity = 200]",
                    },
                }
            }
        )
    return json.dumps({"took": 1, "errors": True, "items": items}).encode()


TOO_MANY_REQUESTS = json.dumps(
    {
        "error": {"type": "circuit_breaking_exception", "reason": "[parent] Data too large, data for [<http_request>] would be larger than the limit"},
        "status": 429,
    }
).encode()


# --- a small disk --------------------------------------------------------------------------


class SmallDisk:
    """A folder on a tmpfs of `size` bytes, mounted when this process may
    (root); otherwise a plain folder, and `vigie` processes started with
    `limits()` may not write a file past `size` bytes (RLIMIT_FSIZE): a
    write beyond fails with EFBIG ("File too large") as one beyond a full
    disk fails with ENOSPC."""

    def __init__(self, folder: Path, size: int) -> None:
        folder.mkdir(parents=True)
        self.folder, self.size = folder, size
        self._limit = size
        try:
            self.mounted = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "vigie-test-disk", str(folder)], capture_output=True
            ).returncode == 0
        except FileNotFoundError:
            self.mounted = False

    @property
    def write_error(self) -> str:
        return os.strerror(errno.ENOSPC if self.mounted else errno.EFBIG)

    def __str__(self) -> str:
        return f"a tmpfs of {self.size} bytes" if self.mounted else f"files limited to {self._limit} bytes (RLIMIT_FSIZE)"

    def limits(self) -> dict:
        """Options of `vigie(...)` for a process writing to this disk."""
        if self.mounted:
            return {}
        limit = self._limit

        def limit_file_size() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

        return {"preexec_fn": limit_file_size}

    def fill(self) -> None:
        """No room left for anything."""
        if not self.mounted:
            self._limit = 0
            return
        with (self.folder / "ballast").open("wb") as ballast:
            try:
                while True:
                    ballast.write(b"\0" * 65536)
                    ballast.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc

    def free(self) -> None:
        """Room for everything: the ballast removed and the disk grown to 64 MiB."""
        self._limit = resource.RLIM_INFINITY
        if self.mounted:
            (self.folder / "ballast").unlink(missing_ok=True)
            subprocess.run(["mount", "-o", "remount,size=64m", str(self.folder)], check=True)

    def release(self) -> None:
        if self.mounted:
            gc.collect()  # the catalogue engines of in-process runs close their files
            if subprocess.run(["umount", str(self.folder)], capture_output=True).returncode != 0:
                # Still busy: detached now, gone once the last file on it is closed.
                subprocess.run(["umount", "--lazy", str(self.folder)], check=True)
            self.mounted = False


# --- vigie as a process -------------------------------------------------------------------


def vigie_environment(settings: Settings, prefect_api_url: str | None) -> dict[str, str]:
    """The environment of a `vigie` process with these settings, on the test's Prefect server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    env.update(
        VIGIE_DATA_DIR=str(settings.data_dir),
        VIGIE_INDEX_PREFIX=settings.index_prefix,
        VIGIE_TASK_RETRIES=str(settings.task_retries),
        VIGIE_TASK_RETRY_DELAY_S=str(settings.task_retry_delay_s),
        VIGIE_DETECTOR=settings.detector,
        VIGIE_DETECTOR_MODEL=str(settings.detector_model),
    )
    if settings.es_url:
        env["VIGIE_ES_URL"] = settings.es_url
    if settings.catalogue_url:
        env["VIGIE_CATALOGUE_URL"] = settings.catalogue_url
    if prefect_api_url:
        env["PREFECT_API_URL"] = prefect_api_url
    return env


def vigie(args: list[str], env: dict[str, str], **popen) -> subprocess.Popen:
    """`vigie ARGS` started as its own process group (so a test may kill it alone)."""
    return subprocess.Popen(
        [sys.executable, "-c", "from cli import app; app()", *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **popen,
    )


def wait_until(condition: Callable[[], bool], timeout_s: float, every_s: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every_s)
    return condition()


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0
