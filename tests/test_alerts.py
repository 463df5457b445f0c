"""Saved searches and alerts: new hits after a run, reported once, delivered by
e-mail to a local SMTP server and to a local webhook receiver (127.0.0.1)."""

import hashlib
import hmac
import json

import pytest

from config.errors import ConfigError
from config.settings import load_settings
from tracking.alerts import Alert, SavedSearch, message_text, run_alerts, save_search, take_report, validate
from storage.catalogue import Catalogue
from flows.pipeline import programme_pipeline
from index.client import connect
from index.search import SearchRequest
from tests.factories import make_pdf, make_sources
from tests.httpserver import ProgrammeServer
from tests.mailserver import MailServer

HEALTH = "Nous créerons un centre de santé municipal avec des médecins salariés."
NEW_HEALTH = "Nous ouvrirons un second centre de santé municipal dans le quartier de la gare."
HEALTH_COMMITMENTS = SearchRequest(demand="D07", level="commitment")


def alert_settings(es_settings, mail: MailServer | None = None, **more):
    return load_settings(
        data_dir=es_settings.data_dir, es_url=es_settings.es_url, index_prefix=es_settings.index_prefix,
        fetch_allow_private=True, smtp_host="127.0.0.1" if mail else None, smtp_port=mail.port if mail else 587,
        smtp_starttls=False, **more,
    )  # fmt: skip


def programmes(tmp_path, *texts: str):
    """A sources file with one list per text, each a one-page programme."""
    rows = []
    for number, text in enumerate(texts, start=1):
        make_pdf(tmp_path / f"programme-{number}.pdf", [[text]])
        rows.append({"list_label": f"Liste {number}", "source": f"programme-{number}.pdf"})
    return make_sources(tmp_path / "sources.csv", rows)


@pytest.mark.es
@pytest.mark.prefect
def test_a_new_commitment_is_alerted_once_by_email_and_by_webhook(es_settings, tmp_path, prefect_harness) -> None:
    with MailServer() as mail, ProgrammeServer() as receiver:
        settings = alert_settings(es_settings, mail, webhook_secret="un secret")
        programme_pipeline(sources_file=programmes(tmp_path, HEALTH), settings=settings)
        catalogue = Catalogue(settings.catalogue)
        search = SavedSearch("santé", HEALTH_COMMITMENTS, email="veille@exemple.org", webhook=f"{receiver.url}/alertes")
        assert save_search(catalogue, connect(settings), settings, search) == 1  # today's hit is the baseline

        run = programme_pipeline(sources_file=programmes(tmp_path, HEALTH, NEW_HEALTH), settings=settings)
        assert run.failures == [] and run.alerts == 1

        [message] = mail.messages
        assert message["To"] == "veille@exemple.org"
        assert message["Subject"] == "Vigie : 1 nouveau résultat pour « santé »"
        body = message.get_content()
        assert "Liste 2 (Essai-sur-Mer), page 1 — D07 commitment" in body and "Liste 1" not in body

        [(path, headers, raw, status)] = receiver.state.posted
        assert (path, status) == ("/alertes", 204)
        payload = json.loads(raw)
        assert [hit["list"] for hit in payload["hits"]] == ["Liste 2"]
        assert payload["request"]["demand"] == "D07"
        expected = hmac.new(b"un secret", raw, hashlib.sha256).hexdigest()
        assert headers["X-Vigie-Signature"] == f"sha256={expected}"

        again = programme_pipeline(sources_file=programmes(tmp_path, HEALTH, NEW_HEALTH), settings=settings)
        assert again.alerts == 0 and len(mail.messages) == 1 and len(receiver.state.posted) == 1

        [shown] = take_report(catalogue)
        assert [hit["list"] for hit in shown.hits] == ["Liste 2"]
        assert take_report(catalogue) == []  # each new hit is shown once


@pytest.mark.es
@pytest.mark.prefect
def test_a_failed_delivery_is_retried_and_never_sent_twice(es_settings, tmp_path, prefect_harness) -> None:
    with ProgrammeServer() as receiver:
        settings = alert_settings(es_settings)  # no SMTP server configured
        programme_pipeline(sources_file=programmes(tmp_path, HEALTH), settings=settings)
        catalogue = Catalogue(settings.catalogue)
        webhook = f"{receiver.url}/hook"
        save_search(catalogue, connect(settings), settings, SavedSearch("santé", HEALTH_COMMITMENTS, email="veille@exemple.org", webhook=webhook))
        receiver.state.post_failures = [503]

        run = programme_pipeline(sources_file=programmes(tmp_path, HEALTH, NEW_HEALTH), settings=settings)
        failures = "\n".join(run.failures)
        assert f"alert delivery to {webhook}: the receiver answered HTTP 503" in failures
        assert "alert delivery to veille@exemple.org: no SMTP server; set VIGIE_SMTP_HOST" in failures

        retry = run_alerts(catalogue, connect(settings), settings, check=False)
        assert retry.delivered["webhook"] == 1
        assert [status for *_, status in receiver.state.posted] == [503, 204]
        assert run_alerts(catalogue, connect(settings), settings, check=False).delivered["webhook"] == 0
        with MailServer() as mail:
            delivered = run_alerts(catalogue, connect(settings), alert_settings(es_settings, mail), check=False)
            assert delivered.failures == [] and len(mail.messages) == 1  # the e-mail waited for its server


@pytest.mark.es
def test_a_search_that_changes_is_a_new_baseline(es_client, es_settings) -> None:
    catalogue = Catalogue(es_settings.catalogue)
    settings = alert_settings(es_settings)
    assert save_search(catalogue, es_client, settings, SavedSearch("eau", SearchRequest(query="régie"))) == 0
    assert save_search(catalogue, es_client, settings, SavedSearch("eau", SearchRequest(query="eau potable"))) == 0
    from tracking.alerts import saved

    assert [s.request.query for s in saved(catalogue)] == ["eau potable"]


@pytest.mark.parametrize(
    ("search", "field"),
    [
        (SavedSearch("ligne\nBcc: x@y.z", SearchRequest()), "NAME"),
        (SavedSearch("ok", SearchRequest(), email="pas une adresse"), "--email"),
        (SavedSearch("ok", SearchRequest(), webhook="file:///etc/passwd"), "--webhook"),
        (SavedSearch("ok", SearchRequest(), webhook="http://10.1.2.3/hook"), "--webhook"),
        (SavedSearch("ok", SearchRequest(), webhook="http://127.0.0.1:8080/hook"), "--webhook"),
    ],
)
def test_a_search_that_could_not_be_delivered_safely_is_refused(search, field, tmp_path) -> None:
    with pytest.raises(ConfigError) as refused:
        validate(search, load_settings(data_dir=tmp_path))
    assert refused.value.field == field


def test_the_alert_text_is_french_and_cites_list_page_and_file() -> None:
    hit = {"record_id": "x", "list": "Liste 2", "commune": "Essai-sur-Mer", "page": 3, "demand": "D07", "level": "commitment",
           "fragment": "un [centre] de [santé]", "archive": "/archive/ab/abc.pdf#page=3"}  # fmt: skip
    text = message_text(Alert(SavedSearch("santé", HEALTH_COMMITMENTS), (hit,)))
    assert text.startswith("Recherche enregistrée « santé » (demand=D07 level=commitment) :")
    assert "- Liste 2 (Essai-sur-Mer), page 3 — D07 commitment : un [centre] de [santé]\n  /archive/ab/abc.pdf#page=3" in text
