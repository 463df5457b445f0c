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

import secrets
import time
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from config.errors import IndexUnavailable, VigieError
from config.platform import load_platform
from config.settings import Settings
from index.client import connect
from storage.catalogue import Catalogue
from tracking.followup import StaleRevision
from web import auth
from web.api import router as api_router
from web.context import HERE, Forbidden, NotSignedIn, Vigie, render, templates
from web.pages import router as pages_router

SECURITY_HEADERS = {
    # No inline script or style anywhere: programme text cannot run even if an escape were missed.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


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


def create_app(settings: Settings, *, clock: Callable[[], float] = time.time) -> FastAPI:
    """The app for these settings. `clock` tells the time to sessions and to
    the sign-in throttle (a test moves it instead of waiting hours)."""
    catalogue = Catalogue(settings.catalogue)
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


