"""The web app through HTTP, on the real node with the sample corpus: pages,
exports, the JSON API, and its reading and writing rules."""

import re

import pytest
from fastapi.testclient import TestClient

from tests.conftest import HOSTILE_LABEL, PASSWORD

pytestmark = [pytest.mark.es, pytest.mark.prefect]


@pytest.fixture(scope="module")
def app(web_site):
    from web.app import create_app

    return create_app(web_site)


def browser(app) -> TestClient:
    """A visitor with its own cookies, never following redirects by itself."""
    return TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)


def csrf_of(page) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def signed_in(app, username: str = "camille") -> TestClient:
    client = browser(app)
    form = client.get("/login")
    answer = client.post("/login", data={"csrf": csrf_of(form), "username": username, "password": PASSWORD, "next": "/"})
    assert answer.status_code == 303, answer.text
    return client


def test_a_phrase_search_shows_cited_highlighted_hits_and_facets(app) -> None:
    page = browser(app).get("/search", params={"q": '"centre de santé"'})
    assert page.status_code == 200
    assert "Moulins en commun" in page.text
    assert "<mark>centre</mark> de <mark>santé</mark>" in page.text
    assert re.search(r'href="/documents/[^"#]+#page=\d"', page.text)
    assert 'data-facet="departement"' in page.text and 'data-facet="commune"' in page.text


def test_a_facet_link_narrows_the_search_and_the_url_holds_the_state(app) -> None:
    client = browser(app)
    everything = client.get("/search", params={"q": "logements"})
    link = re.search(r'href="/search\?([^"]*departement=62[^"]*)"', everything.text).group(1).replace("&amp;", "&")
    narrowed = client.get(f"/search?{link}")
    assert narrowed.status_code == 200
    assert "Moulins" not in re.sub(r'<aside class="facets">.*?</aside>', "", narrowed.text, flags=re.S)
    assert "Val-de-Sorvigny" in narrowed.text


def test_a_hit_opens_the_archived_document(app) -> None:
    client = browser(app)
    page = client.get("/search", params={"q": '"centre de santé"'})
    href = re.search(r'href="(/documents/[^"#]+)#page=\d"', page.text).group(1)
    document = client.get(href)
    assert document.status_code == 200
    assert document.headers["content-type"] == "application/pdf"
    assert document.content.startswith(b"%PDF")


def test_a_list_page_shows_its_scorecard_and_versions(app, web_site) -> None:
    page = browser(app).get("/lists/59698-1")
    assert page.status_code == 200
    assert page.text.count("data-demand=") == 14
    assert re.search(r'data-demand="D07">\s*<th>D07[^<]*</th>\s*<td><span class="cell commitment">engagement', page.text)
    assert "version 1" in page.text
    assert re.search(r'href="/documents/59698-1-[0-9a-f]{16}#page=2"', page.text)  # the quotation's own document and page


def test_a_commune_page_shows_its_lists_side_by_side_with_results(app) -> None:
    page = browser(app).get("/communes/62991")
    assert page.status_code == 200
    assert page.text.count("<tr data-list=") == 2
    assert "élue" in page.text  # Sorvigny solidaire won in the first round


def test_the_overview_shows_coverage_per_demand_and_departement(app) -> None:
    page = browser(app).get("/")
    assert page.status_code == 200
    assert page.text.count("<meter") == 14
    assert re.search(r"<tr><th>62</th><td class=\"number\">2</td>", page.text)


def test_programme_text_and_labels_show_as_text_never_as_markup(app) -> None:
    client = browser(app)
    for page in (client.get("/search", params={"q": "Essai-sur-Mer"}), client.get("/lists/59999-1"), client.get("/communes/59999")):
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "<b>Liste</b>" not in page.text
        assert "&lt;script&gt;alert(" in page.text


def test_exports_come_as_csv_for_spreadsheets_and_json(app) -> None:
    client = browser(app)
    csv_export = client.get("/export/search.csv", params={"demand": "D07"})
    assert csv_export.status_code == 200 and csv_export.text.startswith("\ufefflist,commune,page")
    scorecards = client.get("/export/scorecards.json", params={"commune": "59698"}).json()
    assert len(scorecards) == 3 * 14
    assert client.get("/report/59698.pdf").content.startswith(b"%PDF")


def test_pages_carry_security_headers(app) -> None:
    page = browser(app).get("/search")
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'self' only
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"


def write_routes(app) -> list[str]:
    """Every route that is not a read, with its parameters filled in."""
    routes = []
    for route in app.router.routes:  # routers are included as a whole: look inside
        routes += getattr(getattr(route, "original_router", None), "routes", [route])
    return [
        re.sub(r"\{[^}]+\}", "x", route.path)
        for route in routes
        if getattr(route, "methods", None) and not route.methods <= {"GET", "HEAD"}
    ]


def test_every_write_route_refuses_anonymous_requests(app) -> None:
    routes = write_routes(app)
    assert len(routes) >= 7  # login, logout, elected, item, admin ×2, API event
    client = browser(app)
    for path in routes:
        if path == "/login":
            continue
        answer = client.post(path, data={"csrf": "x"}) if not path.startswith("/api/") else client.post(path, json={"expected_revision": 0, "note": "n"})
        assert answer.status_code == 401, path


def test_every_write_route_refuses_a_session_without_the_csrf_token(app) -> None:
    client = signed_in(app, "dominique")
    for path in write_routes(app):
        if path == "/login":
            answer = client.post(path, data={"username": "dominique", "password": PASSWORD})
        elif path.startswith("/api/"):
            answer = client.post(path, json={"expected_revision": 0, "note": "n"})
        else:
            answer = client.post(path, data={"csrf": "pas le bon"})
        assert answer.status_code == 403, path


def test_an_editor_cannot_manage_accounts(app) -> None:
    client = signed_in(app, "camille")
    page = client.get("/")
    assert client.get("/admin/users").status_code == 403
    created = client.post("/admin/users", data={"csrf": csrf_of(page), "username": "intrus", "password": PASSWORD, "role": "admin"})
    assert created.status_code == 403
    admin = signed_in(app, "dominique")
    assert "intrus" not in admin.get("/admin/users").text


def test_repeated_wrong_passwords_are_throttled(app) -> None:
    client = browser(app)
    for _ in range(5):
        form = client.get("/login")
        assert client.post("/login", data={"csrf": csrf_of(form), "username": "personne", "password": "faux"}).status_code == 401
    form = client.get("/login")
    assert client.post("/login", data={"csrf": csrf_of(form), "username": "personne", "password": "faux"}).status_code == 429


def test_login_never_redirects_off_site(app) -> None:
    client = browser(app)
    form = client.get("/login")
    answer = client.post("/login", data={"csrf": csrf_of(form), "username": "camille", "password": PASSWORD, "next": "//evil.example/x"})
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_a_follow_up_change_is_recorded_with_its_evidence_and_history(app) -> None:
    client = signed_in(app, "camille")
    page = client.get("/followup/62991")
    assert "Sorvigny solidaire" in page.text  # elected from the imported results
    marked = client.post("/followup/62991/elected", data={"csrf": csrf_of(page), "list_key": "62991-1", "why": "résultats du premier tour"})
    assert marked.status_code == 303
    items = client.get("/followup/62991")
    item_path = re.search(r'href="(/followup/items/[^"]+)"', items.text).group(1)
    item = client.get(item_path)
    changed = client.post(item_path, data={
        "csrf": csrf_of(item), "revision": "0", "status": "in progress", "why": "délibération du 12 mars",
        "evidence_url": "https://www.exemple.fr/deliberation-12-mars.pdf", "evidence_title": "Délibération du 12 mars",
    })  # fmt: skip
    assert changed.status_code == 303
    history = client.get(item_path)
    assert '<strong id="status">in progress</strong>' in history.text
    assert "camille" in history.text and "not started → <strong>in progress</strong>" in history.text
    assert 'href="https://www.exemple.fr/deliberation-12-mars.pdf"' in history.text

    stale = client.post(item_path, data={"csrf": csrf_of(item), "revision": "0", "status": "kept"})
    assert stale.status_code == 409
    assert "someone else changed this item" in stale.text


def test_the_api_writes_with_a_token_and_describes_itself(app, web_site) -> None:
    from storage.catalogue import Catalogue
    from tracking.accounts import new_api_token

    editor = signed_in(app, "camille")
    page = editor.get("/followup/62991")
    editor.post("/followup/62991/elected", data={"csrf": csrf_of(page), "list_key": "62991-1", "why": "résultats"})  # idempotent
    token = new_api_token(Catalogue(web_site.catalogue), "camille")
    client = browser(app)
    item = client.get("/api/followup/62991").json()["items"][0]
    url = f"/api/followup/items/{item['item_id']}/events"
    body = {"expected_revision": item["revision"], "note": "Budget voté.", "evidence": [{"title": "Budget 2027", "url": "https://www.exemple.fr/budget"}]}
    assert client.post(url, json=body).status_code == 401
    assert client.post(url, json=body, headers={"Authorization": "Bearer faux"}).status_code == 401
    written = client.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
    assert written.status_code == 201, written.text
    assert written.json()["revision"] == item["revision"] + 1
    spec = client.get("/api/openapi.json").json()
    assert "/api/search" in spec["paths"] and "/api/followup/items/{item_id}/events" in spec["paths"]
    hits = client.get("/api/search", params={"q": "crèche"}).json()
    assert hits["total"] > 0 and all("record_id" in hit for hit in hits["hits"])


def test_an_editor_corrects_a_mention_from_a_search_hit(app) -> None:
    client = signed_in(app, "camille")
    hits = client.get("/search", params={"q": "centre de santé", "demand": "D07", "commune": "Essai-sur-Mer"})
    mention_path = re.search(r'<a class="correct" href="(/mentions/[^"]+)">corriger</a>', hits.text).group(1)
    page = client.get(mention_path)
    assert '<strong id="level">engagement</strong>' in page.text
    done = client.post(mention_path, data={"csrf": csrf_of(page), "action": "change", "demand": "D07", "level": "mention", "why": "simple souhait"})
    assert done.status_code == 303
    after = client.get(mention_path)
    assert '<strong id="level">mention</strong>' in after.text and "camille : change" in after.text
    card = client.get("/lists/59999-1")
    assert re.search(r'data-demand="D07">\s*<th>D07[^<]*</th>\s*<td><span class="cell mention">', card.text)
    anonymous = browser(app).post(mention_path, data={"action": "reject"})
    assert anonymous.status_code == 401


def test_a_document_attached_as_evidence_becomes_searchable_but_never_counts_in_scorecards(app, web_site) -> None:
    from flows.pipeline import RunSummary, process
    from tests.factories import make_pdf

    client = signed_in(app, "camille")
    page = client.get("/followup/62991")
    client.post("/followup/62991/elected", data={"csrf": csrf_of(page), "list_key": "62991-1", "why": "résultats"})
    item_path = re.search(r'href="(/followup/items/[^"]+)"', client.get("/followup/62991").text).group(1)
    item = client.get(item_path)
    revision = re.search(r'name="revision" value="(\d+)"', item.text).group(1)
    before = client.get("/api/lists/62991-1/scorecard").json()
    deliberation = make_pdf(web_site.data_dir.parent / "deliberation.pdf", [["Délibération : le conseil vote la rénovation de la piscine Jean-Zay."]])
    answer = client.post(
        item_path, data={"csrf": csrf_of(item), "revision": revision, "note": "Délibération jointe."},
        files={"evidence_file": ("délibération du 12 mars.pdf", deliberation.read_bytes(), "application/pdf")},
    )  # fmt: skip
    assert answer.status_code == 303, answer.text
    history = client.get(item_path).text
    document = re.search(r'<a href="(/documents/62991-1-[0-9a-f]{16})">délibération du 12 mars.pdf</a>', history).group(1)
    assert client.get(document).content.startswith(b"%PDF")

    assert process(web_site, summary=RunSummary()).failures == []
    found = client.get("/search", params={"q": "piscine Jean-Zay"})
    assert "preuve de suivi" in found.text
    assert client.get("/api/lists/62991-1/scorecard").json() == before

    bogus = client.post(
        item_path, data={"csrf": csrf_of(item), "revision": str(int(revision) + 1), "note": "x"},
        files={"evidence_file": ("x.exe", b"MZ\x90\x00binaire", "application/octet-stream")},
    )  # fmt: skip
    assert bogus.status_code == 400 and "cannot be read" in bogus.text


def test_reading_can_be_closed_to_visitors_without_an_account(web_site) -> None:
    from web.app import create_app

    closed = create_app(web_site.model_copy(update={"web_public": False}))
    visitor = browser(closed)
    assert visitor.get("/search", params={"q": "santé"}).status_code == 303
    assert visitor.get("/api/search", params={"q": "santé"}).status_code == 401
    assert visitor.get("/login").status_code == 200
    member = signed_in(closed, "camille")
    assert member.get("/search", params={"q": "santé"}).status_code == 200


def test_a_bad_search_is_answered_400_with_what_to_fix(app) -> None:
    client = browser(app)
    page = client.get("/search", params={"q": "santé", "sort": "alphabet"})
    assert page.status_code == 400 and "search, sort: sort by one of" in page.text
    api = client.get("/api/search", params={"q": "santé", "after": "pas-un-curseur"})
    assert api.status_code == 400 and api.json() == {"error": "search, after: not a cursor given by a previous search"}


def test_the_command_line_and_the_api_give_the_same_json_for_the_same_object(app, web_site) -> None:
    import json

    from typer.testing import CliRunner

    from cli import app as vigie

    env = {"VIGIE_ES_URL": web_site.es_url, "VIGIE_INDEX_PREFIX": web_site.index_prefix, "VIGIE_DATA_DIR": str(web_site.data_dir)}

    def cli(*args: str):
        ran = CliRunner().invoke(vigie, [*args, "--json"], env=env)
        assert ran.exit_code == 0, ran.output
        return json.loads(ran.stdout)

    visitor = browser(app)
    searched = visitor.get("/api/search", params={"q": '"centre de santé"', "size": 5}).json()
    assert searched["hits"] and cli("search", '"centre de santé"', "--limit", "5") == searched
    assert {"score", "record_id", "list_key", "fragments", "archive"} <= set(searched["hits"][0])
    mentions = visitor.get("/api/search", params={"demand": "D07", "level": "commitment", "size": 3}).json()
    assert mentions["hits"] and cli("search", "--demand", "D07", "--level", "commitment", "--limit", "3") == mentions
    cards = visitor.get("/api/communes/Moulins-sur-Lys/scorecards").json()["scorecards"]
    assert cards and cli("scorecard", "--commune", "Moulins-sur-Lys") == cards
    coverage = visitor.get("/api/coverage").json()["coverage"]
    assert len(coverage) == 14 and cli("scorecard") == coverage
