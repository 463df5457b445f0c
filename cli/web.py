"""`vigie web`: the web app."""

from __future__ import annotations

import typer
import uvicorn

from cli.common import out, reports_errors, settings_of
from index.runtime import start_node
from web.app import create_app

commands = typer.Typer()


@commands.command("web")
@reports_errors
def web_command(ctx: typer.Context) -> None:
    """Serve the web app (search, scorecards, follow-up) on VIGIE_WEB_HOST:VIGIE_WEB_PORT until stopped.

    Starts the local Elasticsearch node when VIGIE_ES_URL is unset. Example: vigie web
    """
    settings = settings_of(ctx)
    if settings.local_node:
        start_node(settings)
    out.print(f"Vigie on http://{settings.web_host}:{settings.web_port} (Ctrl-C to stop)", highlight=False)
    uvicorn.run(create_app(settings), host=settings.web_host, port=settings.web_port, log_level="warning")
