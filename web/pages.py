"""The HTML pages: search, list, commune, overview, archived documents,
exports, sign-in, and the follow-up tracker."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from config.errors import QueryError
from index.corrections import get_mention
from tracking import followup
from tracking.corrections import correct, history
from index.exports import SCORECARD_COLUMNS, SEARCH_COLUMNS, all_hits, commune_report, commune_report_pdf, hit_row, scorecard_rows, to_csv
from index.lists import ListQuery, find_lists
from index.scorecards import coverage_by_departement, demand_coverage, scorecards
from index.search import FACETS, SearchRequest, list_mentions, search
from tracking import accounts
from web import auth
from web.context import Forbidden, NotSignedIn, Vigie, bad_request, current_user, render, require_editor, require_reader, vigie_of

router = APIRouter()
FILTERS = ("commune", "departement", "nuance", "demand", "level")


def search_request(params, *, size: int = 20) -> SearchRequest:
    """The search a URL describes: the URL holds the whole state, so a search can be shared."""
    return SearchRequest(
        query=params.get("q", ""),
        **{name: params.get(name) or None for name in FILTERS},
        all_versions=params.get("all_versions") == "1",
        sort=params.get("sort", "relevance"),
        size=size,
        after=params.get("after") or None,
    )


def with_params(params, **changes) -> str:
    """The query string of `params` with `changes` applied (None removes a parameter)."""
    merged = {k: v for k, v in params.items() if k != "after"}
    for name, value in changes.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return urlencode({k: v for k, v in merged.items() if v != ""})


@router.get("/")
def overview(request: Request):
    require_reader(request)
    vigie = vigie_of(request)
    coverage = demand_coverage(vigie.client, vigie.prefix, vigie.demands)
    by_departement = coverage_by_departement(vigie.client, vigie.prefix, vigie.demands)
    return render(request, "overview.html", coverage=coverage, by_departement=by_departement)


@router.get("/search")
def search_page(request: Request):
    require_reader(request)
    vigie = vigie_of(request)
    params = dict(request.query_params)
    result, error = None, None
    try:
        req = search_request(params)
        result = search(vigie.client, vigie.prefix, req)
    except QueryError as exc:
        req, error = None, str(exc)
    facet_links = {}
    if result is not None:
        for name in FACETS:
            counts = result.facets.get(name, {})
            chosen = params.get(name)
            facet_links[name] = [
                (key, n, with_params(params, **{name: None if chosen == key else key}), chosen == key) for key, n in counts.items()
            ]
    return render(
        request, "search.html", status=400 if error else 200, params=params, result=result, error=error,
        facet_links=facet_links, next_link=with_params(params) + f"&after={result.next_cursor}" if result and result.next_cursor else None,
        first_link=with_params(params) if params.get("after") else None, export_query=with_params(params),
    )  # fmt: skip


@router.get("/lists/{list_key}")
def list_page(request: Request, list_key: str):
    require_reader(request)
    vigie = vigie_of(request)
    cards = scorecards(vigie.client, vigie.prefix, vigie.demands, list_key=list_key)
    found = [s for s in find_lists(vigie.client, vigie.prefix, ListQuery(commune=_commune_of(vigie, list_key))) if s.list_key == list_key]
    summary = found[0] if found else None
    if not cards and summary is None:
        return render(request, "error.html", status=404, message=f"no list {list_key} is known; check the key (INSEE code-panel)")
    versions = vigie.catalogue.versions_of(list_key)
    return render(request, "list.html", card=cards[0] if cards else None, summary=summary, versions=versions, list_key=list_key)


def _commune_of(vigie: Vigie, list_key: str) -> str:
    """The list's commune: a sector's or metropolitan list's key holds more than the INSEE code and the panel."""
    try:
        return vigie.catalogue.candidate_list(list_key).commune_insee
    except KeyError:
        return list_key.rsplit("-", 1)[0]


@router.get("/communes/{commune}")
def commune_page(request: Request, commune: str):
    require_reader(request)
    vigie = vigie_of(request)
    cards = scorecards(vigie.client, vigie.prefix, vigie.demands, commune=commune)
    lists = {s.list_key: s for s in find_lists(vigie.client, vigie.prefix, ListQuery(commune=commune))}
    if not cards and not lists:
        return render(request, "error.html", status=404, message=f"no list is known for the commune {commune}")
    name = cards[0].commune if cards else next(iter(lists.values())).commune
    insee = cards[0].commune_insee if cards else next(iter(lists)).rsplit("-", 1)[0]
    elected = followup.elected_list(vigie.catalogue, insee)
    return render(request, "commune.html", cards=cards, lists=lists, name=name, insee=insee, elected=elected)


@router.get("/documents/{version_id}")
def document(request: Request, version_id: str):
    """The archived file, as collected. Anything but a PDF is sent as plain
    text: an archived web page is the candidate's HTML, never run here."""
    require_reader(request)
    vigie = vigie_of(request)
    try:
        version = vigie.catalogue.version(version_id)
    except KeyError:
        return render(request, "error.html", status=404, message=f"no archived document {version_id}")
    path = Path(version.archive_path)
    if not path.is_file():
        return render(request, "error.html", status=410, message=f"the archived file of {version_id} is missing; run `vigie archive verify`")
    media = version.media_type if version.media_type == "application/pdf" else "text/plain; charset=utf-8"
    filename = Path(version.source).name or f"{version_id}{mimetypes.guess_extension(version.media_type) or ''}"
    headers = {"Content-Security-Policy": "sandbox", "Content-Disposition": f'inline; filename="{_ascii(filename)}"'}
    if media == "application/pdf":
        headers.pop("Content-Security-Policy")  # a sandboxed PDF viewer shows nothing; the viewer runs no page script
    return FileResponse(path, media_type=media, headers=headers)


def _ascii(name: str) -> str:
    return "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)


@router.get("/export/search.{fmt}")
def export_search(request: Request, fmt: str):
    require_reader(request)
    vigie = vigie_of(request)
    rows = [hit_row(hit) for hit in all_hits(vigie.client, vigie.prefix, search_request(dict(request.query_params)))]
    return _export(rows, SEARCH_COLUMNS, fmt, "recherche")


@router.get("/export/scorecards.{fmt}")
def export_scorecards(request: Request, fmt: str):
    require_reader(request)
    vigie = vigie_of(request)
    params = request.query_params
    cards = scorecards(
        vigie.client, vigie.prefix, vigie.demands, list_key=params.get("list") or None,
        commune=params.get("commune") or None, departement=params.get("departement") or None,
    )  # fmt: skip
    return _export(list(scorecard_rows(cards)), SCORECARD_COLUMNS, fmt, "grilles")


def _export(rows: list[dict], columns, fmt: str, name: str) -> Response:
    if fmt == "csv":
        return Response(
            to_csv(rows, columns, bom=True), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )  # fmt: skip
    if fmt == "json":
        return Response(json.dumps(rows, ensure_ascii=False, indent=1), media_type="application/json")
    raise bad_request("csv or json", "format")


@router.get("/report/{commune}.{fmt}")
def report(request: Request, commune: str, fmt: str):
    require_reader(request)
    vigie = vigie_of(request)
    cards = scorecards(vigie.client, vigie.prefix, vigie.demands, commune=commune)
    if not cards:
        return render(request, "error.html", status=404, message=f"no programme indexed for the commune {commune}")
    if fmt == "pdf":
        return Response(commune_report_pdf(cards[0].commune, cards, vigie.titles), media_type="application/pdf")
    if fmt == "html":
        return Response(commune_report(cards[0].commune, cards, vigie.titles), media_type="text/html; charset=utf-8")
    raise bad_request("html or pdf", "format")


# --- signing in ------------------------------------------------------------


@router.get("/login")
def login_form(request: Request):
    return render(request, "login.html", next=_safe_next(request.query_params.get("next")), error=None)


@router.post("/login")
async def login(request: Request):
    vigie = vigie_of(request)
    form = await request.form()
    target = _safe_next(str(form.get("next") or "/"))
    if not auth.csrf_ok(request.session.get("csrf"), str(form.get("csrf") or "")):
        return render(request, "login.html", status=403, next=target, error="this form has expired; sign in again")
    username = str(form.get("username") or "").strip().lower()
    address = request.client.host if request.client else "?"
    key = f"{username}|{address}"
    async with vigie.sign_in:
        wait = max(vigie.throttle.blocked(key), vigie.address_throttle.blocked(address))
        if wait:
            return render(request, "login.html", status=429, next=target, error=f"too many failed attempts; try again in {int(wait // 60) + 1} minute(s)")
        user = await run_in_threadpool(accounts.authenticate, vigie.catalogue, username, str(form.get("password") or ""))
        if user is None:
            vigie.throttle.failed(key)
            vigie.address_throttle.failed(address)  # a success does not clear it: one good account must not reset a spray
            return render(request, "login.html", status=401, next=target, error="wrong user name or password")
        vigie.throttle.succeeded(key)
    request.session.clear()  # a new session on sign-in: no fixation
    request.session.update({"user": user.username, "signed_in_at": vigie.clock(), "csrf": auth.new_csrf_token()})
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
async def logout(request: Request):
    await require_editor(request)
    request.session.clear()
    return RedirectResponse("/", status_code=303)


def _safe_next(target: str | None) -> str:
    """Only a path of this site: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# --- follow-up -------------------------------------------------------------


@router.get("/followup/{commune}")
def followup_page(request: Request, commune: str):
    require_reader(request)
    vigie = vigie_of(request)
    lists = {s.list_key: s for s in find_lists(vigie.client, vigie.prefix, ListQuery(commune=commune))}
    insee = next(iter(lists)).rsplit("-", 1)[0] if lists else commune
    elected = followup.elected_list(vigie.catalogue, insee)
    items = followup.items_for_commune(vigie.catalogue, insee)
    summary = followup.summarise(items)
    return render(request, "followup.html", commune=insee, lists=lists, elected=elected, items=items, summary=summary, statuses=followup.STATUSES)


@router.post("/followup/{commune}/elected")
async def mark_elected(request: Request, commune: str):
    user = await require_editor(request)
    vigie = vigie_of(request)
    form = await request.form()
    list_key = str(form.get("list_key") or "")
    if not list_key.startswith(f"{commune}-"):
        raise bad_request(f"choose one of the lists of {commune}", "list_key")
    commitments = [
        followup.Commitment(
            demand=m["demand"], sentence=" ".join(m["sentence"].split()), page=m["page"],
            archive=f"/documents/{m['doc_id']}#page={m['page']}", source_record=m["record_id"],
        )  # fmt: skip
        for m in list_mentions(vigie.client, vigie.prefix, list_key, level="commitment")
    ]
    followup.mark_elected(vigie.catalogue, commune, list_key, commitments, by=user.username, why=str(form.get("why") or ""))
    return RedirectResponse(f"/followup/{commune}", status_code=303)


@router.get("/followup/items/{item_id}")
def item_page(request: Request, item_id: str):
    require_reader(request)
    vigie = vigie_of(request)
    item = followup.item(vigie.catalogue, item_id)
    return render(request, "item.html", item=item, statuses=followup.STATUSES)


@router.post("/followup/items/{item_id}")
async def item_change(request: Request, item_id: str):
    user = await require_editor(request)
    vigie = vigie_of(request)
    form = await request.form()
    try:
        expected = int(str(form.get("revision")))
    except ValueError as exc:
        raise bad_request("the form lacks the item's revision; reload the page", "revision") from exc
    current = followup.item(vigie.catalogue, item_id).revision
    if current != expected:  # before archiving an upload for a change that cannot be written
        raise followup.stale(item_id, expected, current)
    evidence = []
    if form.get("evidence_url"):
        evidence.append(followup.Evidence(title=str(form.get("evidence_title") or form.get("evidence_url")), url=str(form.get("evidence_url"))))
    upload = form.get("evidence_file")
    if upload is not None and getattr(upload, "filename", ""):
        limit = int(vigie.settings.max_file_mb * 2**20)
        data = await upload.read(limit + 1)
        evidence.append(
            followup.attach_document(vigie.catalogue, vigie.settings.data_dir / "archive", item_id, upload.filename, data, max_bytes=limit)
        )
    status = str(form.get("status") or "") or None
    followup.record_event(
        vigie.catalogue, item_id, by=user.username, expected_revision=expected, status=status,
        note=str(form.get("note") or "") or None, why=str(form.get("why") or "") or None, evidence=evidence,
    )  # fmt: skip
    return RedirectResponse(f"/followup/items/{item_id}", status_code=303)


@router.get("/followup/{commune}/report")
def followup_report(request: Request, commune: str):
    require_reader(request)
    vigie = vigie_of(request)
    items = followup.items_for_commune(vigie.catalogue, commune)
    return render(request, "followup_report.html", commune=commune, elected=followup.elected_list(vigie.catalogue, commune), items=items, summary=followup.summarise(items))


# --- accounts (admins only) ------------------------------------------------


def _admin(user: accounts.User) -> accounts.User:

    if not user.is_admin:
        raise Forbidden("only an admin manages accounts")
    return user


@router.get("/admin/users")
async def users_page(request: Request):

    user = current_user(request)
    if user is None:
        raise NotSignedIn()
    _admin(user)
    return render(request, "users.html", users=accounts.list_users(vigie_of(request).catalogue), roles=accounts.ROLES)


@router.post("/admin/users")
async def users_add(request: Request):
    _admin(await require_editor(request))
    form = await request.form()
    await run_in_threadpool(  # hashing the password (argon2, 64 MiB) off the event loop
        accounts.add_user, vigie_of(request).catalogue, str(form.get("username") or ""), str(form.get("password") or ""), str(form.get("role") or "editor")
    )
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/disable")
async def users_disable(request: Request, username: str):
    _admin(await require_editor(request))
    accounts.disable_user(vigie_of(request).catalogue, username)
    return RedirectResponse("/admin/users", status_code=303)


# --- corrections of detected mentions --------------------------------------


@router.get("/mentions/{record_id}")
def mention_page(request: Request, record_id: str):

    require_reader(request)
    vigie = vigie_of(request)
    mention = get_mention(vigie.client, vigie.prefix, record_id)
    corrections = history(vigie.catalogue, record_id)
    if mention is None and not corrections:
        return render(request, "error.html", status=404, message=f"no detected mention {record_id}")
    return render(request, "mention.html", mention=mention, corrections=corrections, record_id=record_id, levels=("commitment", "opposition", "mention"))


@router.post("/mentions/{record_id}")
async def mention_correct(request: Request, record_id: str):

    user = await require_editor(request)
    vigie = vigie_of(request)
    form = await request.form()
    correct(
        vigie.catalogue, vigie.client, vigie.settings, vigie.demands, record_id, action=str(form.get("action") or ""),
        by=user.username, demand=str(form.get("demand") or "") or None, level=str(form.get("level") or "") or None,
        why=str(form.get("why") or "") or None,
    )  # fmt: skip
    return RedirectResponse(f"/mentions/{record_id}", status_code=303)
