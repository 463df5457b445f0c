"""Saved searches and alerts: the hits of a saved search that are new since the
last check, reported by `vigie alerts` and delivered by e-mail or webhook.

A hit is new when its record id was never seen for that search. Record ids
derive from content (document version, page, offsets, demand), so re-indexing
or re-detecting the same programme alerts nobody; a new or changed programme
does. The hits present when a search is saved are its baseline, never alerted.

Every new hit is stored with what a message needs, so delivery does not need
the index, and each channel (terminal report, e-mail, webhook) marks the hits
it delivered: a failed delivery is retried at the next run, and nothing is
sent twice on a channel that succeeded.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import smtplib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from email.message import EmailMessage

import httpx
from elasticsearch import Elasticsearch

from config.errors import ConfigError, DeliveryError, FetchError, VigieError
from config.settings import Settings
from storage import alerts as stored
from storage.catalogue import Catalogue
from collect.fetch import check_url
from index.exports import hit_row
from index.search import SearchRequest, hits_by_id, matching_ids


CHANNELS = {"report": "shown_at", "email": "emailed_at", "webhook": "posted_at"}
MAX_HITS_PER_MESSAGE = 200
_NAME = re.compile(r"^[\w][\w .,'’()-]{0,79}$")
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
_REQUEST_FIELDS = ("query", "commune", "departement", "nuance", "demand", "level", "all_versions")


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class SavedSearch:
    name: str
    request: SearchRequest
    email: str | None = None
    webhook: str | None = None

    def describe(self) -> str:
        parts = [f'"{self.request.query}"'] if self.request.query else []
        parts += [f"{name}={value}" for name in _REQUEST_FIELDS[1:-1] if (value := getattr(self.request, name))]
        return " ".join(parts) or "everything"


def validate(saved: SavedSearch, settings: Settings) -> None:
    """A clear error for a name, an address or a webhook a message could not carry."""
    if not _NAME.match(saved.name):
        raise ConfigError(
            "a saved search's name is 1 to 80 letters, digits, spaces or .,'()- and starts with a letter or digit",
            source="vigie alerts save", field="NAME",
        )  # fmt: skip
    if saved.email is not None and not _EMAIL.match(saved.email):
        raise ConfigError(f"{saved.email!r} is not an e-mail address", source="vigie alerts save", field="--email")
    if saved.webhook is not None:
        try:
            check_url(saved.webhook, allow_private=settings.fetch_allow_private)
        except FetchError as exc:
            raise ConfigError(str(exc), source="vigie alerts save", field="--webhook") from exc


def save_search(catalogue: Catalogue, client: Elasticsearch, settings: Settings, saved: SavedSearch) -> int:
    """Save (or replace) a search; the hits it has now are its baseline. Returns their number."""
    validate(saved, settings)
    baseline = matching_ids(client, settings.index_prefix, saved.request)
    request = {name: getattr(saved.request, name) for name in _REQUEST_FIELDS}
    stored.replace_saved_search(
        catalogue, name=saved.name, request=request, email=saved.email, webhook=saved.webhook, baseline=baseline, now=_now()
    )
    return len(baseline)


def saved(catalogue: Catalogue) -> list[SavedSearch]:
    return [
        SavedSearch(row["name"], SearchRequest(**row["request"]), row["email"], row["webhook"])
        for row in stored.saved_search_rows(catalogue)
    ]


def remove_search(catalogue: Catalogue, name: str) -> bool:
    return stored.delete_saved_search(catalogue, name)


def check_searches(catalogue: Catalogue, client: Elasticsearch, prefix: str) -> dict[str, int]:
    """Record the hits of every saved search not seen before; returns how many per search."""
    found: dict[str, int] = {}
    for search in saved(catalogue):
        now = _now()
        ids = matching_ids(client, prefix, search.request)
        new = sorted(ids - stored.seen_record_ids(catalogue, search.name))
        hits = hits_by_id(client, prefix, search.request, new) if new else []
        stored.record_check(catalogue, search.name, [{"record_id": hit.record_id, **hit_row(hit)} for hit in hits], now)
        found[search.name] = len(hits)
    return found


@dataclass(frozen=True)
class Alert:
    search: SavedSearch
    hits: tuple[dict, ...]
    """Rows as in search exports, with the record id; oldest first."""


def pending(catalogue: Catalogue, channel: str) -> list[Alert]:
    """The new hits not yet delivered on `channel` (report, email or webhook), per search."""
    column = CHANNELS[channel]
    alerts = []
    for search in saved(catalogue):
        if (channel == "email" and not search.email) or (channel == "webhook" and not search.webhook):
            continue
        hits = tuple(stored.undelivered_hits(catalogue, search.name, column))
        if hits:
            alerts.append(Alert(search, hits))
    return alerts


def mark_delivered(catalogue: Catalogue, alert: Alert, channel: str) -> None:
    """The alert's hits count as delivered on `channel` from now on."""
    ids = [hit["record_id"] for hit in alert.hits]
    stored.mark_hits_delivered(catalogue, alert.search.name, ids, CHANNELS[channel], _now())


def take_report(catalogue: Catalogue) -> list[Alert]:
    """The new hits not yet shown in a terminal report; they count as shown from now on."""
    alerts = pending(catalogue, "report")
    for alert in alerts:
        mark_delivered(catalogue, alert, "report")
    return alerts


def message_text(alert: Alert) -> str:
    """The French text of an alert, for e-mail and terminal."""
    lines = [f"Recherche enregistrée « {alert.search.name} » ({alert.search.describe()}) :", ""]
    for hit in alert.hits[:MAX_HITS_PER_MESSAGE]:
        about = f" — {hit['demand']} {hit['level']}" if hit.get("demand") else ""
        lines.append(f"- {hit['list']} ({hit['commune']}), page {hit['page']}{about} : {hit['fragment']}")
        lines.append(f"  {hit['archive']}")
    if len(alert.hits) > MAX_HITS_PER_MESSAGE:
        lines.append(f"… et {len(alert.hits) - MAX_HITS_PER_MESSAGE} autres : `vigie export search` les donne tous.")
    return "\n".join(lines) + "\n"


def _subject(alert: Alert) -> str:
    n = len(alert.hits)
    return f"Vigie : {n} nouveau{'x' if n > 1 else ''} résultat{'s' if n > 1 else ''} pour « {alert.search.name} »"


def send_email(alert: Alert, settings: Settings) -> None:
    if not settings.smtp_host:
        raise DeliveryError("no SMTP server; set VIGIE_SMTP_HOST (the hits wait until then)", target=str(alert.search.email))
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = str(alert.search.email)
    message["Subject"] = _subject(alert)
    message.set_content(message_text(alert))
    server = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.fetch_timeout_s) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                smtp.login(settings.smtp_user, password)
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"the SMTP server {server} failed ({type(exc).__name__}: {exc}); retried at the next run", target=str(alert.search.email)) from exc


def webhook_body(alert: Alert) -> bytes:
    payload = {
        "search": alert.search.name,
        "request": {name: getattr(alert.search.request, name) for name in _REQUEST_FIELDS},
        "hits": list(alert.hits),
    }
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def post_webhook(alert: Alert, settings: Settings, client: httpx.Client | None = None) -> None:
    url = str(alert.search.webhook)
    try:
        check_url(url, allow_private=settings.fetch_allow_private)
    except FetchError as exc:
        raise DeliveryError(str(exc), target=url) from exc
    body = webhook_body(alert)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Vigie alerts"}
    if settings.webhook_secret:
        digest = hmac.new(settings.webhook_secret.get_secret_value().encode(), body, hashlib.sha256).hexdigest()
        headers["X-Vigie-Signature"] = f"sha256={digest}"
    try:
        # No redirects: a webhook answers where it was registered, nowhere else.
        response = (client or httpx).post(url, content=body, headers=headers, timeout=settings.fetch_timeout_s, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}; retried at the next run", target=url) from exc
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"the receiver answered HTTP {response.status_code}; retried at the next run", target=url)


@dataclass
class AlertRun:
    found: dict[str, int]
    """New hits per saved search."""
    delivered: dict[str, int]
    """Messages sent per channel."""
    failures: list[str]

    def to_json(self) -> dict:
        return asdict(self)


def run_alerts(catalogue: Catalogue, client: Elasticsearch, settings: Settings, *, check: bool = True) -> AlertRun:
    """Check every saved search (unless `check` is false: nothing was indexed),
    then deliver what is pending by e-mail and webhook. One failed delivery
    never stops the others; its hits stay pending for the next run."""
    found = check_searches(catalogue, client, settings.index_prefix) if check else {}
    delivered = {"email": 0, "webhook": 0}
    failures: list[str] = []
    senders = {"email": send_email, "webhook": post_webhook}
    for channel, send in senders.items():
        for alert in pending(catalogue, channel):
            for chunk in _chunks(alert):
                try:
                    send(chunk, settings)
                except VigieError as exc:
                    failures.append(f"alert « {alert.search.name} »: {exc}")
                    break
                mark_delivered(catalogue, chunk, channel)
                delivered[channel] += 1
    return AlertRun(found, delivered, failures)


def _chunks(alert: Alert) -> Sequence[Alert]:
    return [
        Alert(alert.search, alert.hits[start : start + MAX_HITS_PER_MESSAGE])
        for start in range(0, len(alert.hits), MAX_HITS_PER_MESSAGE)
    ]
