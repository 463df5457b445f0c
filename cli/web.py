"""`vigie web`: the web app."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import out, reports_errors, settings_of
from config.settings import Settings

commands = typer.Typer()


def web_url(settings: Settings) -> str:
    """The address `vigie web` serves on with these settings, to open in a browser (an IPv6 address in brackets).
    Cheap to import: `vigie es status` names it (the web app's own modules load when it is served)."""
    host = f"[{settings.web_host}]" if ":" in settings.web_host else settings.web_host
    return f"http://{host}:{settings.web_port}"


@commands.command("web")
@reports_errors
def web_command(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option("--host", help="Address to listen on (default: VIGIE_WEB_HOST, 127.0.0.1).", show_default=False)
    ] = None,
    port: Annotated[
        int | None,
        typer.Option("--port", min=1, max=65535, help="Port to listen on (default: VIGIE_WEB_PORT, 8000).", show_default=False),
    ] = None,
) -> None:
    """Serve the web app (search, scorecards, follow-up) on VIGIE_WEB_HOST:VIGIE_WEB_PORT until stopped.

    Starts the local Elasticsearch node when VIGIE_ES_URL is unset. Example: vigie web --port 8765
    """
    import uvicorn

    from index.runtime import start_node
    from web.app import create_app

    settings = settings_of(ctx)
    settings = settings.model_copy(
        update={"web_host": settings.web_host if host is None else host, "web_port": settings.web_port if port is None else port}
    )
    if settings.local_node:
        start_node(settings)
    out.print(f"Vigie on {web_url(settings)} (Ctrl-C to stop)", highlight=False)
    uvicorn.run(create_app(settings), host=settings.web_host, port=settings.web_port, log_level="warning")
