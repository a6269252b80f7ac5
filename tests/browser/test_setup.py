"""An organizer sets a process up through the pages only, and axe-core finds nothing on
the set-up pages in English, Spanish and Vietnamese."""

import re

import httpx
from playwright.sync_api import expect
from sqlalchemy import create_engine
from sqlmodel import Session

from app.demo import DEMO_ORGANIZER
from app.models import load_all_models
from app.processes.models import Process
from tests.browser.axe import axe_violations
from tests.browser.conftest import DATABASE_OF, DOCS_SCREENSHOTS

SHOTS = DOCS_SCREENSHOTS
PRACTICE = 2  # the demo's practice process, open for voting


def _organizer(browser, live_server, width=1280, height=900):
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live_server}/station")
    page.get_by_label("Email").fill(DEMO_ORGANIZER)
    page.get_by_label("Password").fill("demo-organizer-2019")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/organize")
    return page


def test_an_organizer_creates_a_process_and_the_pages_pass_axe(live_server, browser, backend):
    page = _organizer(browser, live_server)
    api_calls = []
    page.on("request", lambda r: "/api/" in r.url and api_calls.append(r.url))
    page.get_by_role("link", name="New process").click()
    page.wait_for_url(re.compile(r"/organize/processes/new(\?|$)"))
    page.get_by_label("Name", exact=True).fill("Eastside PB 2027")
    page.get_by_label("Description", exact=True).fill("Decide how to spend $250,000.")
    page.get_by_label("Name in Spanish").fill("PP del Eastside 2027")
    page.get_by_label("Budget", exact=True).fill("lots")
    page.get_by_role("button", name="Create the process").click()
    # Refused: the summary links to the field, what was typed is kept.
    summary = page.locator(".error-summary")
    assert "Write the budget as an amount" in summary.inner_text()
    assert page.get_by_label("Name", exact=True).input_value() == "Eastside PB 2027"
    assert axe_violations(page) == []
    if backend == "sqlite":
        page.screenshot(path=SHOTS / "setup-form-refused.png", full_page=False)
    page.get_by_label("Budget", exact=True).fill("250,000")
    page.locator("#f-closes_date").fill("2027-04-23")
    page.locator("#f-closes_time").fill("20:00")
    page.locator("#f-opens_date").fill("2027-04-02")
    page.locator("#f-opens_time").fill("09:00")
    page.get_by_role("button", name="Create the process").click()
    # The overview (its address names the form instance of its own forms: ?f=…).
    page.wait_for_url(re.compile(r"/organize/processes/\d+(\?|$)"))
    pid = int(re.search(r"/organize/processes/(\d+)", page.url).group(1))
    assert page.get_by_role("heading", level=1).inner_text() == "Eastside PB 2027"
    assert "April 23, 2027, 8:00\u202fPM" in page.inner_text("main")
    # A draft until an organizer publishes it: residents (and the public API) do not see it.
    assert httpx.get(f"{live_server}/api/processes/{pid}").status_code == 404
    load_all_models()
    engine = create_engine(DATABASE_OF[live_server])
    with Session(engine) as session:
        made = session.get(Process, pid)
        assert made.budget_cents == 250_000_00 and made.time_zone == "America/New_York"
        assert made.voting_closes_at.isoformat().startswith("2027-04-24T00:00")
    engine.dispose()
    assert api_calls == []  # pages only
    if backend == "sqlite":
        page.screenshot(path=SHOTS / "setup-overview.png", full_page=True)

    pages = [
        "/organize",
        "/organize/processes/new",
        f"/organize/processes/{pid}",
        f"/organize/processes/{pid}/edit",
        f"/organize/processes/{pid}/phase",
        f"/organize/processes/{PRACTICE}/window",
        "/organize/processes/1/edit",  # rules shown read-only, after design
    ]
    found = {}
    for language in ("en", "es", "vi"):
        for path in pages:
            page.goto(f"{live_server}{path}?lang={language}")
            assert page.locator("html").get_attribute("lang") == language
            if problems := axe_violations(page):
                found[f"{path} {language}"] = problems
    assert found == {}
    if backend == "sqlite":
        page.goto(f"{live_server}/organize/processes/{pid}/edit?lang=en")
        page.screenshot(path=SHOTS / "setup-edit.png", full_page=False)
        page.goto(f"{live_server}/organize?lang=en")
        page.screenshot(path=SHOTS / "setup-organize.png", full_page=True)


def test_the_window_moves_and_residents_read_why(live_server, browser, backend):
    page = _organizer(browser, live_server)
    page.goto(f"{live_server}/organize/processes/{PRACTICE}")
    assert "America/New_York" in page.inner_text("main")  # the demo is in Rochester, NY
    page.get_by_role("link", name="Extend or shorten the voting window").click()
    page.locator("#f-closes_date").fill("2099-06-30")
    page.locator("#f-closes_time").fill("20:00")
    page.get_by_label("Why (shown to residents)").fill("The library asked for one more week.")
    page.get_by_role("button", name="Move the closing time").click()
    expect(page.locator("[role=status]")).to_contain_text(
        "Voting now closes June 30, 2099, 8:00\u202fPM."
    )
    assert axe_violations(page) == []
    if backend == "sqlite":
        page.screenshot(path=SHOTS / "setup-window.png", full_page=True)
    resident = browser.new_context(viewport={"width": 375, "height": 800}).new_page()
    resident.goto(f"{live_server}/processes/{PRACTICE}")
    notice = resident.locator(".notice").first.inner_text()
    assert notice == (
        "Voting was extended to June 30, 2099, 8:00\u202fPM: The library asked for one more week."
    )
    assert axe_violations(resident) == []
    if backend == "sqlite":
        resident.screenshot(path=SHOTS / "setup-process-extended-375.png", full_page=True)
