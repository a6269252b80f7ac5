"""The organizers' set-up pages in Chromium: sites and poll workers, criteria, staff
accounts, rules, and the printable paper-marking rules; axe finds nothing in en, es, vi."""

import httpx
from playwright.sync_api import expect

from app.demo import DEMO_ORGANIZER
from tests.browser.axe import axe_violations
from tests.browser.conftest import DOCS_SCREENSHOTS

PASSWORD = "demo-organizer-2019"
DOCS = DOCS_SCREENSHOTS
LANGUAGES = ("en", "es", "vi")


def new_design_process(base: str) -> int:
    token = httpx.post(
        f"{base}/api/auth/token", json={"email": DEMO_ORGANIZER, "password": PASSWORD}
    ).json()["access_token"]
    r = httpx.post(
        f"{base}/api/processes",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "name": "Eastside PB 2027",
            "budget_cents": 150_000_00,
            "languages": ["en", "es", "vi"],
            "time_zone": "America/New_York",
        },
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


def organizer_page(browser, base: str, **context):
    """A wide browser tab signed in as the demo's organizer, on /organize."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}, **context).new_page()
    page.goto(f"{base}/station")
    page.get_by_label("Email").fill(DEMO_ORGANIZER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/organize")
    return page


def test_an_organizer_sets_up_sites_criteria_staff_and_rules(live_server, browser):
    pid = new_design_process(live_server)
    page = organizer_page(browser, live_server)

    # A voting site, named in three languages, with local hours, and a poll worker.
    page.goto(f"{live_server}/organize/processes/{pid}/sites")
    new = page.locator("form", has=page.get_by_role("group", name="New site"))
    new.get_by_label("Kind of site").select_option("voting_site")
    new.get_by_label("Name (English)").fill("Central Library")
    new.get_by_label("Name (Español)").fill("Biblioteca Central")
    new.get_by_label("Name (Tiếng Việt)").fill("Thư viện Trung tâm")
    new.get_by_label("Address").fill("115 South Ave")
    new.get_by_label("Neighbourhood").fill("Downtown")
    new.get_by_label("Opens").fill("2027-04-02T09:00")
    new.get_by_label("Closes").fill("2027-04-02T20:00")
    page.get_by_role("button", name="Add the site").click()
    expect(page.get_by_role("status")).to_contain_text("Central Library was added")
    page.get_by_label("Assign a poll worker to Central Library").select_option(index=0)
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("now works at Central Library")
    page.screenshot(path=DOCS / "people-sites.png", full_page=True)

    # A criterion moved to the top, with its Spanish words.
    page.goto(f"{live_server}/organize/processes/{pid}/criteria")
    add = page.locator("form", has=page.get_by_role("group", name="New criterion"))
    add.get_by_label("Criterion (English)").fill("Cost")
    add.get_by_label("Criterion (Español)").fill("Costo")
    add.get_by_label("Weight").fill("2")
    page.get_by_role("button", name="Add the criterion").click()
    expect(page.get_by_role("status")).to_contain_text("Cost was added")
    page.screenshot(path=DOCS / "people-criteria.png", full_page=False)

    # A staff account with a password shown once.
    page.goto(f"{live_server}/organize/staff")
    page.get_by_label("Name").fill("Lan Nguyen")
    page.get_by_label("Email").fill("lan@example.org")
    page.get_by_label("Role").select_option("poll_worker")
    page.get_by_role("button", name="Create the account").click()
    assert page.locator("code.password").inner_text()
    page.screenshot(path=DOCS / "people-staff.png")

    page.goto(f"{live_server}/organize/processes/{pid}/rules")
    page.get_by_label("Ideas one internet address may send an hour").fill("")
    page.get_by_role("button", name="Save the limit").click()
    expect(page.get_by_role("status")).to_contain_text("no longer limited")
    page.screenshot(path=DOCS / "people-rules.png", full_page=True)
    page.get_by_role(
        "link", name="The paper-marking rules as residents read them (printable)"
    ).click()
    assert page.get_by_role("heading", level=1).inner_text() == "How paper ballots are counted"

    # Every page, in every language: nothing for axe to find.
    pages = [
        f"/organize/processes/{pid}/sites",
        f"/organize/processes/{pid}/criteria",
        f"/organize/processes/{pid}/rules",
        "/organize/staff",
        "/organize/processes/1/sites",
        "/organize/processes/1/criteria",
        "/organize/processes/1/rules",
        f"/processes/{pid}/paper-rules",
    ]
    found = {}
    for language in LANGUAGES:
        for path in pages:
            page.goto(f"{live_server}{path}?lang={language}")
            assert page.locator("html").get_attribute("lang") == language
            problems = axe_violations(page)
            if problems:
                found[f"{path} ({language})"] = problems
    assert not found, found


def test_residents_print_the_paper_rules_in_their_language(live_server, page):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server}/processes/1/paper-rules?lang=es")
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Cómo se cuentan las boletas de papel"
    )
    page.screenshot(path=DOCS / "people-paper-rules-es.png", full_page=True)
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible()  # only the rules on paper
    assert page.get_by_role("heading", level=1).is_visible()
