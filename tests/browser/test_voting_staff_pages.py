"""The organizers' voting, paper, results, awards and audit pages in Chromium: each one in
English, Spanish and Vietnamese with nothing axe-core (WCAG 2.2 AA) finds wrong; access
codes made and printed as cards; the chain verified; screenshots for people to look at."""

import re

import httpx
from playwright.sync_api import expect

from tests.browser.axe import axe_violations
from tests.browser.conftest import DOCS_SCREENSHOTS

DOCS = DOCS_SCREENSHOTS
RMAPI, PRACTICE = 1, 2  # the demo: RMAPI in funding, the practice process open for voting
PAGES = [
    f"/organize/processes/{PRACTICE}/codes",
    f"/organize/processes/{PRACTICE}/paper-ballot",
    f"/organize/processes/{PRACTICE}/turnout",
    f"/organize/processes/{PRACTICE}/paper",
    f"/organize/processes/{PRACTICE}/results",
    f"/organize/processes/{RMAPI}/results",
    f"/organize/processes/{RMAPI}/awards",
    f"/organize/processes/{RMAPI}/turnout",
    "/organize/audit",
]


def organizer_page(browser, live_server, width=1280, height=900):
    from app.demo import DEMO_ORGANIZER

    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live_server}/station")
    page.get_by_label("Email").fill(DEMO_ORGANIZER)
    page.get_by_label("Password").fill("demo-organizer-2019")
    page.get_by_label("Password").press("Enter")
    page.wait_for_url("**/organize")
    return page


def test_every_page_passes_axe_in_each_language(live_server, browser):
    page = organizer_page(browser, live_server)
    found = {}
    for lang, path in [(lang, path) for lang in ("en", "es", "vi") for path in PAGES]:
        response = page.goto(f"{live_server}{path}?lang={lang}")
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == lang, path
        if problems := axe_violations(page):
            found[f"{lang} {path}"] = problems
    assert not found, "\n".join(f"{p}: {v}" for p, v in found.items())
    page.context.close()


def test_codes_are_made_and_printed_as_cards(live_server, browser, backend):
    page = organizer_page(browser, live_server)
    page.goto(f"{live_server}/organize/processes/{PRACTICE}/codes?lang=en")
    page.get_by_label("How many codes").fill("14")
    page.get_by_label("Batch label").fill(f"library-{backend}")
    with page.expect_navigation():
        page.get_by_role("button", name="Make the codes and show the cards").click()
    assert page.locator(".cut-card").count() == 14
    assert "only time these codes can be seen" in page.locator(".notice").inner_text()
    codes = page.locator(".card-code code").all_inner_texts()
    assert all(re.fullmatch(r"[A-Z0-9-]{10,}", c) for c in codes)
    assert not axe_violations(page)
    if backend == "sqlite":
        page.screenshot(path=DOCS / "voting-codes-cards.png", full_page=False)
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 794, "height": 1123})  # an A4 sheet at 96 dpi
        page.screenshot(path=DOCS / "voting-codes-printed.png", full_page=False)
        page.emulate_media(media="screen")
    page.goto(f"{live_server}/organize/processes/{PRACTICE}/codes")
    assert f"library-{backend}" in page.locator("table").inner_text()
    assert page.locator(".card-code").count() == 0  # never shown again
    if backend == "sqlite":
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=DOCS / "voting-codes.png", full_page=True)
    page.context.close()


def test_the_paper_ballot_prints_in_vietnamese(live_server, browser, backend):
    page = organizer_page(browser, live_server)
    page.goto(f"{live_server}/organize/processes/{PRACTICE}/paper-ballot?lang=vi")
    assert "Cách đánh dấu lá phiếu này" in page.locator("article").inner_text()
    rows = page.locator("article tbody tr").count()
    assert rows >= 5 and page.locator(".rank-box").count() == rows * 5
    if backend == "sqlite":
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 794, "height": 1123})
        assert not page.locator(".process-tabs").is_visible()
        page.screenshot(path=DOCS / "voting-paper-ballot-printed.png", full_page=True)
    page.context.close()


def test_turnout_results_awards_and_the_audit_chain(live_server, browser, backend):
    page = organizer_page(browser, live_server)
    page.goto(f"{live_server}/organize/processes/{RMAPI}/turnout?lang=en")
    assert page.get_by_role("heading", level=1).inner_text() == "Turnout"
    assert "2,702" in page.locator("tfoot").inner_text()
    if backend == "sqlite":
        page.screenshot(path=DOCS / "voting-turnout.png", full_page=True)
    ballot = httpx.get(f"{live_server}/api/processes/{PRACTICE}/ballot").json()["proposals"]
    cast = httpx.post(
        f"{live_server}/api/processes/{PRACTICE}/ballots",
        json={
            "credential": {
                "identity": {
                    "name": f"Preview Voter {backend}",
                    "birth_date": "1975-03-04",
                    "postal_code": "14605",
                }
            },
            "ranking": [p["proposal_id"] for p in ballot[:2]],
        },
    )
    assert cast.status_code == 201, cast.text
    page.goto(f"{live_server}/organize/processes/{PRACTICE}/results")
    assert "PREVIEW" in page.locator(".preview-banner").inner_text()
    if backend == "sqlite":
        page.screenshot(path=DOCS / "voting-results-preview.png", full_page=False)
    page.goto(f"{live_server}/organize/processes/{RMAPI}/awards")
    assert page.locator("section.card").count() == 5  # RMAPI's five funded projects
    if backend == "sqlite":
        page.screenshot(path=DOCS / "voting-awards.png", full_page=False)
    page.goto(f"{live_server}/organize/audit")
    page.get_by_role("button", name="Verify the chain").click()
    expect(page.get_by_role("status")).to_contain_text("The chain holds")
    if backend == "sqlite":
        page.screenshot(path=DOCS / "voting-audit.png", full_page=False)
    page.context.close()
