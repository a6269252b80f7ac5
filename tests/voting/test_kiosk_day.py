"""Election day at the kiosk (issue 19): the paths that lost a resident's vote end with
their ballot counted exactly once. A slow voter (the clock starts at the kiosk, a poll
worker reissues the ticket), a walk-away (idle reset; the ticket stays the voter's), a
voter checked in at the wrong site (the kiosk names the right one; a release lets them be
checked in anywhere), and check-ins released by hand or on their own when they expire."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.db import utcnow
from app.processes.models import Process
from app.sites.models import Site
from app.voting import credentials as cred
from app.voting import station_pages
from app.voting.models import KioskTicket, Participation
from app.web.i18n import translate
from tests.voting.helpers import audit_entries, counts
from tests.voting.test_kiosk_pages import ORIGIN, open_kiosk, ranks, sign_in, start, ticket_for

HANDLE = re.compile(r'action="/station/tickets/([0-9a-f]{64})/release"')


@pytest.fixture
def kiosk(client, poll_worker, world):
    open_kiosk(client, poll_worker, world.sites[0])
    return client


@contextmanager
def device(app, staff):
    """Another browser, with `staff` signed in on it."""
    with TestClient(app, base_url="http://testserver") as browser:
        sign_in(browser, staff)
        yield browser


@pytest.fixture
def station(app, poll_worker):
    """The poll worker's own device, signed in to the station page."""
    with device(app, poll_worker) as browser:
        yield browser


def set_minutes(app, organizer, world, minutes: str):
    with device(app, organizer) as browser:
        return browser.post(
            f"/organize/processes/{world.process_id}/rules/kiosk",
            data={"kiosk_ticket_minutes": minutes},
            headers=ORIGIN,
            follow_redirects=False,
        )


def open_handles(station) -> list[str]:
    page = station.get("/station")
    assert page.status_code == 200
    return HANDLE.findall(page.text)


def cast_at(kiosk, world, ticket, n=2):
    r = start(kiosk, ticket)
    assert r.status_code == 303 and r.headers["location"] == "/kiosk/ballot", r.text
    return kiosk.post("/kiosk/cast", data=ranks(world, n), headers=ORIGIN, follow_redirects=False)


def release(browser, actions: str, handle: str, reason: str):
    """Presses "Release this check-in" with `reason` on a page whose forms post to `actions`."""
    return browser.post(
        f"{actions}/{handle}/release",
        data={"reason": reason},
        headers=ORIGIN,
        follow_redirects=False,
    )


def ballots(session_factory) -> int:
    return counts(session_factory)["ballots"]


def test_the_clock_starts_at_the_kiosk_and_lasts_the_process_setting(
    kiosk, app, organizer, poll_worker, world, session_factory
):
    with device(app, organizer) as browser:
        page = browser.get(f"/organize/processes/{world.process_id}/rules")
        assert 'name="kiosk_ticket_minutes"' in page.text
    r = set_minutes(app, organizer, world, "25")
    assert r.status_code == 303
    with session_factory() as session:
        assert session.get(Process, world.process_id).kiosk_ticket_minutes == 25
    ticket = ticket_for(kiosk, poll_worker, world)
    with session_factory() as session:  # waiting in the queue: the ticket's clock is not running
        row = session.execute(select(KioskTicket)).scalar_one()
        assert row.opened_at is None and row.expires_at > utcnow() + timedelta(minutes=100)
    before = utcnow()
    assert start(kiosk, ticket).status_code == 303
    with session_factory() as session:
        row = session.execute(select(KioskTicket)).scalar_one()
    assert row.opened_at >= before
    assert timedelta(minutes=24) < row.expires_at - before <= timedelta(minutes=25, seconds=5)
    ballot = kiosk.get("/kiosk/ballot")
    assert translate("en", "kiosk.time_left", minutes=25) in ballot.text
    assert 'src="/static/kiosk.js"' in ballot.text and "Are you still voting?" in ballot.text


@pytest.mark.parametrize("minutes", ["4", "121", "ten", ""])
def test_a_ticket_length_out_of_range_is_refused(app, organizer, world, session_factory, minutes):
    r = set_minutes(app, organizer, world, minutes)
    assert r.status_code == 303
    with session_factory() as session:
        assert session.get(Process, world.process_id).kiosk_ticket_minutes == 15


def test_slow_voter_gets_a_new_ticket_in_one_step_and_votes_once(
    kiosk, station, poll_worker, world, session_factory
):
    ticket = ticket_for(kiosk, poll_worker, world)
    assert start(kiosk, ticket).status_code == 303
    with session_factory() as session:  # 16 minutes on the ballot: the time ran out
        session.execute(update(KioskTicket).values(expires_at=utcnow() - timedelta(minutes=1)))
        session.commit()
    before = counts(session_factory)
    r = kiosk.post("/kiosk/cast", data=ranks(world, 4), headers=ORIGIN, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/kiosk")
    home = kiosk.get(r.headers["location"])
    assert translate("en", "error.ticket_expired") in home.text  # a plain message
    assert counts(session_factory) == before
    for language in ("es", "vi"):
        page = station.get("/station", headers={"Accept-Language": language})
        assert translate(language, "station.ticket_expired") in page.text
    page = station.get("/station")
    assert translate("en", "station.ticket_expired") in page.text
    (handle,) = HANDLE.findall(page.text)
    r = station.post(f"/station/tickets/{handle}/reissue", headers=ORIGIN, follow_redirects=False)
    assert r.status_code == 303
    shown = station.get(r.headers["location"]).text
    new = re.search(r'<p class="receipt"><code>([0-9A-Z-]+)</code>', shown).group(1)
    assert new != ticket
    assert start(kiosk, ticket).status_code == 303  # the old ticket no longer votes
    assert counts(session_factory)["participation"] == 1
    r = cast_at(kiosk, world, new, n=4)
    assert r.headers["location"] == "/kiosk/done", r.text
    after = counts(session_factory)
    assert (after["ballots"], after["participation"]) == (1, 1)
    assert [e.action for e in audit_entries(session_factory, "voting.kiosk_ticket")] == [
        "voting.kiosk_ticket.reissue"
    ]
    assert open_handles(station) == []  # a spent ticket is no longer listed


def test_walk_away_resets_the_kiosk_and_the_ticket_stays_the_voters(
    kiosk, poll_worker, world, session_factory
):
    ticket = ticket_for(kiosk, poll_worker, world)
    assert start(kiosk, ticket).status_code == 303
    assert kiosk.get("/kiosk/ballot").status_code == 200
    # No answer to "Are you still voting?": kiosk.js posts the release.
    r = kiosk.post("/kiosk/release", headers=ORIGIN, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/kiosk")
    assert "pbvote_kiosk_voter" not in kiosk.cookies
    assert translate("en", "kiosk.idle_reset") in kiosk.get(r.headers["location"]).text
    # The next person taps a card and casts: nothing is cast on the first voter's ticket.
    before = counts(session_factory)
    r = kiosk.post("/kiosk/cast", data=ranks(world, 1), headers=ORIGIN, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/kiosk")
    assert counts(session_factory) == before
    # The first voter comes back: the same ticket still votes, once.
    r = cast_at(kiosk, world, ticket)
    assert r.headers["location"] == "/kiosk/done"
    assert (ballots(session_factory), counts(session_factory)["participation"]) == (1, 1)


def test_without_javascript_the_server_resets_an_idle_kiosk(
    kiosk, poll_worker, world, session_factory, monkeypatch
):
    ticket = ticket_for(kiosk, poll_worker, world)
    assert start(kiosk, ticket).status_code == 303
    monkeypatch.setattr(station_pages, "IDLE_SERVER", -1)  # the voter cookie is now stale
    before = counts(session_factory)
    r = kiosk.post("/kiosk/cast", data=ranks(world, 1), headers=ORIGIN, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/kiosk")
    assert translate("en", "kiosk.idle_reset") in kiosk.get(r.headers["location"]).text
    assert counts(session_factory) == before
    monkeypatch.setattr(station_pages, "IDLE_SERVER", 600)
    assert cast_at(kiosk, world, ticket).headers["location"] == "/kiosk/done"
    assert ballots(session_factory) == 1


def test_wrong_site_is_named_released_and_checked_in_again_elsewhere(
    client, app, organizer, make_poll_worker, poll_worker, world, session_factory
):
    """Checked in at site B, the voter types the ticket at site A's kiosk: the kiosk names
    B; a poll worker of B releases the check-in and A checks the voter in and they vote."""
    worker_b = make_poll_worker(world.sites[1])
    ticket = ticket_for(client, worker_b, world, site=world.sites[1])
    open_kiosk(client, poll_worker, world.sites[0])
    r = start(client, ticket)
    with session_factory() as session:
        site_b = session.get(Site, world.sites[1]).name
    assert (
        translate("en", "kiosk.ticket_other_site", site=site_b)
        in client.get(r.headers["location"]).text
    )
    turnout = client.get(f"/api/processes/{world.process_id}/turnout", headers=organizer.headers)
    assert turnout.json()["voters"] == 1
    with device(app, poll_worker) as station_a:  # A's poll worker may not release B's
        assert open_handles(station_a) == []
        with session_factory() as session:
            handle = session.execute(select(KioskTicket.ticket_hash)).scalar_one()
        r = station_a.post(
            f"/station/tickets/{handle}/release",
            data={"reason": "wrong site"},
            headers=ORIGIN,
            follow_redirects=False,
        )
        assert r.status_code == 303 and counts(session_factory)["participation"] == 1
    with device(app, worker_b) as station_b:
        (handle,) = open_handles(station_b)
        r = station_b.post(
            f"/station/tickets/{handle}/release",
            data={"reason": " "},
            headers=ORIGIN,
            follow_redirects=False,
        )
        assert r.status_code == 303 and counts(session_factory)["participation"] == 1
        r = station_b.post(
            f"/station/tickets/{handle}/release",
            data={"reason": "came to the wrong site"},
            headers=ORIGIN,
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert translate("en", "station.released") in station_b.get(r.headers["location"]).text
    assert counts(session_factory)["participation"] == 0
    turnout = client.get(f"/api/processes/{world.process_id}/turnout", headers=organizer.headers)
    assert turnout.json()["voters"] == 0
    entries = audit_entries(session_factory, "voting.check_in.release")
    refused = [e for e in entries if e.outcome != "ok"]
    (released,) = [e for e in entries if e.outcome == "ok"]
    assert released.detail == {"reason": "came to the wrong site"} and len(refused) == 2
    assert start(client, ticket).headers["location"].startswith("/kiosk")  # the old one is gone
    again = ticket_for(client, poll_worker, world)  # the same voter, at A
    assert cast_at(client, world, again).headers["location"] == "/kiosk/done"
    assert (ballots(session_factory), counts(session_factory)["participation"]) == (1, 1)


def test_a_released_access_code_checks_in_again(
    client, app, codes, poll_worker, world, session_factory, station
):
    (code,) = codes(1)
    r = client.post(
        f"/api/processes/{world.process_id}/check-ins",
        json={"site_id": world.sites[0], "mode": "kiosk", "access_code": code},
        headers=poll_worker.headers,
    )
    assert r.status_code == 201, r.text
    assert counts(session_factory)["codes_used"] == 1
    (handle,) = open_handles(station)
    station.post(f"/station/tickets/{handle}/release", data={"reason": "left"}, headers=ORIGIN)
    assert counts(session_factory)["codes_used"] == 0
    r = client.post(
        f"/api/processes/{world.process_id}/check-ins",
        json={"site_id": world.sites[0], "mode": "kiosk", "access_code": code},
        headers=poll_worker.headers,
    )
    assert r.status_code == 201, r.text


def test_a_spent_ticket_cannot_be_released_and_names_no_voter(
    kiosk, station, poll_worker, world, session_factory
):
    ticket = ticket_for(kiosk, poll_worker, world)
    (handle,) = open_handles(station)
    with session_factory() as session:
        assert session.get(KioskTicket, handle).participation_id is not None
    assert cast_at(kiosk, world, ticket).headers["location"] == "/kiosk/done"
    with session_factory() as session:
        spent = session.get(KioskTicket, handle)
        assert spent.used_at is not None and spent.participation_id is None
    before = counts(session_factory)
    for action in ("release", "reissue"):
        r = station.post(
            f"/station/tickets/{handle}/{action}",
            data={"reason": "try"},
            headers=ORIGIN,
            follow_redirects=False,
        )
        assert r.status_code == 303
    assert counts(session_factory) == before


def test_an_unused_ticket_is_released_on_its_own_when_it_expires(
    kiosk, station, poll_worker, world, session_factory
):
    ticket_for(kiosk, poll_worker, world)
    with session_factory() as session:  # expired, but a poll worker may still reissue it
        session.execute(update(KioskTicket).values(expires_at=utcnow() - timedelta(minutes=1)))
        session.commit()
    assert len(open_handles(station)) == 1
    with session_factory() as session:
        late = utcnow() - cred.KIOSK_TICKET_GRACE - timedelta(seconds=1)
        session.execute(update(KioskTicket).values(expires_at=late))
        session.commit()
    assert open_handles(station) == []
    with session_factory() as session:
        assert session.execute(select(Participation)).first() is None
    (entry,) = audit_entries(session_factory, "voting.check_in.release")
    assert entry.actor_role == "system"
    # The same voter is checked in again (a new ticket) and votes once.
    again = ticket_for(kiosk, poll_worker, world)
    assert cast_at(kiosk, world, again).headers["location"] == "/kiosk/done"
    assert ballots(session_factory) == 1


@pytest.mark.parametrize("language", ["en", "es", "vi"])
def test_the_thank_you_page_gives_more_time_without_a_timed_refresh(
    kiosk, poll_worker, world, session_factory, language
):
    """WCAG 2.2.1: no meta refresh; the page that clears itself (static/kiosk.js) offers to
    extend, as often as asked, and without JavaScript waits for "Next voter"."""
    with session_factory() as session:
        session.execute(
            update(Process)
            .where(Process.id == world.process_id)
            .values(languages=["en", "es", "vi"])
        )
        session.commit()
    assert cast_at(kiosk, world, ticket_for(kiosk, poll_worker, world)).status_code == 303
    done = kiosk.get(f"/kiosk/done?lang={language}").text
    receipt = re.search(r'<p class="receipt"><code>([0-9A-Z-]+)</code>', done).group(1)
    for _ in range(3):
        assert 'http-equiv="refresh"' not in done
        assert '<script src="/static/kiosk.js" defer></script>' in done
        more = translate(language, "kiosk.more_time")
        assert f'form="thanks" id="kiosk-more" hidden>{more}</button>' in done  # shown by script
        next_voter = translate(language, "kiosk.next_voter")
        assert f'href="/kiosk" id="kiosk-next">{next_voter}</a>' in done
        assert translate(language, "kiosk.next_hint") in done  # said without script
        assert 'id="kiosk-resets" data-seconds="20" hidden>' in done  # said by the script
        token = re.search(r'name="receipt_token" value="([^"]+)"', done).group(1)
        r = kiosk.post(
            "/kiosk/cast",
            data={"step": "thanks", "receipt_token": token, "switch_lang": language},
            headers=ORIGIN,
            follow_redirects=False,
        )
        assert r.headers["location"].startswith("/kiosk/done")
        done = kiosk.get(r.headers["location"]).text
        assert receipt in done  # the same receipt, in the language asked


ORGANIZER_HANDLE = re.compile(r'action="/organize/processes/\d+/check-ins/([0-9a-f]{64})/release"')
SHOWN_TICKET = re.compile(r'<p class="receipt"><code>([0-9A-Z-]+)</code>')


@pytest.mark.parametrize("language", ["en", "es", "vi"])
def test_an_organizer_sees_every_sites_open_check_ins_with_time_left(
    client, app, organizer, make_poll_worker, poll_worker, world, session_factory, language
):
    """Linked from the overview and turnout pages: each site's open kiosk codes, for an
    organizer assigned to no site, in the organizer's language; none once they are gone."""
    worker_b = make_poll_worker(world.sites[1])
    ticket_for(client, poll_worker, world, name="Ana At A")
    ticket_for(client, worker_b, world, name="Bo At B", site=world.sites[1])
    lang = {"Accept-Language": language}
    page_path = f"/organize/processes/{world.process_id}/check-ins"
    with device(app, organizer) as browser:
        for linked in (
            f"/organize/processes/{world.process_id}",
            page_path[: -len("check-ins")] + "turnout",
        ):
            assert f'href="{page_path}"' in browser.get(linked, headers=lang).text
        page = browser.get(page_path, headers=lang)
        assert page.status_code == 200
        assert translate(language, "check_ins.title") in page.text
        with session_factory() as session:
            names = [session.get(Site, s).name for s in world.sites[:2]]
        assert all(name in page.text for name in names)
        assert len(ORGANIZER_HANDLE.findall(page.text)) == 2
        before, after = translate(language, "station.ticket_waiting", minutes=999).split("999")
        left = re.findall(re.escape(before) + r"(\d+)" + re.escape(after), page.text)
        assert len(left) == 2 and all(int(n) > 0 for n in left)  # time left, each
        for handle in ORGANIZER_HANDLE.findall(page.text):
            r = release(browser, page_path, handle, "left the queue")
            assert r.status_code == 303 and r.headers["location"] == page_path
        empty = browser.get(page_path, headers=lang).text
        assert translate(language, "check_ins.none") in empty
        assert ORGANIZER_HANDLE.findall(empty) == []
    with device(app, poll_worker) as station:  # a poll worker does not see the organizers' page
        r = station.get(page_path, follow_redirects=False)
        assert r.status_code in (303, 403, 404) and "check_ins.title" not in r.text
        assert translate("en", "check_ins.title") not in r.text


def test_an_organizer_releases_a_check_in_at_a_site_they_do_not_staff(
    kiosk, app, organizer, poll_worker, world, session_factory
):
    """The station's release, from the organizers' page: reason required, audited as the
    organizer, turnout drops the voter, who is checked in again and votes once."""
    ticket = ticket_for(kiosk, poll_worker, world)
    page_path = f"/organize/processes/{world.process_id}/check-ins"
    turnout = f"/api/processes/{world.process_id}/turnout"
    assert kiosk.get(turnout, headers=organizer.headers).json()["voters"] == 1
    with device(app, organizer) as browser:
        (handle,) = ORGANIZER_HANDLE.findall(browser.get(page_path).text)
        r = release(browser, page_path, handle, "  ")
        assert r.status_code == 303 and r.headers["location"] == page_path
        refused = browser.get(page_path)
        assert refused.status_code == 422
        assert "Say why this check-in is released." in refused.text
        assert counts(session_factory)["participation"] == 1
        r = release(browser, page_path, handle, "called the help line")
        assert translate("en", "station.released") in browser.get(r.headers["location"]).text
    assert counts(session_factory)["participation"] == 0
    assert kiosk.get(turnout, headers=organizer.headers).json()["voters"] == 0
    entries = audit_entries(session_factory, "voting.check_in.release")
    (released,) = [e for e in entries if e.outcome == "ok"]
    assert released.actor_role == "organizer"
    assert released.detail == {"reason": "called the help line"}
    assert [e.outcome != "ok" for e in entries].count(True) == 1
    assert start(kiosk, ticket).headers["location"].startswith("/kiosk")  # the old code is gone
    assert counts(session_factory)["participation"] == 0
    again = ticket_for(kiosk, poll_worker, world)
    assert cast_at(kiosk, world, again).headers["location"] == "/kiosk/done"
    assert (ballots(session_factory), counts(session_factory)["participation"]) == (1, 1)


def test_an_organizer_reissues_a_code_shown_once_and_the_voter_votes_once(
    kiosk, app, organizer, poll_worker, world, session_factory
):
    ticket = ticket_for(kiosk, poll_worker, world)
    assert start(kiosk, ticket).status_code == 303
    with session_factory() as session:  # the slow voter ran out of time
        session.execute(update(KioskTicket).values(expires_at=utcnow() - timedelta(minutes=1)))
        session.commit()
    page_path = f"/organize/processes/{world.process_id}/check-ins"
    with device(app, organizer) as browser:
        page = browser.get(page_path).text
        assert translate("en", "station.ticket_expired") in page
        (handle,) = ORGANIZER_HANDLE.findall(page)
        r = browser.post(f"{page_path}/{handle}/reissue", headers=ORIGIN, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == page_path
        shown = browser.get(page_path)
        assert "no-store" in shown.headers["cache-control"]
        new = SHOWN_TICKET.search(shown.text).group(1)
        assert new != ticket and new not in browser.get(page_path).text  # shown once
        r = browser.post(f"{page_path}/{handle}/reissue", headers=ORIGIN, follow_redirects=False)
        again = browser.get(r.headers["location"])
        assert again.status_code == 404 and "There is no such kiosk ticket." in again.text
    assert [e.action for e in audit_entries(session_factory, "voting.kiosk_ticket")] == [
        "voting.kiosk_ticket.reissue"
    ]
    r = cast_at(kiosk, world, new, n=4)
    assert r.headers["location"] == "/kiosk/done", r.text
    assert (ballots(session_factory), counts(session_factory)["participation"]) == (1, 1)
