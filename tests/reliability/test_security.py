"""Security review of the web app and its API, one test per rule, over real
HTTP (uvicorn on 127.0.0.1) on the real node and the sample corpus.

| rule | test |
|---|---|
| every write route needs an account | test_every_write_route_refuses_a_request_without_a_valid_account_and_writes_nothing |
| a session write carries its own CSRF token | test_a_session_write_needs_the_csrf_token_of_its_own_session |
| sessions end VIGIE_WEB_SESSION_HOURS after sign-in | test_a_session_older_than_the_configured_hours_is_refused |
| passwords are argon2id, 64 MiB, 3 passes | test_a_stored_password_hash_is_argon2id_with_64_mib_and_3_passes_and_its_own_salt |
| repeated failed sign-ins are throttled | test_sign_in_is_refused_for_15_minutes_after_5_failures_on_an_account_or_30_from_an_address |
| CSP, X-Frame-Options, nosniff everywhere | test_every_kind_of_page_carries_the_csp_the_frame_ban_and_nosniff |
| no secret in logs, output, errors or reprs | test_no_secret_appears_in_the_output_logs_errors_or_records_of_the_cli_the_pipeline_and_the_web_app |
| VIGIE_WEB_PUBLIC=false closes reading | test_closed_reading_sends_anonymous_visitors_to_sign_in_on_every_read_route |
| readers cannot write | test_a_visitor_is_offered_no_write_form_and_every_form_action_refuses_them |
| editors cannot administer accounts | test_an_editor_can_neither_see_nor_change_accounts_and_a_demoted_admin_loses_them_at_once |
| a disabled user is out at once | test_disabling_a_user_ends_their_open_session_and_their_api_token_at_once |

The site is a copy of the session's web site (its catalogue and data
directory, the same indices), so these tests may write follow-up records and
accounts without touching what the other web tests read.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, REPO
from tests.reliability.served import serve

pytestmark = [pytest.mark.es, pytest.mark.prefect]

EDITOR, OTHER_EDITOR, ADMIN = "camille", "eve.redactrice", "dominique"


# --- the site and its visitors ---------------------------------------------------------


class FakeClock:
    """Wall-clock seconds that a test moves forward instead of waiting."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class Visitor:
    """One browser: its own cookies, never following redirects by itself."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=60)

    def csrf(self, path: str = "/login") -> str:
        page = self.http.get(path)
        return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)

    def sign_in(self, username: str, password: str = PASSWORD) -> httpx.Response:
        return self.http.post("/login", data={"csrf": self.csrf(), "username": username, "password": password, "next": "/"})

    def signed_in_as(self) -> str | None:
        found = re.search(r'<div class="account">\s*<span>([^<]+) \(', self.http.get("/").text)
        return found.group(1) if found else None


def signed_in(base_url: str, username: str, password: str = PASSWORD) -> Visitor:
    visitor = Visitor(base_url)
    answer = visitor.sign_in(username, password)
    assert answer.status_code == 303, answer.text
    return visitor


@pytest.fixture(scope="module")
def site_settings(web_site, tmp_path_factory):
    """The session's web site with its own copy of the data directory (catalogue, accounts, follow-up)."""
    from storage.catalogue import Catalogue
    from tracking.accounts import add_user

    copy = tmp_path_factory.mktemp("security") / "data"
    shutil.copytree(web_site.data_dir, copy)
    settings = web_site.model_copy(update={"data_dir": copy})
    add_user(Catalogue(settings.catalogue), OTHER_EDITOR, PASSWORD, "editor")
    return settings


@pytest.fixture(scope="module")
def app(site_settings):
    from web.app import create_app

    return create_app(site_settings)


@pytest.fixture(scope="module")
def site(app) -> Iterator[str]:
    with serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def targets(site) -> dict[str, str]:
    """Real values for the routes' parameters: a follow-up item of the elected
    list of Val-de-Sorvigny, a detected mention, a user to act on."""
    editor = signed_in(site, EDITOR)
    page = editor.http.get("/followup/62991")
    marked = editor.http.post("/followup/62991/elected", data={"csrf": editor.csrf("/followup/62991"), "list_key": "62991-1", "why": "résultats du premier tour"})
    assert page.status_code == 200 and marked.status_code == 303, marked.text
    items = editor.http.get("/api/followup/62991").json()["items"]
    hits = editor.http.get("/api/search", params={"q": "logements", "demand": "D01"}).json()["hits"]
    return {"commune": "62991", "item_id": items[0]["item_id"], "record_id": hits[0]["record_id"], "username": OTHER_EDITOR,
            "list_key": "59698-1", "version_id": _a_version(site)}  # fmt: skip


def _a_version(site: str) -> str:
    page = httpx.get(f"{site}/lists/59698-1")
    return re.search(r'href="/documents/([^"#]+)#page=', page.text).group(1)


def routes(app, *, writes: bool) -> list[tuple[str, str]]:
    """(method, path template) of every route of the app that writes (or only reads)."""
    found = []
    for route in app.router.routes:
        for inner in getattr(getattr(route, "original_router", None), "routes", [route]):
            methods = getattr(inner, "methods", None)
            if not methods:
                continue  # the static files mount
            for method in sorted(methods - {"HEAD"}):
                if (method != "GET") == writes:
                    found.append((method, inner.path))
    return found


def filled(path: str, values: dict[str, str]) -> str:
    """The path with its parameters given real values (reports come as HTML, exports as JSON)."""
    values = values | {"fmt": "html" if path.startswith("/report/") else "json"}
    return re.sub(r"\{([^}]+)\}", lambda m: values[m.group(1)], path)


def write_body(path: str) -> dict:
    """A body that would write if the request were allowed."""
    if path.startswith("/api/followup"):
        return {"json": {"expected_revision": 0, "status": "kept", "note": "écrit sans compte"}}
    if path.startswith("/api/mentions"):
        return {"json": {"action": "reject", "why": "écrit sans compte"}}
    return {"data": {"csrf": "x", "revision": "0", "status": "kept", "note": "écrit sans compte", "list_key": "62991-2",
                     "why": "écrit sans compte", "username": "intrus", "password": PASSWORD, "role": "admin", "action": "reject"}}  # fmt: skip


def catalogue_rows(settings) -> dict[str, list]:
    """Every row of every table of the catalogue, to compare before and after."""
    from storage.catalogue import Catalogue
    from storage.schema import metadata

    catalogue = Catalogue(settings.catalogue)
    with catalogue.engine.connect() as db:
        return {table.name: sorted(map(repr, db.execute(select(table)).all())) for table in metadata.sorted_tables}


# --- writing needs an account ----------------------------------------------------------


def test_every_write_route_refuses_a_request_without_a_valid_account_and_writes_nothing(app, site, targets, site_settings) -> None:
    writes = routes(app, writes=True)
    expected = {"/login", "/logout", "/followup/{commune}/elected", "/followup/items/{item_id}", "/admin/users",
                "/admin/users/{username}/disable", "/mentions/{record_id}", "/api/followup/items/{item_id}/events",
                "/api/mentions/{record_id}/corrections"}  # fmt: skip
    assert {path for _, path in writes} >= expected  # the enumeration sees every write route named in the README
    before = catalogue_rows(site_settings)
    visitor = Visitor(site)
    forger = Visitor(site)
    forger.http.cookies.set("vigie_session", "eyJ1c2VyIjogImRvbWluaXF1ZSJ9.forged.signature")  # {"user": "dominique"}, unsigned
    refused = []
    for method, path in writes:
        if path == "/login":
            continue  # signing in is the one write that needs no account
        url = filled(path, targets)
        for who, client, headers in [
            ("nobody", visitor, {}),
            ("a wrong API token", visitor, {"Authorization": "Bearer " + secrets.token_urlsafe(32)}),
            ("a real password as HTTP Basic", visitor, {"Authorization": "Basic " + base64.b64encode(f"{ADMIN}:{PASSWORD}".encode()).decode()}),
            ("a forged session cookie", forger, {}),
        ]:
            answer = client.http.request(method, url, headers=headers, **write_body(path))
            refused.append((path, who, answer.status_code))
    assert [r for r in refused if r[2] != 401] == []
    assert catalogue_rows(site_settings) == before
    # No other method writes either: every path answers 405 to PUT, PATCH and DELETE.
    paths = {filled(path, targets) for _, path in routes(app, writes=False) + writes}
    assert {(p, m, visitor.http.request(m, p).status_code) for p in paths for m in ("PUT", "PATCH", "DELETE")} == {
        (p, m, 405) for p in paths for m in ("PUT", "PATCH", "DELETE")
    }


def test_a_session_write_needs_the_csrf_token_of_its_own_session(app, site, targets, site_settings) -> None:
    admin, other = signed_in(site, ADMIN), signed_in(site, OTHER_EDITOR)
    own, foreign = admin.csrf("/"), other.csrf("/")
    assert own != foreign
    before = catalogue_rows(site_settings)
    outcomes = []
    for method, path in routes(app, writes=True):
        if path == "/login":
            continue
        url = filled(path, targets)
        body = write_body(path)
        for how, extra in [
            ("no token", {}),
            ("the token of another session", {"form": foreign, "header": foreign}),
            ("an empty token", {"form": "", "header": ""}),
        ]:
            if "json" in body:
                headers = {"X-CSRF-Token": extra["header"]} if "header" in extra else {}
                answer = admin.http.request(method, url, json=body["json"], headers=headers)
            else:
                data = {k: v for k, v in body["data"].items() if k != "csrf"} | ({"csrf": extra["form"]} if "form" in extra else {})
                answer = admin.http.request(method, url, data=data)
            outcomes.append((path, how, answer.status_code, "CSRF" in answer.text))
    assert [o for o in outcomes if o[2:] != (403, True)] == []
    # A session cannot pass for an API call: a made-up bearer token beside the cookie identifies nobody.
    bypass = admin.http.post(f"/api/followup/items/{targets['item_id']}/events", json={"expected_revision": 0, "note": "x"},
                             headers={"Authorization": "Bearer made-up"})  # fmt: skip
    assert bypass.status_code == 401
    # Signing in needs the form's token too (no login CSRF), and the cookie never leaves the site.
    fresh = Visitor(site)
    assert fresh.http.post("/login", data={"username": EDITOR, "password": PASSWORD}).status_code == 403
    cookie = fresh.sign_in(EDITOR).headers["set-cookie"].lower()
    assert "samesite=strict" in cookie and "httponly" in cookie
    assert catalogue_rows(site_settings) == before

    # With its own token, the same session writes, by form field and by header.
    item = f"/followup/items/{targets['item_id']}"
    revision = admin.http.get(f"/api{item}").json()["revision"]
    by_form = admin.http.post(item, data={"csrf": own, "revision": str(revision), "note": "Délibération lue."})
    by_header = admin.http.post(f"/api{item}/events", json={"expected_revision": revision + 1, "note": "Budget lu."}, headers={"X-CSRF-Token": own})
    assert (by_form.status_code, by_header.status_code) == (303, 201), by_header.text
    assert by_header.json()["revision"] == revision + 2


# --- sessions, passwords, sign-in ------------------------------------------------------


def test_a_session_older_than_the_configured_hours_is_refused(site_settings) -> None:
    from web.app import create_app

    hours = site_settings.web_session_hours
    clock = FakeClock()
    with serve(create_app(site_settings, clock=clock)) as url:
        admin = Visitor(url)
        signing_in = admin.sign_in(ADMIN)
        assert f"max-age={int(hours * 3600)}" in signing_in.headers["set-cookie"].lower()  # the browser drops it then too
        token = admin.csrf("/")

        clock.now += hours * 3600 - 60  # a minute before the end, after a whole session of use
        assert admin.signed_in_as() == ADMIN
        assert admin.http.get("/admin/users").status_code == 200

        clock.now += 61  # the cookie itself is still fresh (it is re-signed at each answer): the sign-in time decides
        assert admin.signed_in_as() is None
        assert admin.http.get("/admin/users").status_code == 303
        created = admin.http.post("/admin/users", data={"csrf": token, "username": "tardif", "password": PASSWORD, "role": "editor"})
        assert created.status_code == 401
        assert admin.sign_in(ADMIN).status_code == 303 and admin.signed_in_as() == ADMIN  # signing in again starts a new one


def test_a_stored_password_hash_is_argon2id_with_64_mib_and_3_passes_and_its_own_salt(site, site_settings) -> None:
    from argon2 import PasswordHasher, Type, extract_parameters

    from storage.catalogue import Catalogue
    from storage.schema import users

    admin = signed_in(site, ADMIN)
    password = "une phrase de passe " + secrets.token_hex(4)
    for name in ("hash.un", "hash.deux"):
        created = admin.http.post("/admin/users", data={"csrf": admin.csrf("/admin/users"), "username": name, "password": password, "role": "editor"})
        assert created.status_code == 303, created.text
    catalogue = Catalogue(site_settings.catalogue)
    with catalogue.engine.connect() as db:
        stored = dict(db.execute(select(users.c.username, users.c.password_hash).where(users.c.username.in_(["hash.un", "hash.deux"]))).all())

    for password_hash in stored.values():
        parameters = extract_parameters(password_hash)
        assert parameters.type is Type.ID
        assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (64 * 1024, 3, 2)  # KiB, passes, lanes
        assert (parameters.salt_len, parameters.hash_len) == (16, 32)
        assert PasswordHasher().verify(password_hash, password)
    salts = {h.split("$")[4] for h in stored.values()}
    assert len(salts) == 2  # the same password, two salts, two hashes
    assert password.encode() not in Path(site_settings.catalogue.removeprefix("sqlite:///")).read_bytes()
    assert "argon2id (64 MiB, 3 passes)" in (REPO / "README.md").read_text(encoding="utf-8")  # what the README promises


def test_sign_in_is_refused_for_15_minutes_after_5_failures_on_an_account_or_30_from_an_address(site_settings) -> None:
    from web.app import create_app

    clock = FakeClock()
    with serve(create_app(site_settings, clock=clock)) as url:
        # Ten guesses at once on one account: the count stays exact, five are checked and five refused unchecked.
        parallel = [Visitor(url) for _ in range(10)]
        forms = [{"csrf": v.csrf(), "username": ADMIN, "password": f"essai parallèle {n}"} for n, v in enumerate(parallel)]
        with ThreadPoolExecutor(max_workers=10) as pool:
            at_once = list(pool.map(lambda pair: pair[0].http.post("/login", data=pair[1]).status_code, zip(parallel, forms)))
        assert sorted(at_once) == [401] * 5 + [429] * 5

        guesser = Visitor(url)
        wrong = [guesser.sign_in(EDITOR, f"essai numéro {n}").status_code for n in range(5)]
        assert wrong == [401] * 5
        blocked = guesser.sign_in(EDITOR)
        assert blocked.status_code == 429 and "too many failed attempts" in blocked.text
        assert guesser.signed_in_as() is None
        assert guesser.sign_in(EDITOR.upper()).status_code == 429  # the same account however it is spelled
        assert Visitor(url).sign_in(OTHER_EDITOR).status_code == 303  # another account from the same address is not locked out

        # Password spraying: one guess on each of many accounts. After 30 failures from the address, everyone there waits.
        sprayed = [guesser.sign_in(f"compte.{n}", "motdepasse2026").status_code for n in range(20)]  # 10 + 20 failures
        assert sprayed == [401] * 20
        assert Visitor(url).sign_in(OTHER_EDITOR).status_code == 429

        clock.now += 14 * 60
        assert Visitor(url).sign_in(EDITOR).status_code == 429
        clock.now += 60 + 1  # 15 minutes after the first failure
        assert Visitor(url).sign_in(EDITOR).status_code == 303


# --- headers ---------------------------------------------------------------------------


def test_every_kind_of_page_carries_the_csp_the_frame_ban_and_nosniff(app, site, targets, site_settings) -> None:
    from storage.catalogue import Catalogue
    from web.app import create_app

    html_version = next(v.version_id for v in Catalogue(site_settings.catalogue).versions() if v.media_type == "text/html")
    editor = signed_in(site, EDITOR)
    visitor = Visitor(site)
    kinds = {
        "overview": (visitor, "GET", "/", 200),
        "search": (visitor, "GET", "/search?q=sant%C3%A9&demand=D07", 200),
        "search refused (400)": (visitor, "GET", "/search?after=pas-un-curseur", 400),
        "list": (visitor, "GET", "/lists/59698-1", 200),
        "unknown list (404)": (visitor, "GET", "/lists/00000-9", 404),
        "commune": (visitor, "GET", "/communes/59698", 200),
        "follow-up": (visitor, "GET", "/followup/62991", 200),
        "follow-up item": (editor, "GET", f"/followup/items/{targets['item_id']}", 200),
        "follow-up report": (visitor, "GET", "/followup/62991/report", 200),
        "mention": (editor, "GET", f"/mentions/{targets['record_id']}", 200),
        "sign-in": (visitor, "GET", "/login", 200),
        "sign-in refused (403)": (visitor, "POST", "/login", 403),
        "accounts, redirect to sign-in (303)": (visitor, "GET", "/admin/users", 303),
        "accounts forbidden (403)": (editor, "GET", "/admin/users", 403),
        "export CSV": (visitor, "GET", "/export/search.csv?demand=D07", 200),
        "export JSON": (visitor, "GET", "/export/scorecards.json?commune=59698", 200),
        "report HTML": (visitor, "GET", "/report/59698.html", 200),
        "report PDF": (visitor, "GET", "/report/59698.pdf", 200),
        "API search": (visitor, "GET", "/api/search?q=cr%C3%A8che", 200),
        "API refused (401)": (visitor, "POST", f"/api/followup/items/{targets['item_id']}/events", 401),
        "API error (400)": (visitor, "GET", "/api/search?after=pas-un-curseur", 400),
        "API description": (visitor, "GET", "/api/openapi.json", 200),
        "stylesheet": (visitor, "GET", "/static/vigie.css", 200),
        "archived PDF": (visitor, "GET", f"/documents/{targets['version_id']}", 200),
        "archived web page, as text": (visitor, "GET", f"/documents/{html_version}", 200),
        "unknown document (404)": (visitor, "GET", "/documents/inconnu", 404),
        "unknown path (404)": (visitor, "GET", "/nulle-part", 404),
        "method not allowed (405)": (visitor, "DELETE", "/search", 405),
    }
    answers = {kind: client.http.request(method, path) for kind, (client, method, path, _) in kinds.items()}

    # The two errors no route returns: the index away (503) and an unforeseen failure (500).
    unreachable = site_settings.model_copy(update={"es_url": f"http://127.0.0.1:{_closed_port()}"})
    broken = create_app(site_settings)

    @broken.get("/echec-imprevu")
    @broken.get("/api/echec-imprevu")
    def unforeseen() -> None:
        raise RuntimeError("a failure no handler foresaw")

    with serve(create_app(unreachable)) as away, serve(broken) as failing:
        answers["index away (503)"] = httpx.get(f"{away}/search?q=sant%C3%A9")
        answers["API, index away (503)"] = httpx.get(f"{away}/api/search?q=sant%C3%A9")
        answers["unforeseen failure (500)"] = httpx.get(f"{failing}/echec-imprevu")
        answers["API, unforeseen failure (500)"] = httpx.get(f"{failing}/api/echec-imprevu")
    statuses = {kind: status for kind, (*_, status) in kinds.items()} | {
        "index away (503)": 503, "API, index away (503)": 503, "unforeseen failure (500)": 500, "API, unforeseen failure (500)": 500,
    }  # fmt: skip
    assert {kind: answer.status_code for kind, answer in answers.items()} == statuses

    missing = {}
    for kind, answer in answers.items():
        headers = answer.headers
        csp = headers.get("content-security-policy", "")
        problems = [
            *(["no CSP"] if not csp else []),
            *(["a script source in the CSP"] if "script-src" in csp or "unsafe-inline" in csp else []),
            *(["framing allowed"] if headers.get("x-frame-options") != "DENY" else []),
            *(["no nosniff"] if headers.get("x-content-type-options") != "nosniff" else []),
        ]
        if answer.headers.get("content-type", "").startswith("text/html") and "frame-ancestors 'none'" not in csp:
            problems.append("an HTML page without frame-ancestors 'none'")
        if problems:
            missing[kind] = problems
    assert missing == {}
    assert answers["archived web page, as text"].headers["content-type"].startswith("text/plain")
    assert answers["archived web page, as text"].headers["content-security-policy"] == "sandbox"
    assert "a failure no handler foresaw" not in answers["unforeseen failure (500)"].text  # the page tells nothing of the error


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends


# --- no secret in logs -----------------------------------------------------------------


class _SmtpLogin:
    """An SMTP server's check of the login: it records the passwords it was given."""

    def __init__(self, password: str) -> None:
        self.password = password
        self.given: list[str] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        self.given.append(auth_data.password.decode())
        # handled=False: the server answers (235 or 535) itself.
        return AuthResult(success=auth_data.password.decode() == self.password, handled=False)


def test_no_secret_appears_in_the_output_logs_errors_or_records_of_the_cli_the_pipeline_and_the_web_app(es_node, prefect_harness, tmp_path) -> None:
    import asyncio

    from aiosmtpd.controller import Controller
    from itsdangerous import TimestampSigner
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterStartTime, LogFilter, LogFilterTimestamp
    from prefect.settings import PREFECT_API_URL

    from config.errors import ConfigError, IndexUnavailable
    from config.settings import load_settings
    from index.client import connect
    from index.schema import Layout, document_counts, drop_indices, ensure_indices
    from index.search import SearchRequest, search
    from tests.factories import make_pdf, make_sources
    from tests.httpserver import ProgrammeServer
    from tests.mailserver import _Keep

    began = datetime.now(timezone.utc)
    secret = {
        "Elasticsearch password": "es-" + secrets.token_hex(8),
        "SMTP password": "smtp-" + secrets.token_hex(8),
        "wrong SMTP password": "smtp-faux-" + secrets.token_hex(6),
        "webhook secret": "hook-" + secrets.token_hex(8),
        "web secret": "web-" + secrets.token_hex(16),
        "admin password": "admin pass " + secrets.token_hex(6),
        "new user's password": "nouvelle " + secrets.token_hex(6),
        "wrong password tried": "devine " + secrets.token_hex(6),
        "too short password": "c" + secrets.token_hex(5),
    }
    prefix = "s" + uuid.uuid4().hex[:9]
    es_url = es_node.elasticsearch_url.replace("http://", f"http://vigie:{secret['Elasticsearch password']}@")
    data = tmp_path / "data"
    programme = make_pdf(tmp_path / "programme.pdf", [["Nous ouvrirons un centre de santé municipal avec des médecins salariés."]])
    sources = make_sources(tmp_path / "sources.csv", [{"list_label": "Essai en commun", "source": str(programme)}])
    web_port = _closed_port()
    login = _SmtpLogin(secret["SMTP password"])
    mail = Controller(_Keep(), hostname="127.0.0.1", port=_closed_port(), authenticator=login, auth_require_tls=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIGIE_", "PREFECT_API_URL"))} | {
        "VIGIE_DATA_DIR": str(data), "VIGIE_ES_URL": es_url, "VIGIE_INDEX_PREFIX": prefix,
        "VIGIE_SMTP_HOST": "127.0.0.1", "VIGIE_SMTP_PORT": str(mail.port), "VIGIE_SMTP_STARTTLS": "false",
        "VIGIE_SMTP_USER": "vigie", "VIGIE_SMTP_PASSWORD": secret["wrong SMTP password"],
        "VIGIE_WEBHOOK_SECRET": secret["webhook secret"], "VIGIE_WEB_SECRET": secret["web secret"],
        "VIGIE_WEB_PORT": str(web_port), "VIGIE_FETCH_ALLOW_PRIVATE": "true", "VIGIE_TASK_RETRY_DELAY_S": "0",
        "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_LOGGING_LEVEL": "DEBUG",
        "PYTHONPATH": str(REPO),  # the checkout's packages, whatever the virtual environment was installed from
    }  # fmt: skip
    captured: dict[str, str] = {}

    def vigie(name: str, *args: str, stdin: str = "", env_changes: dict | None = None, exempt_stdout: bool = False) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-c", "from cli import app; app()", *args], input=stdin, capture_output=True, text=True,
            env=env | (env_changes or {}), cwd=tmp_path, timeout=300,
        )  # fmt: skip
        captured[f"{name}: stderr"] = done.stderr
        if not exempt_stdout:
            captured[f"{name}: stdout"] = done.stdout
        return done

    client = connect(load_settings(es_url=es_url, index_prefix=prefix))
    ensure_indices(client, prefix, Layout())  # empty indices, so the search below is saved with no hit
    try:
        with ProgrammeServer() as hooks:
            mail.start()
            try:
                assert vigie("settings", "settings").returncode == 0
                assert vigie("settings --json", "settings", "--json").returncode == 0
                assert vigie("short password", "users", "add", "court", "--password-stdin", stdin=secret["too short password"] + "\n").returncode == 1
                assert vigie("users add", "users", "add", "gardien", "--role", "admin", "--password-stdin", stdin=secret["admin password"] + "\n").returncode == 0
                token = vigie("users token", "users", "token", "gardien", exempt_stdout=True).stdout.strip()  # shown once, by design
                secret["API token"] = token
                saved = vigie("alerts save", "alerts", "save", "santé", '"centre de santé"', "--email", "veille@exemple.org", "--webhook", f"{hooks.url}/alerte")
                assert saved.returncode == 0, saved.stderr
                run = vigie("run (SMTP login refused)", "run", str(sources))
                assert run.returncode == 2 and "SMTP" in run.stderr, run.stdout + run.stderr  # the e-mail failed, with its reason
                alerts = vigie("alerts", "alerts", env_changes={"VIGIE_SMTP_PASSWORD": secret["SMTP password"]})
                assert alerts.returncode == 0, alerts.stdout + alerts.stderr
                away = vigie("es status, node away", "es", "status", env_changes={"VIGIE_ES_URL": f"http://vigie:{secret['Elasticsearch password']}@127.0.0.1:{_closed_port()}"})
                assert away.returncode == 1 and "cannot be reached" in away.stderr
                bad_url = vigie("settings, invalid URL", "settings", env_changes={"VIGIE_ES_URL": f"ftp://vigie:{secret['Elasticsearch password']}@127.0.0.1"})
                assert bad_url.returncode == 1 and "VIGIE_ES_URL" in bad_url.stderr
                captured |= _web_session(env, tmp_path, web_port, token, secret)

            finally:
                mail.stop()
        # What the secrets did: each was really used, so its absence below means something.
        assert set(login.given) == {secret["wrong SMTP password"], secret["SMTP password"]} and login.given[-1] == secret["SMTP password"]
        assert len(mail.handler.messages) == 1
        [(_, headers, body, _)] = hooks.state.posted
        assert headers["X-Vigie-Signature"] == "sha256=" + hmac.new(secret["webhook secret"].encode(), body, hashlib.sha256).hexdigest()
        assert document_counts(client, prefix)["pages"] == 1  # indexed through the URL holding the password
        assert TimestampSigner(secret["web secret"]).unsign(captured.pop("(session cookie)"))  # sessions signed with the web secret

        # In process: the settings' repr and JSON, and the errors that carry a URL or a refused value.
        settings = load_settings(es_url=es_url, smtp_password=secret["SMTP password"], webhook_secret=secret["webhook secret"],
                                 web_secret=secret["web secret"], catalogue_url=f"postgresql://vigie:{secret['Elasticsearch password']}@127.0.0.1/vigie")  # fmt: skip
        captured["repr(settings)"], captured["str(settings)"] = repr(settings), str(settings)
        captured["settings as JSON"] = settings.model_dump_json()
        try:
            load_settings(es_url=f"ftp://vigie:{secret['Elasticsearch password']}@127.0.0.1")
        except ConfigError as exc:
            captured["invalid setting, with its cause"] = f"{exc}\n{exc.__cause__}"
        try:
            search(connect(settings.model_copy(update={"es_url": f"http://vigie:{secret['Elasticsearch password']}@127.0.0.1:{_closed_port()}"})), prefix, SearchRequest(query="santé"))
        except IndexUnavailable as exc:
            captured["index away, error"] = f"{exc!r} {exc}"
        assert {"invalid setting, with its cause", "index away, error"} <= captured.keys()

        # What Prefect keeps of the runs: their parameters, logs and artifacts.
        async def prefect_records() -> dict[str, str]:
            async with get_client() as prefect:
                runs = await prefect.read_flow_runs(flow_run_filter=FlowRunFilter(start_time=FlowRunFilterStartTime(after_=began)))
                logs = await prefect.read_logs(log_filter=LogFilter(timestamp=LogFilterTimestamp(after_=began)), limit=200)
                more, offset = logs, 200
                while len(more) == 200:
                    more = await prefect.read_logs(log_filter=LogFilter(timestamp=LogFilterTimestamp(after_=began)), limit=200, offset=offset)
                    logs, offset = logs + more, offset + 200
                artifacts = await prefect.read_artifacts()
            assert any(run.name and run.parameters.get("settings", {}).get("index_prefix") == prefix for run in runs)
            return {
                "Prefect flow runs (parameters)": json.dumps([run.model_dump(mode="json") for run in runs]),
                "Prefect logs": "\n".join(log.message for log in logs),
                "Prefect artifacts": json.dumps([a.model_dump(mode="json") for a in artifacts]),
            }

        captured |= asyncio.run(prefect_records())

        for path in sorted(p for p in data.rglob("*") if p.is_file()):
            captured[f"file {path.relative_to(data)}"] = path.read_bytes().decode("utf-8", "replace")
    finally:
        drop_indices(client, prefix)

    leaks = {(where, what) for where, text in captured.items() for what, value in secret.items() if value in text}
    assert sorted(leaks) == [], "\n".join(map(str, sorted(leaks)))
    assert "VIGIE_SMTP_PASSWORD = **********" in captured["settings: stdout"]
    assert f"vigie:***@127.0.0.1:{es_node.es_port}" in captured["settings: stdout"]  # the URL is shown, its password is not


def _web_session(env: dict[str, str], cwd: Path, port: int, token: str, secret: dict[str, str]) -> dict[str, str]:
    """`vigie web` as a process: sign-in attempts, an account created, API
    calls with good and bad tokens; returns its output and the session cookie."""
    process = subprocess.Popen(
        [sys.executable, "-c", "from cli import app; app()", "web"], env=env, cwd=cwd,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{base}/login", timeout=5)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"vigie web did not start: {process.communicate(timeout=10)}") from None
                time.sleep(0.2)
        visitor = Visitor(base)
        assert visitor.sign_in("gardien", secret["wrong password tried"]).status_code == 401
        assert visitor.sign_in("gardien", secret["admin password"]).status_code == 303
        cookie = visitor.http.cookies["vigie_session"]
        created = visitor.http.post("/admin/users", data={"csrf": visitor.csrf("/admin/users"), "username": "nouvelle", "password": secret["new user's password"], "role": "editor"})
        assert created.status_code == 303
        too_short = visitor.http.post("/admin/users", data={"csrf": visitor.csrf("/admin/users"), "username": "courte", "password": secret["too short password"], "role": "editor"})
        assert too_short.status_code == 400 and secret["too short password"] not in too_short.text
        with_token = httpx.post(f"{base}/api/followup/items/inconnu/events", json={"expected_revision": 0, "note": "x"}, headers={"Authorization": f"Bearer {token}"})
        assert with_token.status_code == 400  # the token was accepted; the item does not exist
        assert httpx.post(f"{base}/api/followup/items/inconnu/events", json={"expected_revision": 0}, headers={"Authorization": f"Bearer {token}x"}).status_code == 401
        assert httpx.get(f"{base}/api/search", params={"q": "santé"}).json()["total"] == 1
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            stdout, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
    return {"web: stdout": stdout, "web: stderr": stderr, "(session cookie)": cookie}


# --- reading and writing rules -------------------------------------------------------------


def test_closed_reading_sends_anonymous_visitors_to_sign_in_on_every_read_route(app, targets, site_settings) -> None:
    from web.app import create_app

    closed = create_app(site_settings.model_copy(update={"web_public": False}))
    reads = [path for _, path in routes(closed, writes=False)]
    always_open = {"/login", "/api/openapi.json"}  # signing in, and the API's description (no data)
    with serve(closed) as url:
        visitor, member = Visitor(url), signed_in(url, EDITOR)
        outcome = {}
        for path in reads:
            if path in always_open:
                continue
            answer = visitor.http.get(filled(path, targets))
            outcome[path] = (answer.status_code, answer.headers.get("location", "").split("?")[0])
        member_sees = {path: member.http.get(filled(path, targets)).status_code for path in outcome if path != "/admin/users"}
        open_pages = {path: visitor.http.get(path).status_code for path in always_open}
    assert outcome == {path: (401, "") if path.startswith("/api/") else (303, "/login") for path in outcome}
    assert set(outcome) >= {"/", "/search", "/lists/{list_key}", "/documents/{version_id}", "/export/search.{fmt}", "/api/search", "/api/followup/{commune}"}
    assert member_sees == dict.fromkeys(member_sees, 200)
    assert open_pages == dict.fromkeys(always_open, 200)


def test_a_visitor_is_offered_no_write_form_and_every_form_action_refuses_them(app, site, targets) -> None:
    pages = ["/", "/search?q=sant%C3%A9", "/lists/59698-1", "/communes/62991", "/followup/62991",
             f"/followup/items/{targets['item_id']}", "/followup/62991/report", f"/mentions/{targets['record_id']}"]  # fmt: skip
    editor, admin, visitor = signed_in(site, EDITOR), signed_in(site, ADMIN), Visitor(site)
    post_form = re.compile(r'<form method="post" action="([^"]+)"')
    offered = {action for page in pages for action in post_form.findall(editor.http.get(page).text)}
    offered |= set(post_form.findall(admin.http.get("/admin/users").text))
    assert len(offered) >= 6  # sign-out, mark elected, item change, correction, add and disable accounts

    shown = {page: post_form.findall(visitor.http.get(page).text) for page in pages}
    assert shown == {page: [] for page in pages}  # nothing but the sign-in link
    refused = {action: visitor.http.post(action, data={"csrf": visitor.csrf(), "note": "x", "status": "kept"}).status_code for action in offered}
    assert refused == dict.fromkeys(offered, 401)


def test_an_editor_can_neither_see_nor_change_accounts_and_a_demoted_admin_loses_them_at_once(site, site_settings) -> None:
    from storage.catalogue import Catalogue
    from tracking.accounts import add_user, list_users, new_api_token, set_role

    catalogue = Catalogue(site_settings.catalogue)
    add_user(catalogue, "chef.provisoire", PASSWORD, "admin")
    editor = signed_in(site, EDITOR)
    token = editor.csrf("/")
    assert editor.http.get("/admin/users").status_code == 403
    created = editor.http.post("/admin/users", data={"csrf": token, "username": "intrus", "password": PASSWORD, "role": "admin"})
    disabled = editor.http.post(f"/admin/users/{ADMIN}/disable", data={"csrf": token})
    bearer = new_api_token(catalogue, EDITOR)
    by_token = httpx.post(f"{site}/admin/users", data={"username": "intrus", "password": PASSWORD, "role": "admin"}, headers={"Authorization": f"Bearer {bearer}"})
    assert (created.status_code, disabled.status_code, by_token.status_code) == (403, 403, 403)
    assert "only an admin manages accounts" in created.text
    names = {user.username for user in list_users(catalogue)}
    assert "intrus" not in names and ADMIN in names

    demoted = signed_in(site, "chef.provisoire")
    assert demoted.http.get("/admin/users").status_code == 200
    set_role(catalogue, "chef.provisoire", "editor")
    assert demoted.http.get("/admin/users").status_code == 403  # the open session, at its next request


def test_disabling_a_user_ends_their_open_session_and_their_api_token_at_once(site, targets, site_settings) -> None:
    from storage.catalogue import Catalogue
    from tracking.accounts import add_user, new_api_token

    catalogue = Catalogue(site_settings.catalogue)
    add_user(catalogue, "sortant", PASSWORD, "editor")
    leaving, admin = signed_in(site, "sortant"), signed_in(site, ADMIN)
    token = new_api_token(catalogue, "sortant")
    events = f"{site}/api/followup/items/{targets['item_id']}/events"

    def write_with_token(revision: int) -> httpx.Response:
        return httpx.post(events, json={"expected_revision": revision, "note": "Compte rendu lu."}, headers={"Authorization": f"Bearer {token}"})

    revision = httpx.get(f"{site}/api/followup/items/{targets['item_id']}").json()["revision"]
    assert write_with_token(revision).status_code == 201
    csrf = leaving.csrf("/")
    assert leaving.signed_in_as() == "sortant"

    assert admin.http.post("/admin/users/sortant/disable", data={"csrf": admin.csrf("/admin/users")}).status_code == 303

    assert leaving.signed_in_as() is None
    by_session = leaving.http.post(f"/followup/items/{targets['item_id']}", data={"csrf": csrf, "revision": str(revision + 1), "note": "x"})
    assert by_session.status_code == 401
    assert write_with_token(revision + 1).status_code == 401
    assert Visitor(site).sign_in("sortant").status_code == 401
    assert "sortant" not in admin.http.get("/admin/users").text
