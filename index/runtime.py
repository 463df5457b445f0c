"""The local Elasticsearch node Vigie starts itself when `VIGIE_ES_URL` is unset.

Elasticsearch 7.10.2 (the last Apache-2.0 release) comes from Maven Central as
``org.codelibs:elasticsearch-cluster-runner``, which embeds Elastic's server
jar and the open modules (French analysis, percolator, reindex, painless) in
one JVM. Maven resolves the jars into a cache folder outside git; the node runs
as a detached JVM bound to 127.0.0.1 with its data and logs under the data
directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from config.errors import NodeError
from config.settings import Settings

RUNNER_VERSION = "7.10.2.0"
RUNNER_MAIN = "org.codelibs.elasticsearch.runner.ElasticsearchClusterRunner"
POM = Path(__file__).with_name("elasticsearch") / "pom.xml"
_HTTP_PORT_LINE = re.compile(r"HTTP Port:\s+(\d+)")


@dataclass(frozen=True)
class NodeInfo:
    url: str
    pid: int | None
    reused: bool
    seconds: float


def lib_dir(settings: Settings) -> Path:
    return settings.es_home / RUNNER_VERSION / "lib"


def node_dir(settings: Settings) -> Path:
    return settings.data_dir / "elasticsearch"


def _pid_file(settings: Settings) -> Path:
    return node_dir(settings) / "node.pid.json"


def _log_file(settings: Settings) -> Path:
    return node_dir(settings) / "runner.log"


def install_runtime(settings: Settings) -> Path:
    """Resolve the node's jars with Maven once; later calls reuse the cache."""
    target = lib_dir(settings)
    if (target / ".complete").exists():
        return target
    mvn = shutil.which("mvn")
    if mvn is None:
        raise NodeError(
            "Maven (mvn) is not on PATH; install Maven, or set VIGIE_ES_URL to an existing cluster",
            url=settings.elasticsearch_url,
        )
    staging = target.with_name("lib.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [mvn, "-q", "-B", "-f", str(POM), "dependency:copy-dependencies", f"-DoutputDirectory={staging}"],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or not any(staging.glob("elasticsearch-cluster-runner-*.jar")):
        tail = (result.stdout + result.stderr).strip().splitlines()[-15:]
        raise NodeError(
            "Maven could not resolve Elasticsearch from Maven Central:\n" + "\n".join(tail),
            url=settings.elasticsearch_url,
        )
    (staging / ".complete").write_text(RUNNER_VERSION)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def start_node(settings: Settings) -> NodeInfo:
    """Start the local node in the background, or reuse the one already running."""
    began = time.monotonic()
    url = settings.elasticsearch_url
    running = _running_pid(settings)
    if running is not None:
        _wait_ready(settings, running, began)
        return NodeInfo(url=url, pid=running, reused=True, seconds=time.monotonic() - began)
    if _port_in_use(settings.es_port):
        raise NodeError(
            f"port {settings.es_port} on 127.0.0.1 is taken by another process; "
            "set VIGIE_ES_PORT to a free port (1024-9299), or VIGIE_ES_URL to use the server listening there",
            url=url,
        )
    lib = install_runtime(settings)
    _write_node_config(settings)
    log = _log_file(settings)
    java = Path(os.environ["JAVA_HOME"]) / "bin" / "java" if os.environ.get("JAVA_HOME") else "java"
    command = [
        str(java),
        f"-Xms{settings.es_heap_mb}m",
        f"-Xmx{settings.es_heap_mb}m",
        "-cp",
        f"{lib}/*",
        RUNNER_MAIN,
        "-basePath",
        str(node_dir(settings)),
        "-numOfNode",
        str(settings.es_nodes),
        # The runner gives node n the port base+n.
        "-baseHttpPort",
        str(settings.es_port - 1),
        "-clusterName",
        cluster_name(settings),
    ]
    with log.open("w") as out:
        try:
            process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        except FileNotFoundError as exc:
            raise NodeError("Java is not installed (java not found); install a JDK 17", url=url) from exc
    _pid_file(settings).write_text(json.dumps({"pid": process.pid, "port": settings.es_port}))
    _wait_ready(settings, process.pid, began)
    return NodeInfo(url=url, pid=process.pid, reused=False, seconds=time.monotonic() - began)


def stop_node(settings: Settings, timeout_s: float = 60.0) -> bool:
    """Stop the node this data directory started; False when none was running."""
    pid = _running_pid(settings)
    _pid_file(settings).unlink(missing_ok=True)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
        while _alive(pid):
            time.sleep(0.1)
    return True


def node_pid(settings: Settings) -> int | None:
    """The pid of the node this data directory started, if it is running."""
    return _running_pid(settings)


def cluster_name(settings: Settings) -> str:
    """Unique to the data directory: two Vigie nodes on one machine (a demo
    and a test run) must never discover each other and try to merge."""
    return f"vigie-{hashlib.sha256(str(node_dir(settings)).encode()).hexdigest()[:10]}"


def _write_node_config(settings: Settings) -> None:
    # The runner writes elasticsearch.yml only when it is missing; ours binds
    # every node to loopback so nothing is ever exposed beyond this machine,
    # and a lone node forms its cluster alone, without looking for others.
    discovery = "discovery.type: single-node\n" if settings.es_nodes == 1 else ""
    for number in range(1, settings.es_nodes + 1):
        config = node_dir(settings) / f"node_{number}" / "config"
        config.mkdir(parents=True, exist_ok=True)
        (config / "elasticsearch.yml").write_text(
            "network.host: 127.0.0.1\n"
            + discovery
            + "action.destructive_requires_name: true\n"
            "cluster.routing.allocation.disk.threshold_enabled: false\n"
        )


def _wait_ready(settings: Settings, pid: int, began: float) -> None:
    url = settings.elasticsearch_url
    deadline = began + settings.es_start_timeout_s
    while time.monotonic() < deadline:
        if not _alive(pid):
            _pid_file(settings).unlink(missing_ok=True)
            raise NodeError("the node exited while starting; its log ends with:\n" + _log_tail(settings), url=url)
        announced = _announced_port(settings)
        if announced is not None and announced != settings.es_port:
            stop_node(settings)
            raise NodeError(
                f"port {settings.es_port} was taken, the node moved to {announced}; "
                "set VIGIE_ES_PORT to a free port (1024-9299)",
                url=url,
            )
        try:
            response = httpx.get(f"{url}/_cluster/health", params={"wait_for_status": "yellow", "timeout": "1s"})
            if response.status_code == 200 and response.json().get("status") in {"yellow", "green"}:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise NodeError(
        f"not ready after {settings.es_start_timeout_s:.0f} s (VIGIE_ES_START_TIMEOUT_S); "
        "its log ends with:\n" + _log_tail(settings),
        url=url,
    )


def _announced_port(settings: Settings) -> int | None:
    try:
        match = _HTTP_PORT_LINE.search(_log_file(settings).read_text(errors="replace"))
    except OSError:
        return None
    return int(match.group(1)) if match else None


def _log_tail(settings: Settings, lines: int = 20) -> str:
    try:
        return "\n".join(_log_file(settings).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log written)"


def _running_pid(settings: Settings) -> int | None:
    try:
        recorded = json.loads(_pid_file(settings).read_text())
    except (OSError, ValueError):
        return None
    pid = int(recorded.get("pid", 0))
    if pid <= 0 or not _alive(pid):
        return None
    # A recycled pid must not make us stop someone else's process.
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return None
    if RUNNER_MAIN not in cmdline or str(node_dir(settings)) not in cmdline:
        return None
    return pid


def _alive(pid: int) -> bool:
    try:
        # Reap our own child if it has exited, so it does not linger as a zombie.
        finished, _ = os.waitpid(pid, os.WNOHANG)
        if finished == pid:
            return False
    except ChildProcessError:
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in {"Z", "X"}


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0
