"""`vigie es`: the search node, Elasticsearch or OpenSearch (`VIGIE_ENGINE`)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import out, print_json, reports_errors, settings_of
from config.settings import Settings, redact_url
from index.client import connect, server_info
from index.engine import describe
from index.runtime import distribution, install_runtime, node_pid, start_node, stop_node
from index.schema import document_counts

es = typer.Typer(help="The search node (Elasticsearch or OpenSearch, VIGIE_ENGINE): the local one Vigie runs, or VIGIE_ES_URL.", no_args_is_help=True)
commands = typer.Typer()
commands.add_typer(es, name="es")


@es.command("install")
@reports_errors
def es_install(ctx: typer.Context) -> None:
    """Resolve the local node (VIGIE_ENGINE) from Maven Central into the cache (VIGIE_ES_HOME).

    Example: VIGIE_ENGINE=opensearch vigie es install
    """
    settings = settings_of(ctx)
    lib = install_runtime(settings)
    dist = distribution(settings)
    out.print(f"{dist.title} {dist.version} jars in {lib}", highlight=False)


@es.command("start")
@reports_errors
def es_start(ctx: typer.Context) -> None:
    """Start the local node in the background (reuses a running one).

    Example: VIGIE_ES_PORT=9210 vigie es start
    """
    settings = settings_of(ctx)
    if not settings.local_node:
        out.print(f"VIGIE_ES_URL is set: using {redact_url(settings.elasticsearch_url)}, nothing to start", highlight=False)
        return
    info = start_node(settings)
    verb = "already running" if info.reused else f"started in {info.seconds:.1f} s"
    out.print(f"{distribution(settings).title} {verb} at {info.url} (pid {info.pid})", highlight=False)


@es.command("stop")
@reports_errors
def es_stop(ctx: typer.Context) -> None:
    """Stop the local node this data directory started.

    Example: vigie es stop
    """
    settings = settings_of(ctx)
    if not settings.local_node:
        out.print("VIGIE_ES_URL is set: Vigie started no node, nothing to stop", highlight=False)
        return
    stopped = stop_node(settings)
    out.print("local node stopped" if stopped else "no local node was running", highlight=False)


@es.command("status")
@reports_errors
def es_status(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Distribution and version reported by the server, URL, health and document counts; what is left running, and the web app's address.

    Example: vigie es status --json
    """
    settings = settings_of(ctx)
    client = connect(settings)
    info = server_info(client)
    engine = describe(info)
    health = client.cluster.health()
    status = {
        "url": redact_url(settings.elasticsearch_url),
        "distribution": engine.distribution,
        "version": engine.version,
        "cluster": info["cluster_name"],
        "health": health["status"],
        "local_node": settings.local_node,
        "index_prefix": settings.index_prefix,
        "documents": document_counts(client, settings.index_prefix),
    }
    if as_json:
        print_json(status)
        return
    out.print(f"{engine.title} {status['version']} at {status['url']} ({status['cluster']}), health {status['health']}", highlight=False)
    counts = ", ".join(f"{kind}: {count}" for kind, count in status["documents"].items())
    out.print(f"prefix {settings.index_prefix!r}: {counts}", highlight=False)
    for line in running_lines(settings):
        out.print(line, highlight=False)


def running_lines(settings: Settings) -> list[str]:
    """What is left running and how to stop it, then where the web app shows the same indices:
    the last lines of `make demo`, true whether or not VIGIE_ES_URL is set."""
    from cli.web import web_url

    url = redact_url(settings.elasticsearch_url)
    if not settings.local_node:
        running = f"VIGIE_ES_URL is set: {url} is a cluster Vigie did not start, and Vigie leaves nothing running"
    elif (pid := node_pid(settings)) is None:
        running = f"{url} is served by a process this data directory did not start ({settings.data_dir}); `vigie es stop` leaves it alone"
    else:
        running = f"the local {distribution(settings).title} node is left running at {url} (pid {pid}); stop it with `vigie es stop`"
    web = f"the same results in the web app: run `vigie web`, then open {web_url(settings)}"
    return [running, web]
