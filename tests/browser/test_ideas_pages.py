"""Organizers type in paper idea forms by keyboard only; the idea, ranking, proposal editor
and review pages pass axe (WCAG 2.2 AA) in English, Spanish and Vietnamese."""

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_violations as violations
from tests.browser.conftest import DOCS_SCREENSHOTS

REPO = Path(__file__).resolve().parents[2]
SHOTS = DOCS_SCREENSHOTS
PASSWORD = "demo-organizer-2019"


def api_process(base: str, *, phase: str, ideas: int = 0) -> tuple[int, int]:
    """A new en/es/vi process with one idea event, moved to `phase` through the API (set-up
    only; the pages under test are the browser's). Returns (process id, event id)."""
    from app.demo import DEMO_ORGANIZER

    with httpx.Client(base_url=base, timeout=60) as api:
        token = api.post(
            "/api/auth/token", json={"email": DEMO_ORGANIZER, "password": PASSWORD}
        ).json()["access_token"]
        api.headers["Authorization"] = f"Bearer {token}"
        body = {
            "name": "Eastside PB 2027",
            "budget_cents": 150_000_00,
            "languages": ["en", "es", "vi"],
        }
        pid = api.post("/api/processes", json=body).json()["id"]
        api.post(f"/api/processes/{pid}/publish").raise_for_status()
        event = api.post(
            f"/api/processes/{pid}/sites",
            json={"name": "Kickoff at the library", "kind": "event", "address": "115 South Ave"},
        ).json()["id"]
        order = ["idea_collection", "proposal_development"]
        for step in order[: order.index(phase) + 1]:
            if step == "proposal_development":
                for n in range(ideas):
                    api.post(
                        f"/api/processes/{pid}/ideas",
                        json={
                            "title": f"Benches at stop {n + 1}",
                            "description": "Shade and a bench.",
                            "site_id": event,
                            "language": ["en", "es", "vi"][n % 3],
                        },
                    ).raise_for_status()
            r = api.post(f"/api/processes/{pid}/transitions", json={"to": step, "reason": "Test"})
            r.raise_for_status()
    return pid, event


@pytest.fixture
def organizer_page(browser, live_server):
    from app.demo import DEMO_ORGANIZER

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/station")
    page.get_by_label("Email").fill(DEMO_ORGANIZER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url("**/organize")
    yield page
    context.close()


def test_three_paper_ideas_typed_by_keyboard_only(live_server, organizer_page):
    page = organizer_page
    pid, event = api_process(live_server, phase="idea_collection")
    page.goto(f"{live_server}/organize/processes/{pid}/ideas/paper")
    # The cursor starts in the title; the event and the form's language above it are
    # chosen once, by keyboard (Shift+Tab back to them, an arrow to choose).
    page.wait_for_function("document.activeElement && document.activeElement.id === 'title'")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowDown")  # the language: Español
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowDown")  # the event: Kickoff at the library
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    for n in range(1, 4):
        page.wait_for_function("document.activeElement && document.activeElement.id === 'title'")
        page.keyboard.type(f"Bancas en la parada {n}")
        page.keyboard.press("Tab")
        page.keyboard.type("Bancas y sombra en la parada del autobús.")
        page.keyboard.press("Tab")  # category
        page.keyboard.press("Tab")  # neighborhood
        page.keyboard.type("Marketview Heights")
        page.keyboard.press("Tab")  # name
        page.keyboard.type(f"Vecina {n}")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        status = page.get_by_role("status").inner_text()
        assert f"({n} from this event so far)" in status, status
    assert page.locator("#event").input_value() == str(event)
    assert page.locator("#language").input_value() == "es"
    page.wait_for_function("document.activeElement && document.activeElement.id === 'title'")
    assert violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "ideas-paper.png")

    page.goto(f"{live_server}/organize/processes/{pid}/ideas?language=es")
    assert page.locator("tbody tr").count() == 3
    assert "3 ideas: 3 visible" in page.locator(".meta").first.inner_text()


@pytest.mark.parametrize("lang", ["en", "es", "vi"])
def test_idea_and_proposal_pages_pass_axe(live_server, organizer_page, lang):
    page = organizer_page
    collecting, _ = api_process(live_server, phase="idea_collection")
    developing, _ = api_process(live_server, phase="proposal_development", ideas=3)
    page.goto(f"{live_server}/organize?lang={lang}")  # the language sticks in a cookie
    pages = [
        f"/organize/processes/{collecting}/ideas",
        f"/organize/processes/{collecting}/ideas/paper",
        "/organize/processes/1/ideas?status=visible",
        f"/delegate/processes/{developing}/ranking",
        f"/delegate/processes/{developing}/proposals/new?idea=1",
        "/delegate/proposals/1",
        "/organize/processes/1/proposals",
        f"/organize/processes/{developing}/proposals",
    ]
    found = {}
    for path in pages:
        page.goto(live_server + path)
        assert page.locator("html").get_attribute("lang") == lang
        if problems := violations(page):
            found[path] = problems
    assert found == {}


def test_a_proposal_from_the_ranking_to_the_review(live_server, organizer_page):
    page = organizer_page
    pid, _ = api_process(live_server, phase="proposal_development", ideas=3)
    page.goto(f"{live_server}/delegate/processes/{pid}/ranking")
    page.locator("input[name=idea]").nth(0).check()
    page.locator("input[name=idea]").nth(1).check()
    page.get_by_role("button", name="Write a proposal from the ticked ideas").click()
    page.get_by_label("Title", exact=True).first.fill("Benches and shade at the stops")
    page.get_by_label("Summary", exact=True).first.fill("Twelve benches with shade.")
    page.get_by_label("Line 1: what it pays for").fill("Benches")
    page.get_by_label("Line 1: amount").fill("12,000")
    page.get_by_label("Line 2: what it pays for").fill("Shade structures")
    page.get_by_label("Line 2: amount").fill("8000.50")
    page.locator("#equity_benefits").fill("Riders who wait in the sun, many of them older.")
    page.locator("#tr_es_title").fill("Bancas y sombra en las paradas")
    page.locator("#tr_es_summary").fill("Doce bancas con sombra.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert "Saved." in page.get_by_role("status").inner_text()
    assert "$20,000.50" in page.locator("tfoot").inner_text()
    # The English summary changes after the Spanish was written: Spanish is flagged.
    page.get_by_label("Summary", exact=True).first.fill("Twelve benches with shade and bins.")
    with page.expect_navigation():  # the page before has the same fieldset
        page.get_by_role("button", name="Save", exact=True).click()
    spanish = page.locator("fieldset.translation").first
    assert "changed after this Spanish translation" in spanish.inner_text()
    page.evaluate("document.querySelector('fieldset.translation').scrollIntoView()")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "ideas-proposal-editor.png", full_page=False)
    page.goto(f"{live_server}/organize/processes/{pid}/proposals")
    assert "Missing: VI" in page.locator("section.card").first.inner_text()
    page.get_by_role("button", name="Approve").first.click()
    expect(page.get_by_role("alert")).to_contain_text("needs a translation into vi")
    page.screenshot(path=SHOTS / "ideas-review.png")
    page.goto(f"{live_server}/organize/processes/1/ideas")
    page.screenshot(path=SHOTS / "ideas-list.png")
