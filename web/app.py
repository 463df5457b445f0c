"""The web app: search for analysts, scorecards for everyone, the follow-up
tracker for watchdogs, and a JSON API, over the functions the command line
calls (`index.search`, `index.scorecards`, `tracking.followup`, `web.auth`).

Served by `vigie web` on 127.0.0.1. Reading is open unless `VIGIE_WEB_PUBLIC`
is false; every route that writes needs a signed-in user (a session cookie
plus the form's CSRF token, or an API token in `Authorization: Bearer`).
Pages are rendered by Jinja2 with autoescaping: programme text is untrusted
and always shows as text.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from elasticsearch import Elasticsearch
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.middleware.sessions import SessionMiddleware

from config.errors import ConfigError, IndexUnavailable, VigieError
from config.platform import Platform, load_platform
from config.settings import Settings
from storage.catalogue import Catalogue
from web import auth

HERE = Path(__file__).resolve().parent
LEVEL_LABELS = {"commitment": "engagement", "opposition": "opposition", "mention": "mention", "absent": "absent"}
SECURITY_HEADERS = {
    # No inline script or style anywhere: programme text cannot run even if an escape were missed.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class NotSignedIn(Exception):
    """The route needs a signed-in user."""


class Forbidden(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)


@dataclass
class Vigie:
    """What every request shares: settings, catalogue, index client, platform."""

    settings: Settings
    catalogue: Catalogue
    client: Elasticsearch
    platform: Platform
    throttle: auth.LoginThrottle
    """Failed sign-ins of one account from one address (key "user|address")."""
    address_throttle: auth.LoginThrottle
    """Failed sign-ins from one address, whatever the accounts tried (password spraying)."""
    clock: Callable[[], float] = field(default=time.time)
    """Seconds since the epoch: when a session began and how old it is."""
    sign_in: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Held while a password is checked: one check at a time, so the throttles
    count every attempt before the next is let in, while the check (argon2, 64
    MiB) runs in a worker thread and the event loop keeps serving pages."""

    @cached_property
    def demands(self) -> list[str]:
        return [d.id for d in self.platform.demands]

    @cached_property
    def titles(self) -> dict[str, str]:
        return {d.id: d.title for d in self.platform.demands}

    @property
    def prefix(self) -> str:
        return self.settings.index_prefix


def session_secret(settings: Settings) -> str:
    """The configured key, or one made once and kept (mode 0600) in the data directory."""
    if settings.web_secret is not None:
        return settings.web_secret.get_secret_value()
    path = settings.data_dir / "web-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def highlight(fragment: str) -> Markup:
    """A search fragment with its `[highlighted]` words marked: escaped first,
    so only the marks are markup."""
    return Markup(re.sub(r"\[([^\[\]<>]{1,200})\]", r"<mark>\1</mark>", str(escape(fragment))))


def templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
    env.globals["level_labels"] = LEVEL_LABELS
    env.filters["highlight"] = highlight
    return env


def create_app(settings: Settings, *, clock: Callable[[], float] = time.time) -> FastAPI:
    """The app for these settings. `clock` tells the time to sessions and to
    the sign-in throttle (a test moves it instead of waiting hours)."""
    from index.client import connect
    from web.api import router as api_router
    from web.pages import router as pages_router

    catalogue = Catalogue(settings.catalogue)
    auth.ensure_tables(catalogue.engine)
    from tracking.followup import ensure_tables as ensure_followup_tables

    ensure_followup_tables(catalogue.engine)
    app = FastAPI(title="Vigie", version="1", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    throttles = (
        auth.LoginThrottle(max_failures=auth.ACCOUNT_FAILURES, window_s=auth.THROTTLE_WINDOW_S, clock=clock),
        auth.LoginThrottle(max_failures=auth.ADDRESS_FAILURES, window_s=auth.THROTTLE_WINDOW_S, clock=clock),
    )
    app.state.vigie = Vigie(settings, catalogue, connect(settings), load_platform(), *throttles, clock)
    app.state.templates = templates()

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith(("/login", "/followup", "/api/")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie="vigie_session",
        max_age=int(settings.web_session_hours * 3600),
        same_site="strict",
        https_only=False,  # served on 127.0.0.1; a TLS proxy in front sets Secure itself
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api_router)
    app.include_router(pages_router)
    _error_pages(app)
    return app


def _error_pages(app: FastAPI) -> None:
    def answer(request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=status)
        return render(request, "error.html", status=status, message=message)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if request.url.path.startswith("/api/") or request.method != "GET":
            return answer(request, 401, "sign in first (or send an API token)")
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return answer(request, 403, str(exc))

    @app.exception_handler(IndexUnavailable)
    async def index_down(request: Request, exc: IndexUnavailable) -> Response:
        return answer(request, 503, "the search index cannot be reached; try again in a moment")

    @app.exception_handler(VigieError)
    async def user_error(request: Request, exc: VigieError) -> Response:
        from tracking.followup import StaleRevision

        return answer(request, 409 if isinstance(exc, StaleRevision) else 400, str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # Starlette answers an unforeseen error outside every middleware, the one
        # adding the security headers included: they are set here. The page says
        # nothing of the error (uvicorn logs its traceback) and looks up nobody,
        # since the catalogue may be what failed.
        message = "an unexpected error happened on the server; try again in a moment"
        if request.url.path.startswith("/api/"):
            response: Response = JSONResponse({"error": message}, status_code=500)
        else:
            page = request.app.state.templates.get_template("error.html").render(
                request=request, user=None, csrf="", titles={}, demands=[], message=message
            )
            response = HTMLResponse(page, status_code=500)
        response.headers.update(SECURITY_HEADERS)
        return response


def vigie_of(request: Request) -> Vigie:
    return request.app.state.vigie


def current_user(request: Request) -> auth.User | None:
    """From an API token, else from the session while it is younger than the
    settings allow; looked up once per request (guards and pages both ask)."""
    if not hasattr(request.state, "user"):
        request.state.user = _find_user(request)
    return request.state.user


def _find_user(request: Request) -> auth.User | None:
    vigie = vigie_of(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return auth.user_for_token(vigie.catalogue, header[7:].strip())
    session = request.session
    if not session.get("user"):
        return None
    if vigie.clock() - float(session.get("signed_in_at", 0)) > vigie.settings.web_session_hours * 3600:
        session.clear()
        return None
    return next((u for u in auth.list_users(vigie.catalogue) if u.username == session["user"]), None)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = auth.new_csrf_token()
    return token


def require_reader(request: Request) -> None:
    if not vigie_of(request).settings.web_public and current_user(request) is None:
        raise NotSignedIn()


async def require_editor(request: Request) -> auth.User:
    """The signed-in user of a write; a session write must carry the CSRF token
    (form field `csrf` or header `X-CSRF-Token`), an API-token write needs none."""
    user = current_user(request)
    if user is None:
        raise NotSignedIn()
    if not request.headers.get("authorization", "").lower().startswith("bearer "):
        given = request.headers.get("x-csrf-token")
        if given is None and request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            given = (await request.form()).get("csrf")
        if not auth.csrf_ok(request.session.get("csrf"), str(given) if given is not None else None):
            raise Forbidden("this form has expired or did not come from Vigie (CSRF check); reload the page and try again")
    return user


def render(request: Request, template: str, /, *, status: int = 200, **context) -> HTMLResponse:
    vigie = vigie_of(request)
    page = request.app.state.templates.get_template(template).render(
        request=request, user=current_user(request), csrf=csrf_token(request), titles=vigie.titles,
        demands=vigie.demands, **context,
    )  # fmt: skip
    return HTMLResponse(page, status_code=status)


def bad_request(message: str, field: str) -> ConfigError:
    return ConfigError(message, source="web", field=field)
