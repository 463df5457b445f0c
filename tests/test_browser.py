"""The web app in a real headless Chromium (Debian's, driven by Playwright),
served by uvicorn on 127.0.0.1 over the real node and the sample corpus.

Screenshots of the main pages are saved in build/screenshots/ as artefacts.
Every request the browser makes to another host than 127.0.0.1 is aborted
and fails the test.
"""

import shutil
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import PASSWORD, REPO, free_local_port

pytestmark = [pytest.mark.es, pytest.mark.prefect]
SCREENSHOTS = REPO / "build" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def site(web_site):
    """The base URL of the app, served in a thread for this module."""
    import uvicorn

    from web.app import create_app

    port = free_local_port(8700, 8799)
    server = uvicorn.Server(uvicorn.Config(create_app(web_site), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the web app did not start within 30 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `make setup` (as root it installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    elsewhere: list[str] = []

    def local_only(route) -> None:
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", local_only)
    page = context.new_page()
    yield page
    context.close()
    assert elsewhere == [], f"the page asked for other hosts: {elsewhere}"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_search_narrowed_by_a_facet_and_a_hit_opening_its_document(page, site) -> None:
    page.goto(f"{site}/search?q=logements")
    assert "Val-de-Sorvigny" in page.inner_text("section.results")
    page.click('ul[data-facet="departement"] >> text=62')
    page.wait_for_url("**departement=62**")
    results = page.inner_text("section.results")
    assert "Val-de-Sorvigny" in results and "Moulins" not in results
    screenshot(page, "search")

    link = page.locator("a.doc").first
    href = link.get_attribute("href")
    assert "#page=" in href
    document = page.request.get(site + href.split("#")[0])
    assert document.ok and document.headers["content-type"] == "application/pdf"


def test_a_list_scorecard_and_a_commune_heatmap(page, site) -> None:
    page.goto(f"{site}/lists/59698-1")
    assert page.locator("#scorecard tbody tr").count() == 14
    health = page.locator('#scorecard tr[data-demand="D07"]')
    assert "engagement" in health.inner_text()
    screenshot(page, "scorecard")

    page.goto(f"{site}/communes/59698")
    assert page.locator("#heatmap tbody tr").count() == 3
    assert page.locator("#heatmap td.cell.commitment").count() > 0
    screenshot(page, "commune")

    page.goto(site)
    assert page.locator("#coverage meter").count() == 14
    screenshot(page, "overview")


def test_an_editor_signs_in_changes_a_follow_up_status_with_evidence_and_sees_the_history(page, site) -> None:
    page.goto(f"{site}/followup/59698")
    assert page.locator("form.mark-elected").count() == 0  # reading is open, writing is not
    page.click("text=Se connecter")
    page.fill('input[name="username"]', "camille")
    page.fill('input[name="password"]', PASSWORD)
    page.click('form.login button[type="submit"]')
    page.goto(f"{site}/followup/59698")
    page.select_option('select[name="list_key"]', "59698-1")
    page.fill('input[name="why"]', "résultats du second tour")
    page.click("form.mark-elected button")
    page.wait_for_selector("#items tbody tr")
    page.locator("#items tbody tr a").first.click()
    page.wait_for_selector("#history")

    page.select_option('select[name="status"]', "kept")
    page.fill('input[name="why"]', "centre de santé inauguré")
    page.fill('input[name="evidence_url"]', "https://www.exemple.fr/inauguration")
    page.fill('input[name="evidence_title"]', "Article du journal municipal")
    page.click("form.event button")
    page.wait_for_selector("text=Article du journal municipal")
    assert page.inner_text("#status") == "kept"
    history = page.inner_text("#history")
    assert "camille" in history and "not started → kept" in history and "centre de santé inauguré" in history
    screenshot(page, "followup-item")
