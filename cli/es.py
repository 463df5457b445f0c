"""`vigie es`: the Elasticsearch node."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import out, print_json, reports_errors, settings_of
from config.settings import redact_url
from index.client import connect, server_info
from index.runtime import install_runtime, start_node, stop_node
from index.schema import document_counts

es = typer.Typer(help="The Elasticsearch node: the local one Vigie runs, or VIGIE_ES_URL.", no_args_is_help=True)
commands = typer.Typer()
commands.add_typer(es, name="es")


@es.command("install")
@reports_errors
def es_install(ctx: typer.Context) -> None:
    """Resolve Elasticsearch from Maven Central into the cache (VIGIE_ES_HOME).

    Example: vigie es install
    """
    out.print(f"Elasticsearch jars in {install_runtime(settings_of(ctx))}", highlight=False)


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
    out.print(f"Elasticsearch {verb} at {info.url} (pid {info.pid})", highlight=False)


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
    out.print("Elasticsearch stopped" if stopped else "no local node was running", highlight=False)


@es.command("status")
@reports_errors
def es_status(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Version reported by the server, URL, health and document counts.

    Example: vigie es status --json
    """
    settings = settings_of(ctx)
    client = connect(settings)
    info = server_info(client)
    health = client.cluster.health()
    status = {
        "url": redact_url(settings.elasticsearch_url),
        "version": info["version"]["number"],
        "cluster": info["cluster_name"],
        "health": health["status"],
        "local_node": settings.local_node,
        "index_prefix": settings.index_prefix,
        "documents": document_counts(client, settings.index_prefix),
    }
    if as_json:
        print_json(status)
        return
    out.print(f"Elasticsearch {status['version']} at {status['url']} ({status['cluster']}), health {status['health']}", highlight=False)
    counts = ", ".join(f"{kind}: {count}" for kind, count in status["documents"].items())
    out.print(f"prefix {settings.index_prefix!r}: {counts}", highlight=False)
