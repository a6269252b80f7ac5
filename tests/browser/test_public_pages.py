"""The public idea board, a proposal's page and the results page on a 375 px phone, in
English, Spanish and Vietnamese: axe finds nothing, nothing is wider than the screen, and
the pages need no JavaScript."""

import re

import httpx
import pytest
from playwright.sync_api import expect

from app.web.i18n import translate
from tests.browser.axe import axe_violations

LANGUAGES = ["en", "es", "vi"]
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def axe_phone(browser):
    """axe runs as a script in the page, so this phone has JavaScript (the pages use none)."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    yield page
    context.close()


def public_pages(base: str) -> list[str]:
    funded = httpx.get(f"{base}/api/processes/1/proposals").json()
    with_equity = next(p["id"] for p in funded if p["equity_assessment"])
    on_ballot = httpx.get(f"{base}/api/processes/2/proposals").json()[0]["id"]
    return [
        "/processes/1/ideas",
        "/processes/1/ideas?page=2",
        "/processes/1/proposals",
        f"/processes/1/proposals/{with_equity}",
        f"/processes/2/proposals/{on_ballot}",  # voting: where and when to vote
        "/processes/1/results",
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_axe_finds_nothing_on_the_public_pages_at_375_px(live_server, axe_phone, language):
    for path in public_pages(live_server):
        separator = "&" if "?" in path else "?"
        axe_phone.goto(f"{live_server}{path}{separator}lang={language}")
        assert axe_phone.locator("html").get_attribute("lang") == language
        assert axe_violations(axe_phone) == [], f"{path} in {language}"
        wide = axe_phone.evaluate("document.documentElement.scrollWidth")
        assert wide <= PHONE["width"], f"{path} in {language} is {wide} px wide"


def test_a_resident_reads_ideas_proposal_and_results_without_javascript(live_server, phone):
    phone.goto(f"{live_server}/processes/1?lang=es")
    phone.get_by_role("link", name=translate("es", "board.title")).click()
    phone.wait_for_url("**/ideas")
    assert phone.get_by_role("heading", level=1).inner_text() == translate("es", "board.title")
    first_event = phone.locator("section.group h2").first.inner_text()
    phone.locator("nav.filters summary").first.click()  # <details>: opens without JavaScript
    phone.get_by_role("link", name=first_event).first.click()
    phone.wait_for_url(re.compile(r"[?&]event="))
    assert phone.locator("section.group").count() == 1

    phone.goto(f"{live_server}/processes/1?lang=vi")
    with phone.expect_navigation():
        phone.get_by_role("link", name=translate("vi", "proposals.title")).click()
    phone.locator("ol.cards h2 a").first.click()
    phone.wait_for_url("**/proposals/*")
    assert phone.get_by_role("heading", name=translate("vi", "proposal.equity")).is_visible()
    idea = phone.locator("#ideas + ul a").first
    target = idea.get_attribute("href").split("#")[1]
    idea.click()
    expect(phone.locator(f"#{target}")).to_be_visible()

    phone.goto(f"{live_server}/processes/1/results?lang=es")
    chart = phone.get_by_role("img", name=translate("es", "results.chart_caption.points"))
    assert chart.is_visible()
    assert phone.locator("figure.chart svg rect").count() == 22  # the demo's 22 proposals
    tie = phone.locator("#tie-break").inner_text()
    assert tie.startswith(translate("es", "results.tie_plain.seeded"))
