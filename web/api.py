"""The JSON API under /api/ (OpenAPI description at /api/openapi.json): search,
scorecards, coverage and follow-up, with the web pages' rules: reading as
configured, writing with an API token (or a session and its CSRF header)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from tracking import followup
from index.scorecards import demand_coverage, scorecards
from index.search import search
from tracking import accounts
from tracking.corrections import correct
from web.context import require_editor, require_reader, vigie_of
from web.pages import search_request

router = APIRouter(prefix="/api", tags=["api"])


@router.get("/search")
def api_search(request: Request, q: str = "", size: int = 20) -> dict:
    """The same query syntax and filters as the search page (commune, departement, nuance, demand, level, sort, after)."""
    require_reader(request)
    vigie = vigie_of(request)
    result = search(vigie.client, vigie.prefix, search_request(dict(request.query_params), size=size))
    return result.to_json()


@router.get("/lists/{list_key}/scorecard")
def api_list_scorecard(request: Request, list_key: str) -> dict:
    require_reader(request)
    vigie = vigie_of(request)
    cards = scorecards(vigie.client, vigie.prefix, vigie.demands, list_key=list_key)
    return {"scorecards": [card.to_json() for card in cards]}


@router.get("/communes/{commune}/scorecards")
def api_commune_scorecards(request: Request, commune: str) -> dict:
    require_reader(request)
    vigie = vigie_of(request)
    return {"scorecards": [card.to_json() for card in scorecards(vigie.client, vigie.prefix, vigie.demands, commune=commune)]}


@router.get("/coverage")
def api_coverage(request: Request, departement: str | None = None) -> dict:
    require_reader(request)
    vigie = vigie_of(request)
    coverage = demand_coverage(vigie.client, vigie.prefix, vigie.demands, departement=departement)
    return {"coverage": [c.to_json() for c in coverage]}


@router.get("/followup/{commune}")
def api_followup(request: Request, commune: str) -> dict:
    require_reader(request)
    vigie = vigie_of(request)
    items = followup.items_for_commune(vigie.catalogue, commune)
    return {
        "commune": commune,
        "elected": followup.elected_list(vigie.catalogue, commune),
        "summary": followup.summarise(items).to_json(),
        "items": [item.to_json() for item in items],
    }


@router.get("/followup/items/{item_id}")
def api_item(request: Request, item_id: str) -> dict:
    require_reader(request)
    return followup.item(vigie_of(request).catalogue, item_id).to_json()


class EvidenceIn(BaseModel):
    title: str = Field(max_length=300)
    url: str = Field(max_length=2000)


class EventIn(BaseModel):
    expected_revision: int = Field(ge=0, description="The item's revision you read: a write on a changed item is refused (409).")
    status: str | None = Field(default=None, description=f"One of {', '.join(followup.STATUSES)}.")
    note: str | None = Field(default=None, max_length=10_000)
    why: str | None = Field(default=None, max_length=2_000)
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=20)


@router.post("/followup/items/{item_id}/events", status_code=201)
def api_item_event(request: Request, item_id: str, event: EventIn, user: accounts.User = Depends(require_editor)) -> dict:
    """Append an event to a follow-up item: a status change, a note, evidence links."""
    item = followup.record_event(
        vigie_of(request).catalogue, item_id, by=user.username, expected_revision=event.expected_revision,
        status=event.status, note=event.note, why=event.why,
        evidence=[followup.Evidence(title=e.title, url=e.url) for e in event.evidence],
    )  # fmt: skip
    return item.to_json()


class CorrectionIn(BaseModel):
    action: str = Field(description="confirm, reject or change")
    demand: str | None = Field(default=None, description="With change: the right demand (D01 to D14).")
    level: str | None = Field(default=None, description="With change: commitment, opposition or mention.")
    why: str | None = Field(default=None, max_length=2_000)


@router.post("/mentions/{record_id}/corrections", status_code=201)
def api_correct(request: Request, record_id: str, correction: CorrectionIn, user: accounts.User = Depends(require_editor)) -> dict:
    """Confirm, reject or change a detected mention; applied over the detector's output in search and scorecards."""

    vigie = vigie_of(request)
    applied = correct(
        vigie.catalogue, vigie.client, vigie.settings, vigie.demands, record_id, action=correction.action, by=user.username,
        demand=correction.demand, level=correction.level, why=correction.why,
    )  # fmt: skip
    return {**asdict(applied.correction), "in_index": applied.in_index}
