"""Turnout equity in a real browser: the residents' survey on a phone and the organizers'
equity page, in English, Spanish and Vietnamese, with axe finding nothing."""

from app.demo import DEMO_ORGANIZER
from app.equity.service import survey_token
from app.web.i18n import translate
from tests.browser.axe import axe_violations
from tests.browser.conftest import server_env

SECRET = server_env("")["PBVOTE_SECRET_KEY"]
PRACTICE = 2  # the demo's practice process, open for voting
LANGUAGES = ["en", "es", "vi"]


def test_the_survey_works_on_a_phone_by_keyboard_in_three_languages(
    live_server, browser, screenshots
):
    page = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    # The invitation a thank-you page would give (the test server's secret signs it).
    address = (
        f"{live_server}/processes/{PRACTICE}/survey/{survey_token(SECRET, PRACTICE, receipt='R-1')}"
    )
    for language in LANGUAGES:
        page.goto(f"{address}?lang={language}")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("input[name=age_band]").count() == 8
        assert axe_violations(page) == [], language
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=screenshots / "equity-survey-vi.png", full_page=True)
    # Keyboard only: from the age question to the neighbourhood and on to send.
    page.locator("input[name=age_band]").first.focus()
    page.keyboard.press("ArrowDown")  # the second age band
    page.keyboard.press("Tab")
    page.keyboard.type("South")  # selects "South Wedge" in the list
    for _ in range(20):  # on past the extra question to the send button
        if page.evaluate("document.activeElement.type") == "submit":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/survey/thanks")
    assert page.locator("h1").inner_text() == "Xin cảm ơn"
    assert axe_violations(page) == []
    # The same invitation cannot answer twice.
    page.goto(address)
    said = translate(page.locator("html").get_attribute("lang"), "survey.from_thanks")
    assert said in page.locator("main").inner_text()  # the survey's page, without the form:
    assert page.locator("input[name=age_band]").count() == 0


def test_the_equity_page_and_the_public_figures_pass_axe(live_server, browser, screenshots):
    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    desk.goto(f"{live_server}/station")
    desk.get_by_label("Email").fill(DEMO_ORGANIZER)
    desk.get_by_label("Password").fill("demo-organizer-2019")
    desk.get_by_role("button", name="Sign in").click()
    desk.wait_for_url("**/organize")
    for language in LANGUAGES:
        desk.goto(f"{live_server}/organize/processes/1/equity?lang={language}")
        assert desk.locator("html").get_attribute("lang") == language
        assert desk.locator("svg[role=img]").count() == 1
        assert desk.locator("tr.outreach").count() >= 1
        assert axe_violations(desk) == [], language
    desk.goto(f"{live_server}/organize/processes/1/equity?lang=en#shares")
    desk.screenshot(path=screenshots / "equity-view.png")
    phone = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    for language in LANGUAGES:
        phone.goto(f"{live_server}/processes/1/results?lang={language}")
        section = phone.locator("section.equity-public")
        assert section.count() == 1 and section.locator("svg[role=img]").count() == 1
        # The results page around it is another stream's: axe looks at this section.
        assert axe_violations(phone, "section.equity-public") == [], language
