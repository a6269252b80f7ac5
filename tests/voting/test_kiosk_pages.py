"""The kiosk and vote pages on a shared device: private pages are `no-store`, casting
redirects (post-redirect-get), the receipt is shown once, a kiosk holds no staff session,
and a kiosk ticket is refused before the ballot is shown. (Back in a real browser:
tests/browser/test_kiosk.py.)"""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from app.db import utcnow
from app.processes.models import Process
from app.sites.models import Site
from app.voting.models import KioskTicket
from app.web.i18n import translate
from tests.people.helpers import sign_out
from tests.voting.helpers import counts, set_phase
from tests.voting.test_casting import identity
from tests.voting.test_in_person import check_in

ORIGIN = {"Origin": "http://testserver"}
SELECTED = re.compile(r"<option[^>]*\bselected\b")


def sign_in(client, staff):
    r = client.post(
        "/station/login",
        headers=ORIGIN,
        follow_redirects=False,
        data={"email": staff.user.email, "password": staff.password},
    )
    assert r.status_code == 303, r.text


def open_kiosk(client, staff, site):
    sign_in(client, staff)
    r = client.post(f"/station/sites/{site}/kiosk", headers=ORIGIN, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/kiosk", r.text
    return r


def ticket_for(client, worker, world, name="Kim Kiosk", site=None):
    r = check_in(client, worker, world, site=site, **identity(name=name))
    assert r.status_code == 201, r.text
    return r.json()["kiosk_ticket"]


def ranks(world, n=5):
    return {f"rank_{i}": str(p) for i, p in enumerate(world.proposals[:n], start=1)}


@pytest.fixture
def kiosk(client, poll_worker, world):
    """This client is the first site's kiosk (the poll worker signed in, then opened it)."""
    open_kiosk(client, poll_worker, world.sites[0])
    return client


def start(client, ticket, **headers):
    return client.post(
        "/kiosk/ballot",
        data={"kiosk_ticket": ticket},
        headers={**ORIGIN, **headers},
        follow_redirects=False,
    )


def test_opening_the_kiosk_signs_the_device_out_of_staff_pages(client, poll_worker, world):
    sign_in(client, poll_worker)
    assert "Polling station" in client.get("/station").text
    r = open_kiosk(client, poll_worker, world.sites[0])
    staff = [c for c in r.headers.get_list("set-cookie") if c.startswith("pbvote_staff=")]
    assert staff and "Max-Age=0" in staff[0]  # the device's copy is gone
    assert "pbvote_staff" not in client.cookies and "pbvote_kiosk" in client.cookies
    home = client.get("/kiosk")
    assert home.status_code == 200 and 'href="/station"' not in home.text
    station = client.get("/station")
    assert "Polling station" not in station.text and 'name="password"' in station.text


@pytest.mark.parametrize("ending", ["kiosk", "logout"])
def test_the_sign_in_ends_on_the_server_too(client, poll_worker, world, ending):
    """A copy of the staff cookie taken before the device became a kiosk (or signed out)
    opens nothing afterwards, on any device, as a cookie or as a bearer token."""
    sign_in(client, poll_worker)
    token = client.cookies["pbvote_staff"]
    assert client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"}).is_success
    if ending == "kiosk":
        r = client.post(
            f"/station/sites/{world.sites[0]}/kiosk", headers=ORIGIN, follow_redirects=False
        )
        assert r.headers["location"] == "/kiosk"
    else:
        r = sign_out(client)
        assert r.status_code == 303
    client.cookies.clear()
    client.cookies.set("pbvote_staff", token)
    station = client.get("/station")
    assert station.status_code == 200 and 'name="password"' in station.text  # the sign-in
    assert "Polling station" not in station.text
    me = client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401 and "ended" in me.json()["message"]
    assert poll_worker.headers  # other sign-ins of the same person go on
    assert client.get("/api/users/me", headers=poll_worker.headers).is_success


def test_a_kiosk_device_ignores_a_staff_cookie_it_kept(client, poll_worker, world):
    """If the browser kept (or got back) the staff cookie, the server still refuses it."""
    sign_in(client, poll_worker)
    staff_token = client.cookies["pbvote_staff"]
    open_kiosk(client, poll_worker, world.sites[0])
    client.cookies.set("pbvote_staff", staff_token)
    station = client.get("/station")
    assert "pbvote_staff=" in station.request.headers["cookie"]
    assert "Polling station" not in station.text and "open as a voting kiosk" in station.text
    kiosk = client.get("/kiosk")
    assert kiosk.status_code == 200 and 'name="kiosk_ticket"' in kiosk.text
    assert 'href="/station"' not in kiosk.text
    checked_in = client.post(
        f"/station/sites/{world.sites[0]}/check-in",
        headers=ORIGIN,
        follow_redirects=False,
        data={"name": "Sam", "birth_date": "1980-01-01", "postal_code": "14604"},
    )
    assert checked_in.status_code == 303 and checked_in.headers["location"] == "/station"
    # Signing in again turns the device back into staff's: the kiosk closes.
    client.cookies.delete("pbvote_staff")
    sign_in(client, poll_worker)
    assert "pbvote_kiosk" not in client.cookies
    assert "Polling station" in client.get("/station").text


def test_a_kiosk_vote_redirects_and_shows_the_receipt_once(
    kiosk, poll_worker, world, session_factory
):
    ticket = ticket_for(kiosk, poll_worker, world)
    r = start(kiosk, ticket)
    assert r.status_code == 303 and r.headers["location"] == "/kiosk/ballot"
    ballot = kiosk.get("/kiosk/ballot")
    assert ballot.status_code == 200 and ballot.text.count("<select") == 5
    assert not SELECTED.search(ballot.text) and ticket not in ballot.text
    assert 'autocomplete="off"' in ballot.text and 'href="/station"' not in ballot.text

    cast = kiosk.post("/kiosk/cast", data=ranks(world), headers=ORIGIN, follow_redirects=False)
    assert cast.status_code == 303 and cast.headers["location"] == "/kiosk/done"
    assert cast.headers["cache-control"] == "no-store"
    done = kiosk.get("/kiosk/done", follow_redirects=False)
    receipt = re.search(r'class="receipt"><code>([^<]+)</code>', done.text).group(1)
    assert done.status_code == 200 and "/static/private.js" in done.text
    assert 'href="/station"' not in done.text
    # The check's address to take home, not a link that would stay on the kiosk's screen.
    check = f"/processes/{world.process_id}/receipt?code={receipt}"
    assert f'<code class="address">http://testserver{check}</code>' in done.text
    assert f'href="{check}"' not in done.text

    # Back, a reload or the next voter: neither the receipt nor the ballot comes back.
    for path in ("/kiosk/done", "/kiosk/ballot"):
        again = kiosk.get(path, follow_redirects=False)
        assert again.status_code == 303 and again.headers["location"] == "/kiosk"
        assert receipt not in again.text
    before = counts(session_factory)
    resent = kiosk.post("/kiosk/cast", data=ranks(world), headers=ORIGIN, follow_redirects=False)
    assert resent.status_code == 303 and resent.headers["location"] == "/kiosk"
    assert counts(session_factory) == before == {**before, "ballots": 1, "tickets_used": 1}


@pytest.mark.parametrize(
    "path",
    [
        "/kiosk",
        "/kiosk/ballot",
        "/kiosk/done",
        "/station",
        "/organize",
        "/delegate",
        "/processes/{pid}/vote",
        "/processes/{pid}/vote/done",
        "/processes/{pid}/receipt",
        "/processes/{pid}/ideas/new",
    ],
)
def test_pages_for_one_person_are_kept_by_no_browser(client, world, path):
    r = client.get(path.format(pid=world.process_id), follow_redirects=False)
    assert r.headers["cache-control"] == "no-store", (path, r.status_code)


def test_public_pages_stay_cacheable_unless_someone_is_signed_in(
    client, poll_worker, world, organizer
):
    pid = world.process_id
    for path in ("/", f"/processes/{pid}", f"/processes/{pid}/ballot", "/static/site.css"):
        answer = client.get(path)
        assert answer.status_code == 200 and "cache-control" not in answer.headers, path
    home = client.get("/")
    assert home.status_code == 200 and "private.js" not in home.text
    api = client.get(f"/api/processes/{pid}/turnout", headers=organizer.headers)
    assert api.headers["cache-control"] == "no-store"  # answered for a signed-in organizer
    sign_in(client, poll_worker)
    home = client.get("/")
    assert home.headers["cache-control"] == "no-store" and "private.js" in home.text
    css = client.get("/static/site.css")
    assert css.status_code == 200 and "cache-control" not in css.headers


@pytest.mark.parametrize(
    ("spoil", "status", "key"),
    [
        ("forged", 401, "error.bad_ticket"),
        ("spent", 409, "error.ticket_used"),
        ("expired", 401, "error.ticket_expired"),
        ("other_site", 403, "kiosk.ticket_other_site"),
    ],
)
def test_a_ticket_that_cannot_vote_is_refused_before_the_ballot(
    kiosk, client, organizer, poll_worker, world, session_factory, spoil, status, key
):
    if spoil == "other_site":
        r = client.post(
            f"/api/sites/{world.sites[1]}/poll-workers",
            json={"user_id": poll_worker.user.id},
            headers=organizer.headers,
        )
        assert r.status_code == 201, r.text
    ticket = ticket_for(
        kiosk, poll_worker, world, site=world.sites[1] if spoil == "other_site" else None
    )
    if spoil == "forged":
        ticket = "AAAAA-BBBBB"
    elif spoil == "spent":
        start(kiosk, ticket)
        kiosk.post("/kiosk/cast", data=ranks(world, 1), headers=ORIGIN)
    elif spoil == "expired":
        with session_factory() as session:
            session.execute(update(KioskTicket).values(expires_at=utcnow() - timedelta(seconds=1)))
            session.commit()
    with session_factory() as session:
        session.get(Process, world.process_id).languages = ["en", "es", "vi"]
        session.commit()
    before = counts(session_factory)
    r = start(kiosk, ticket, **{"Accept-Language": "es"})
    assert r.status_code == 303 and ticket not in r.headers["location"]  # the kiosk's start
    assert ticket not in r.headers.get("set-cookie", "")  # sealed, not readable in a cookie
    home = r.headers["location"]
    r = kiosk.get(home, headers={"Accept-Language": "es"})
    assert r.status_code == status
    # What was typed comes back to correct, marked, in this one answer only.
    assert f'value="{ticket}" aria-invalid="true" aria-describedby="ticket-error' in r.text
    assert r.headers["cache-control"] == "no-store"
    again = kiosk.get(home, headers={"Accept-Language": "es"})
    assert ticket not in again.text and 'aria-invalid="true"' not in again.text
    if spoil == "other_site":  # the site the ticket belongs to is named
        with session_factory() as session:
            site = session.get(Site, world.sites[1]).name
        assert translate("es", key, site=site) in r.text
    else:
        assert translate("es", key) in r.text
    assert "<select" not in r.text
    assert "pbvote_kiosk_voter=" in r.headers.get("set-cookie", "")  # no voter is kept
    assert kiosk.get("/kiosk/ballot", follow_redirects=False).status_code == 303
    assert counts(session_factory) == before


def test_the_ticket_survives_a_language_switch(kiosk, poll_worker, world, session_factory):
    with session_factory() as session:
        session.get(Process, world.process_id).languages = ["en", "es", "vi"]
        session.commit()
    assert start(kiosk, ticket_for(kiosk, poll_worker, world)).status_code == 303
    english = kiosk.get("/kiosk/ballot")
    assert 'form="ballot" formnovalidate name="switch_lang" value="es"' in english.text
    # The language button posts the ranking so far: shown again in Spanish, kept.
    one = {"rank_1": str(world.proposals[1])}
    switched = kiosk.post("/kiosk/cast", data={**one, "switch_lang": "es"}, headers=ORIGIN)
    assert switched.status_code == 200 and translate("es", "vote.review") in switched.text
    assert len(SELECTED.findall(switched.text)) == 1
    # A refused ranking is shown again (after a redirect), with buttons that keep it.
    twice = {"rank_1": str(world.proposals[0]), "rank_2": str(world.proposals[0])}
    refused = kiosk.post("/kiosk/cast", data=twice, headers=ORIGIN)
    assert refused.status_code == 422 and 'name="switch_lang" value="vi"' in refused.text
    assert len(SELECTED.findall(refused.text)) == 2  # the voter's own choices, to correct
    vietnamese = kiosk.post("/kiosk/cast", data={**twice, "switch_lang": "vi"}, headers=ORIGIN)
    assert translate("vi", "vote.review") in vietnamese.text
    assert len(SELECTED.findall(vietnamese.text)) == 2
    cast = kiosk.post("/kiosk/cast", data=ranks(world), headers=ORIGIN, follow_redirects=False)
    assert cast.headers["location"] == "/kiosk/done"
    assert translate("vi", "vote.thanks_title") in kiosk.get("/kiosk/done").text
    assert "lang" not in kiosk.cookies  # the next voter starts in the kiosk's language


def test_the_kiosk_home_starts_each_voter_afresh(kiosk, poll_worker, world):
    """A voter who walks away from the ballot: the poll worker taps the kiosk's home."""
    assert start(kiosk, ticket_for(kiosk, poll_worker, world)).status_code == 303
    assert kiosk.get("/kiosk/ballot").status_code == 200
    kiosk.get("/kiosk")
    assert kiosk.get("/kiosk/ballot", follow_redirects=False).headers["location"] == "/kiosk"


def vote_online(client, world, code, n):
    """The thank-you page after casting on the vote page, and the receipt it shows."""
    pid = world.process_id
    r = client.post(
        f"/processes/{pid}/vote",
        data={"access_code": code, **ranks(world, n)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/processes/{pid}/vote/done"
    assert r.headers["cache-control"] == "no-store"
    done = client.get(f"/processes/{pid}/vote/done", follow_redirects=False)
    assert done.status_code == 200 and "receipt" in done.text
    return done, re.search(r'class="receipt"><code>([^<]+)</code>', done.text).group(1)


def test_an_online_vote_redirects_and_shows_the_receipt_again_for_a_while(client, world, codes):
    (code,) = codes(1)
    pid = world.process_id
    done, receipt = vote_online(client, world, code, 3)
    again = client.get(f"/processes/{pid}/vote/done", follow_redirects=False)
    assert again.status_code == 200 and receipt in again.text  # a reload keeps it
    assert "data-print" in again.text  # and it can be printed
    form = client.get(f"/processes/{pid}/vote")
    assert receipt not in form.text and code not in form.text and not SELECTED.search(form.text)
    assert 'autocomplete="off"' in form.text
    # Sent again: refused, saying the code was used, and what was sent is there to correct.
    again = client.post(f"/processes/{pid}/vote", data={"access_code": code, **ranks(world, 3)})
    assert again.status_code == 409
    assert translate("en", "error.code_used") in again.text
    assert translate("en", "error.already_voted") not in again.text


def test_a_flash_is_for_its_page_only_and_cannot_be_forged(client, world, codes):
    (code,) = codes(1)
    pid = world.process_id
    client.post(f"/processes/{pid}/vote", data={"access_code": code, **ranks(world, 1)})
    client.cookies.clear()  # the receipt's own flash gone: only the forged one is sent
    client.cookies.set("pbvote_flash", "forged.value", path=f"/processes/{pid}/vote/done")
    r = client.get(f"/processes/{pid}/vote/done", follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/kiosk/done", follow_redirects=False).status_code == 303


def test_the_thank_you_page_links_to_the_receipt_check_filled_in(client, world, codes):
    (code,) = codes(1)
    pid = world.process_id
    done, receipt = vote_online(client, world, code, 2)
    check = f"/processes/{pid}/receipt?code={receipt}"
    assert f'href="{check}"' in done.text
    assert translate("en", "receipt.check_this") in done.text
    # Opening the link checks the code at once, nothing to retype.
    page = client.get(check)
    assert f'value="{receipt}"' in page.text
    assert translate("en", "receipt.counted") in page.text


def test_the_process_page_links_to_the_receipt_check_from_voting_on(client, world, session_factory):
    pid = world.process_id
    link = f'href="/processes/{pid}/receipt"'
    assert link in client.get(f"/processes/{pid}").text
    set_phase(session_factory, pid, "closed")
    assert link in client.get(f"/processes/{pid}").text
    set_phase(session_factory, pid, "design")
    design = client.get(f"/processes/{pid}")
    assert design.status_code == 200 and "<h1>Test PB</h1>" in design.text
    assert link not in design.text


def test_the_vote_page_says_how_to_write_a_zip_and_keeps_the_form(
    client, organizer, world, session_factory
):
    pid = world.process_id
    set_phase(session_factory, pid, "design")
    rules = {"credential": "identity", "postal_codes": ["14605"]}
    r = client.put(f"/api/processes/{pid}/voting-rules", json=rules, headers=organizer.headers)
    assert r.status_code == 200, r.text
    set_phase(session_factory, pid, "voting")
    person = {"name": "Ana Lopez", "birth_date": "1990-04-02", **ranks(world, 1)}
    bad = client.post(f"/processes/{pid}/vote", data={**person, "postal_code": "1460"})
    assert bad.status_code == 422
    assert translate("en", "error.postal_code_format") in bad.text
    assert translate("en", "error.not_eligible") not in bad.text
    assert 'value="Ana Lopez"' in bad.text  # nothing to type again but the ZIP
    plus_4 = {**person, "postal_code": "14605-1234"}
    r = client.post(f"/processes/{pid}/vote", data=plus_4, follow_redirects=False)
    assert r.status_code == 303
