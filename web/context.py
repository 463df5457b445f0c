"""What the web app's routes share: the `Vigie` state of a request, who is
signed in, the guards on reading and writing, and page rendering.

Apart from `web.app` so that the routers (`web.pages`, `web.api`) and the
app that mounts them import it, and not each other.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from elasticsearch import Elasticsearch
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from config.errors import ConfigError
from config.platform import Platform
from config.settings import Settings
from storage.catalogue import Catalogue
from tracking import accounts
from web import auth


HERE = Path(__file__).resolve().parent


LEVEL_LABELS = {"commitment": "engagement", "opposition": "opposition", "mention": "mention", "absent": "absent"}


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


def highlight(fragment: str) -> Markup:
    """A search fragment with its `[highlighted]` words marked: escaped first,
    so only the marks are markup."""
    return Markup(re.sub(r"\[([^\[\]<>]{1,200})\]", r"<mark>\1</mark>", str(escape(fragment))))


def templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
    env.globals["level_labels"] = LEVEL_LABELS
    env.filters["highlight"] = highlight
    return env


def vigie_of(request: Request) -> Vigie:
    return request.app.state.vigie


def current_user(request: Request) -> accounts.User | None:
    """From an API token, else from the session while it is younger than the
    settings allow; looked up once per request (guards and pages both ask)."""
    if not hasattr(request.state, "user"):
        request.state.user = _find_user(request)
    return request.state.user


def _find_user(request: Request) -> accounts.User | None:
    vigie = vigie_of(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return accounts.user_for_token(vigie.catalogue, header[7:].strip())
    session = request.session
    if not session.get("user"):
        return None
    if vigie.clock() - float(session.get("signed_in_at", 0)) > vigie.settings.web_session_hours * 3600:
        session.clear()
        return None
    return next((u for u in accounts.list_users(vigie.catalogue) if u.username == session["user"]), None)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = auth.new_csrf_token()
    return token


def require_reader(request: Request) -> None:
    if not vigie_of(request).settings.web_public and current_user(request) is None:
        raise NotSignedIn()


async def require_editor(request: Request) -> accounts.User:
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
