"""A shared tablet as the kiosk: one voter's ballot or receipt never reaches the next voter,
and the device holds no poll worker's session. JavaScript on and off."""

import contextlib
import re

import pytest
from playwright.sync_api import expect

from app.demo import DEMO_POLL_WORKER
from app.voting.ballot_steps import KIOSK_THANKS_SECONDS
from app.voting.station_pages import IDLE_WARN_AFTER
from app.web.i18n import translate, translate_plural
from tests.browser.axe import axe_violations
from tests.browser.ballot_steps import ballot_ready, rank, review_and_cast
from tests.browser.conftest import DATABASE_OF

PASSWORD = "demo-organizer-2019"
TABLET = {"width": 820, "height": 1180}


def _signed_in(browser, live_server, *, javascript=True):
    page = browser.new_context(viewport=TABLET, java_script_enabled=javascript).new_page()
    page.goto(f"{live_server}/station")
    page.get_by_label("Email").fill(DEMO_POLL_WORKER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/station(\?|$)"))  # ?f=: the station's one-time forms
    return page


@pytest.fixture(scope="module")
def desk(browser, live_server):
    page = _signed_in(browser, live_server)
    yield page
    page.context.close()


def _ticket(desk, name: str) -> str:
    desk.get_by_label("Full name").fill(name)
    desk.get_by_label("Date of birth").fill("1970-01-02")
    desk.get_by_label("ZIP code").fill("14608")
    desk.get_by_role("button", name="Check in").click()
    return desk.locator(".receipt code").inner_text()


def _kiosk(browser, live_server, *, javascript):
    tablet = _signed_in(browser, live_server, javascript=javascript)
    tablet.get_by_role("button", name="Open this device as the kiosk").click()
    tablet.wait_for_url("**/kiosk")
    return tablet


def _back(page):
    """Back as a person presses it; the page shown is whatever the browser then shows."""
    with contextlib.suppress(Exception):  # an error page ("confirm resubmission") is no trace
        page.go_back(wait_until="load")
    page.wait_for_load_state("load")


def _cast(tablet, ticket, *, javascript, picks=(3, 1, 5, 2, 6)):
    tablet.get_by_label("Your ticket").fill(ticket)
    tablet.get_by_role("button", name="Start voting").click()
    chosen = rank(tablet, picks, javascript=javascript)
    review_and_cast(tablet)
    assert "Thank you for voting" in tablet.get_by_role("status").inner_text()
    return tablet.locator(".receipt code").inner_text(), chosen


def _no_trace(page, receipt, ticket):
    html = page.content()
    assert receipt not in html and ticket not in html
    for select in page.locator("select").all():
        assert select.input_value() == "", "a choice of the last voter is still selected"
    assert page.locator("option[selected]").count() == 0
    assert not page.get_by_role("link", name="Staff sign-in").count()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_back_after_a_kiosk_vote_shows_nothing_of_it(
    live_server, browser, desk, screenshots, backend, javascript
):
    tablet = _kiosk(browser, live_server, javascript=javascript)
    suffix = f"{backend}-{'js' if javascript else 'nojs'}"
    ticket = _ticket(desk, f"Back Tester {suffix}")
    tablet.screenshot(path=screenshots / f"kiosk-ticket-{suffix}.png", full_page=True)
    receipt, _ = _cast(tablet, ticket, javascript=javascript)
    tablet.screenshot(path=screenshots / f"kiosk-thanks-{suffix}.png", full_page=True)
    tablet.get_by_role("link", name="Next voter").click()
    tablet.wait_for_url("**/kiosk")
    tablet.screenshot(path=screenshots / f"kiosk-next-{suffix}.png", full_page=True)

    _back(tablet)  # to where the receipt was
    _no_trace(tablet, receipt, ticket)
    _back(tablet)  # to where the ballot was
    _no_trace(tablet, receipt, ticket)
    _back(tablet)  # to where the ticket was typed
    _no_trace(tablet, receipt, ticket)
    assert tablet.get_by_label("Your ticket").input_value() == ""
    # Forward again: the receipt page is gone for good too.
    tablet.go_forward()
    _no_trace(tablet, receipt, ticket)
    tablet.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_thank_you_page_resets_without_a_timed_refresh_and_gives_more_time(
    live_server, browser, desk, backend, javascript
):
    """No meta refresh (WCAG 2.2.1). With JavaScript the page goes on to the next voter by
    itself, and "More time" starts its time again as often as pressed; without, it says to
    press "Next voter" and waits. Back afterwards shows nothing of the last voter."""
    tablet = _kiosk(browser, live_server, javascript=javascript)
    if javascript:
        tablet.clock.install()
    ticket = _ticket(desk, f"Reset Tester {backend} {javascript}")
    receipt, _ = _cast(tablet, ticket, javascript=javascript)
    assert tablet.locator("meta[http-equiv=refresh]").count() == 0
    more = tablet.get_by_role("button", name=translate("en", "kiosk.more_time"))
    resets = tablet.get_by_text(translate_plural("en", "kiosk.resets", KIOSK_THANKS_SECONDS))
    waits = tablet.get_by_text(translate("en", "kiosk.next_hint"))
    expect(tablet.get_by_role("link", name="Next voter")).to_be_visible()
    if javascript:
        expect(resets).to_be_visible()
        expect(waits).to_be_hidden()
        for _ in range(3):  # pressed just before the time runs out: the receipt stays
            tablet.clock.run_for((KIOSK_THANKS_SECONDS - 2) * 1000)
            more.click()
            expect(tablet.locator(".receipt code")).to_have_text(receipt)
            assert tablet.url.endswith("/kiosk/done")
        tablet.clock.run_for((KIOSK_THANKS_SECONDS + 1) * 1000)  # no answer: the next voter
        tablet.wait_for_url("**/kiosk")
    else:
        expect(more).to_be_hidden()
        expect(resets).to_be_hidden()
        expect(waits).to_be_visible()
        assert tablet.url.endswith("/kiosk/done")  # nothing moves by itself
        tablet.get_by_role("link", name="Next voter").click()
        tablet.wait_for_url("**/kiosk")
    expect(tablet.get_by_label("Your ticket")).to_have_value("")
    _no_trace(tablet, receipt, ticket)
    _back(tablet)
    _no_trace(tablet, receipt, ticket)
    _back(tablet)
    _no_trace(tablet, receipt, ticket)
    tablet.context.close()


def test_the_next_voter_starts_from_a_clean_ballot(live_server, browser, desk, backend):
    tablet = _kiosk(browser, live_server, javascript=True)
    first = _ticket(desk, f"First Voter {backend}")
    receipt, _ = _cast(tablet, first, javascript=True)
    tablet.get_by_role("link", name="Next voter").click()
    second = _ticket(desk, f"Second Voter {backend}")
    tablet.get_by_label("Your ticket").fill(second)
    tablet.get_by_role("button", name="Start voting").click()
    ballot_ready(tablet)
    _no_trace(tablet, receipt, first)
    assert tablet.get_by_label("Choice 1").count() == 1
    tablet.context.close()


def test_a_kiosk_holds_no_staff_session(live_server, browser, screenshots, backend):
    tablet = _kiosk(browser, live_server, javascript=True)
    assert not tablet.get_by_role("link", name="Staff sign-in").count()
    assert not tablet.locator("a[href='/station']").count()
    tablet.goto(f"{live_server}/station")
    assert tablet.get_by_role("heading", level=1).inner_text() == "Staff sign-in"
    assert tablet.get_by_label("Password").count() == 1
    assert "open as a voting kiosk" in tablet.locator(".notice").inner_text()
    tablet.screenshot(path=screenshots / f"kiosk-station-{backend}.png", full_page=True)
    cookies = {c["name"] for c in tablet.context.cookies()}
    assert "pbvote_staff" not in cookies and "pbvote_kiosk" in cookies
    # Back from the kiosk does not bring the signed-in station page either.
    tablet.goto(f"{live_server}/kiosk")
    _back(tablet)
    assert "Polling station" not in tablet.content()
    tablet.context.close()


def test_a_bad_ticket_is_refused_before_the_ballot_in_the_voters_language(
    live_server, browser, desk, screenshots, backend
):
    tablet = _kiosk(browser, live_server, javascript=True)
    tablet.get_by_role("link", name="Español").click()
    tablet.get_by_label(translate("es", "kiosk.ticket")).fill("AAAAA-BBBBB")
    tablet.get_by_role("button", name=translate("es", "kiosk.start")).click()
    assert translate("es", "error.bad_ticket") in tablet.get_by_role("alert").inner_text()
    assert tablet.locator("select").count() == 0
    tablet.screenshot(path=screenshots / f"kiosk-bad-ticket-{backend}.png", full_page=True)

    # A good ticket survives a language switch on the ballot, and votes.
    ticket = _ticket(desk, f"Language Switcher {backend}")
    tablet.get_by_label(translate("es", "kiosk.ticket")).fill(ticket)
    tablet.get_by_role("button", name=translate("es", "kiosk.start")).click()
    ballot_ready(tablet)
    with tablet.expect_navigation():
        tablet.get_by_role("button", name="Tiếng Việt").click()
    assert tablet.locator("html").get_attribute("lang") == "vi"
    ballot_ready(tablet)
    tablet.screenshot(path=screenshots / f"kiosk-ballot-vi-{backend}.png", full_page=True)
    tablet.locator("#cards .card").nth(1).locator("h3").click()
    review_and_cast(
        tablet, review=translate("vi", "vote.review"), cast=translate("vi", "vote.submit")
    )
    assert translate("vi", "vote.thanks_title") in tablet.get_by_role("status").inner_text()

    # The next voter starts in the tablet's language, and the spent ticket is refused at
    # once, not after ranking five projects.
    with tablet.expect_navigation():
        tablet.get_by_role("link", name=translate("vi", "kiosk.next_voter")).click()
    assert tablet.locator("html").get_attribute("lang") == "en"
    tablet.get_by_label(translate("en", "kiosk.ticket")).fill(ticket)
    tablet.get_by_role("button", name=translate("en", "kiosk.start")).click()
    assert translate("en", "error.ticket_used") in tablet.get_by_role("alert").inner_text()
    assert tablet.locator("select").count() == 0
    tablet.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_refused_ticket_is_kept_to_correct_and_not_left_for_the_next_voter(
    live_server, browser, desk, backend, javascript
):
    """A ticket mistyped by one character comes back in the field, marked, to correct; with
    JavaScript it is emptied when left alone; a reload never shows it again."""
    tablet = _kiosk(browser, live_server, javascript=javascript)
    if javascript:
        tablet.clock.install()
    ticket = _ticket(desk, f"Typo Tester {backend} {javascript}")
    typo = ticket[:-1] + ("A" if ticket[-1] != "A" else "B")
    field = tablet.get_by_label("Your ticket")
    field.fill(typo)
    tablet.get_by_role("button", name="Start voting").click()
    expect(tablet.get_by_role("alert")).to_contain_text(translate("en", "error.bad_ticket"))
    expect(field).to_have_value(typo)
    expect(field).to_have_attribute("aria-invalid", "true")
    if javascript:
        tablet.clock.fast_forward((IDLE_WARN_AFTER + 1) * 1000)  # walked away
        expect(field).to_have_value("")
        tablet.get_by_role("button", name="Start voting").click()  # the next voter: required
        assert tablet.url.endswith("/kiosk")
    tablet.reload()
    expect(field).to_have_value("")
    assert typo not in tablet.content()
    field.fill(ticket)  # corrected: the ballot
    tablet.get_by_role("button", name="Start voting").click()
    ballot_ready(tablet, javascript=javascript)
    tablet.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_back_after_an_online_vote_on_a_shared_computer_shows_nothing(
    live_server, browser, backend, javascript
):
    """A library computer: the next resident presses Back after someone voted online.
    Nothing the last resident typed or chose comes back. (Their receipt may, for a few
    minutes, on that device, as a reload of the thank-you page shows it again: issue 19;
    a receipt says a ballot was stored, never what it says or whose it is.)"""
    context = browser.new_context(viewport=TABLET, java_script_enabled=javascript)
    page = context.new_page()
    name = f"Library User {backend} {javascript}"
    page.goto(f"{live_server}/processes/2/vote")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Date of birth").fill("1961-07-08")
    page.get_by_label("ZIP code").fill("14604")
    rank(page, [4, 2], javascript=javascript)
    review_and_cast(page)
    page.goto(f"{live_server}/")  # the resident leaves; the next one presses Back
    for _ in range(2):
        _back(page)
        html = page.content()
        assert name not in html
        for field in page.locator("input:not([type=hidden]), select").all():
            assert field.input_value() == "", "the last resident's answer is still there"
    context.close()


def _ballots(live_server) -> int:
    from sqlalchemy import create_engine, func, select
    from sqlmodel import Session

    from app.models import load_all_models
    from app.voting.models import Ballot

    load_all_models()
    with Session(create_engine(DATABASE_OF[live_server])) as session:
        return session.execute(select(func.count()).select_from(Ballot)).scalar_one()


def test_an_organizer_releases_and_reissues_at_a_site_they_do_not_staff(
    live_server, browser, desk, backend
):
    """The organizers' page of open check-ins (from the turnout page): a release lets the
    voter be checked in again and vote; a new code replaces the old one; each voter's
    ballot is counted once. It passes axe in English, Spanish and Vietnamese."""
    from tests.browser.test_voting_staff_pages import organizer_page

    tablet = _kiosk(browser, live_server, javascript=True)
    office = organizer_page(browser, live_server)
    office.goto(f"{live_server}/organize/processes/2/turnout")
    office.get_by_role("link", name=translate("en", "turnout.check_ins_link")).click()
    office.wait_for_url("**/organize/processes/2/check-ins")
    listed = office.locator("ol.tickets > li")
    before = listed.count()

    # Release: the voter left the queue; checked in again, they vote once.
    name = f"Released Voter {backend}"
    first = _ticket(desk, name)
    office.reload()
    expect(listed).to_have_count(before + 1)
    for lang in ("en", "es", "vi"):
        office.goto(f"{live_server}/organize/processes/2/check-ins?lang={lang}")
        assert axe_violations(office) == [], lang
    office.goto(f"{live_server}/organize/processes/2/check-ins?lang=en")
    waiting = listed.last  # waiting for the voter: the last to run out
    expect(waiting).to_contain_text("Waiting for the voter")
    waiting.get_by_label(translate("en", "station.release_reason")).fill("left the queue")
    waiting.get_by_role("button", name=translate("en", "station.release")).click()
    expect(office.get_by_role("status")).to_contain_text(translate("en", "station.released"))
    expect(listed).to_have_count(before)
    tablet.get_by_label("Your ticket").fill(first)
    tablet.get_by_role("button", name="Start voting").click()
    expect(tablet.get_by_role("alert")).to_contain_text(translate("en", "error.bad_ticket"))
    cast = _ballots(live_server)
    again = _ticket(desk, name)  # checked in again: not "already voted"
    _cast(tablet, again, javascript=True)
    assert _ballots(live_server) == cast + 1
    tablet.get_by_role("link", name="Next voter").click()

    # Give a new code: the old one no longer votes, the new one does, once.
    old = _ticket(desk, f"Reissued Voter {backend}")
    office.reload()
    listed.last.get_by_role("button", name=translate("en", "station.reissue")).click()
    new = office.locator(".receipt code").inner_text()
    assert new != old
    tablet.get_by_label("Your ticket").fill(old)
    tablet.get_by_role("button", name="Start voting").click()
    expect(tablet.get_by_role("alert")).to_contain_text(translate("en", "error.bad_ticket"))
    _cast(tablet, new, javascript=True)
    assert _ballots(live_server) == cast + 2
    office.reload()
    expect(listed).to_have_count(before)
    assert new not in office.content()  # shown once
    office.context.close()
    tablet.context.close()
