"""The kiosk ballot left alone (issue 19, the walk-away): it asks "Are you still voting?",
a tap goes on voting, no answer goes back to the ticket screen, and the same voter's
ticket still votes. The page's clock is Playwright's, so no test waits 90 real seconds."""

from playwright.sync_api import expect

from app.voting.station_pages import IDLE_WARN_AFTER, IDLE_WARNING
from tests.browser.ballot_steps import ballot_ready, rank
from tests.browser.test_kiosk import _kiosk, _ticket, desk  # noqa: F401 - the fixture


def test_an_idle_ballot_warns_then_goes_back_and_the_ticket_still_votes(
    live_server,
    browser,
    desk,  # noqa: F811
    backend,
):
    tablet = _kiosk(browser, live_server, javascript=True)
    tablet.clock.install()
    ticket = _ticket(desk, f"Idle Tester {backend}")
    tablet.get_by_label("Your ticket").fill(ticket)
    tablet.get_by_role("button", name="Start voting").click()
    rank(tablet, (2,), javascript=True)
    question = tablet.get_by_role("alertdialog", name="Are you still voting?")
    expect(tablet.locator("#kiosk-clock")).to_contain_text("Time left to vote")
    expect(question).to_be_hidden()

    tablet.clock.fast_forward((IDLE_WARN_AFTER + 1) * 1000)
    expect(question).to_be_visible()
    expect(tablet.get_by_role("button", name="Yes, I am still voting")).to_be_focused()
    tablet.get_by_role("button", name="Yes, I am still voting").click()
    expect(question).to_be_hidden()
    tablet.clock.fast_forward((IDLE_WARNING + 1) * 1000)  # answered: still the ballot
    expect(tablet.locator("#tray")).to_be_visible()

    tablet.clock.fast_forward((IDLE_WARN_AFTER + 1) * 1000)
    expect(question).to_be_visible()
    tablet.clock.fast_forward((IDLE_WARNING + 1) * 1000)  # no answer: back to the start
    tablet.wait_for_url("**/kiosk")
    expect(tablet.get_by_role("status")).to_contain_text("Nothing was cast")
    expect(tablet.get_by_label("Your ticket")).to_have_value("")

    tablet.get_by_label("Your ticket").fill(ticket)  # the same voter, back: not spent
    tablet.get_by_role("button", name="Start voting").click()
    ballot_ready(tablet)
    expect(tablet.locator("#tray")).to_be_visible()
    tablet.context.close()
