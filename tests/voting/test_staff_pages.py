"""The organizers' voting pages: access codes printed as cards and withdrawn by label, the
printable paper ballot per language, and live turnout."""

import base64
import re
from datetime import UTC, datetime

from sqlalchemy import select

from app.audit import AuditEntry
from app.processes.models import Process
from app.proposals.models import Proposal
from app.voting.models import AccessCode, AccessCodeBatch, Ballot
from app.voting.service import local_day
from tests.helpers import form_token
from tests.test_organize_page import ORIGIN, sign_in
from tests.voting.helpers import set_phase

CODE = re.compile(r"<code>([A-Z0-9-]{10,})</code>")


def vote(client, world, code):
    return client.post(
        f"/api/processes/{world.process_id}/ballots",
        json={"credential": {"access_code": code}, "ranking": world.proposals[:3]},
    )


def make_cards(client, world, count="12", label="library cards"):
    """The codes page's form, sent, and the page its 303 leads to."""
    return client.post(
        f"/organize/processes/{world.process_id}/codes",
        headers=ORIGIN,
        data={"count": count, "label": label, "form_token": form_token()},
    )


def test_codes_are_printed_once_as_cards_and_vote(client, organizer, world, session_factory):
    sign_in(client, organizer)
    page = make_cards(client, world)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert str(page.url).endswith("/codes/cards")  # a GET page: no code in its address
    codes = CODE.findall(page.text)
    assert len(codes) == 12 and len(set(codes)) == 12
    assert page.text.count('class="cut-card"') == 12
    assert f"http://testserver/processes/{world.process_id}/vote" in page.text
    assert "Test PB" in page.text and 'href="/static/organize.css"' in page.text
    # The CSV comes inside this one answer (a data: link), with the same codes.
    link = re.search(r'href="data:text/csv;base64,([^"]+)" download="([^"]+)"', page.text)
    csv_text = base64.b64decode(link.group(1)).decode()
    assert csv_text.splitlines()[0] == "batch,number,access_code"
    assert {row.split(",")[2] for row in csv_text.splitlines()[1:]} == set(codes)
    # Stored only hashed: no plain code anywhere in the code tables or the audit log.
    with session_factory() as session:
        hashes = set(session.execute(select(AccessCode.code_hash)).scalars())
        entries = [repr(e.detail) for e in session.execute(select(AuditEntry)).scalars()]
    stored = " ".join([*hashes, *entries])
    for code in codes:
        assert code not in stored and code.replace("-", "") not in stored
    # Shown once: a reload of the cards page (or Back to it) finds them gone and says so.
    again = client.get(page.url)
    assert not CODE.findall(again.text) and "shown once" in again.text
    assert vote(client, world, codes[0]).status_code == 201
    listing = client.get(f"/organize/processes/{world.process_id}/codes")
    assert listing.status_code == 200 and "library cards" in listing.text
    assert not CODE.findall(listing.text)  # never shown again
    row = re.search(r"library cards</th>(.*?)</tr>", listing.text, re.S).group(1)
    assert re.findall(r'class="num">(\d+)<', row) == ["12", "1", "0", "11"]


def test_cards_speak_every_language_of_the_process(client, organizer, world, session_factory):
    with session_factory() as session:
        process = session.get(Process, world.process_id)
        process.languages = ["en", "es", "vi"]
        process.translations = {"es": {"name": "PP de prueba"}}
        session.add(process)
        session.commit()
    sign_in(client, organizer)
    page = make_cards(client, world, count="2")
    card = page.text.split('<li class="cut-card">')[1]
    assert 'lang="es"' in card and 'lang="vi"' in card and 'lang="en"' in card
    assert "Vote en línea" in card and "Bỏ phiếu trực tuyến" in card


def test_a_batch_voided_by_label_stops_voting(client, organizer, world, session_factory):
    sign_in(client, organizer)
    codes = CODE.findall(make_cards(client, world, count="5", label="zone 3").text)
    assert vote(client, world, codes[0]).status_code == 201
    too_short = client.post(
        f"/organize/processes/{world.process_id}/codes/void",
        headers=ORIGIN,
        data={"label": "zone 3", "reason": "ab"},
    )
    assert too_short.status_code == 422 and vote(client, world, codes[1]).status_code == 201
    # What was typed is kept, the field to fix marked.
    assert '<option value="zone 3" selected>' in too_short.text
    assert re.search(r'<input id="void-reason"[^>]*value="ab" aria-invalid="true"', too_short.text)
    done = client.post(
        f"/organize/processes/{world.process_id}/codes/void",
        headers=ORIGIN,
        data={"label": "zone 3", "reason": "A box of cards was lost."},
    )
    assert done.status_code == 200 and "3 unused codes withdrawn" in done.text
    refused = vote(client, world, codes[2])
    assert refused.status_code == 401 and refused.json()["error"] == "credential_voided"
    with session_factory() as session:
        entry = session.execute(
            select(AuditEntry).where(
                AuditEntry.action == "voting.access_codes.void", AuditEntry.outcome == "ok"
            )
        ).scalar_one()
    assert entry.detail["reason"] == "A box of cards was lost." and entry.detail["voided"] == 3
    unknown = client.post(
        f"/organize/processes/{world.process_id}/codes/void",
        headers=ORIGIN,
        data={"label": "no such batch", "reason": "typo"},
    )
    assert unknown.status_code == 404 and "no such batch" in unknown.text


def test_codes_page_refusals_change_nothing(client, organizer, world, session_factory):
    sign_in(client, organizer)
    assert make_cards(client, world, count="0").status_code == 422
    assert make_cards(client, world, count="١٢").status_code == 422
    assert make_cards(client, world, count="3", label="dup").status_code == 200
    again = make_cards(client, world, count="3", label="dup")
    assert again.status_code == 409 and "already a batch" in again.text
    no_origin = client.post(
        f"/organize/processes/{world.process_id}/codes",
        data={"count": "3", "label": "x", "form_token": form_token()},
    )
    assert no_origin.status_code == 403
    set_phase(session_factory, world.process_id, "funding")
    late = make_cards(client, world, count="3", label="late")
    assert late.status_code == 409
    with session_factory() as session:
        assert session.execute(select(AccessCodeBatch.label)).scalars().all() == ["dup"]


def test_only_organizers_see_the_pages(client, make_staff, world):
    from app.users.models import Role

    for path in ("codes", "paper-ballot", "turnout"):
        r = client.get(f"/organize/processes/{world.process_id}/{path}", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/station"
    worker = make_staff(Role.poll_worker)
    client.post(
        "/station/login",
        headers=ORIGIN,
        data={"email": worker.user.email, "password": worker.password},
    )
    r = client.get(f"/organize/processes/{world.process_id}/codes", follow_redirects=False)
    assert r.status_code == 403 and "signed in as a poll worker" in r.text


def test_the_paper_ballot_in_the_asked_language(client, organizer, world, session_factory):
    with session_factory() as session:
        process = session.get(Process, world.process_id)
        process.languages, process.ballot_size = ["en", "es"], 4
        session.add(process)
        first = session.get(Proposal, world.proposals[0])
        first.translations = {"es": {"title": "Recuperación de alimentos", "summary": "…"}}
        session.add(first)
        session.commit()
    sign_in(client, organizer)
    spanish = client.get(f"/organize/processes/{world.process_id}/paper-ballot?lang=es")
    assert spanish.status_code == 200 and '<html lang="es" dir="ltr">' in spanish.text
    assert "Recuperación de alimentos" in spanish.text and "Proposal 2" in spanish.text
    assert "Draft" not in spanish.text  # only approved proposals are on the ballot
    assert "Cómo marcar esta boleta" in spanish.text and "$10,000" in spanish.text
    # Boxes 1..ballot_size for each of the six proposals.
    assert spanish.text.count('class="rank-box"') == 6 * 4
    english = client.get(f"/organize/processes/{world.process_id}/paper-ballot?lang=en")
    assert "Proposal 1" in english.text and "How to mark this ballot" in english.text
    # Printing a language's ballot does not switch the organizer's own pages to it.
    assert "lang" not in spanish.headers.get("set-cookie", "")
    assert "lang" not in client.cookies
    codes = client.get(f"/organize/processes/{world.process_id}/codes")
    assert '<html lang="en" dir="ltr">' in codes.text


def test_turnout_counts_channels_sites_and_local_days(
    client, organizer, world, codes, session_factory
):
    with session_factory() as session:
        process = session.get(Process, world.process_id)
        process.time_zone = "America/New_York"
        session.add(process)
        session.commit()
        # 20:00 in New York on 3 May is 00:00 UTC on 4 May: the ballot is New York's 3 May.
        assert local_day(process, datetime(2027, 5, 4, 0, 0, tzinfo=UTC)).isoformat() == (
            "2027-05-03"
        )
    for code in codes(3):
        assert vote(client, world, code).status_code == 201
    with session_factory() as session:
        days = set(session.execute(select(Ballot.cast_on)).scalars())
    sign_in(client, organizer)
    page = client.get(f"/organize/processes/{world.process_id}/turnout")
    assert page.status_code == 200
    assert f'href="/organize/processes/{world.process_id}/equity"' in page.text
    online = re.search(r"online</th><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)", page.text)
    assert online.groups() == ("3", "3")
    assert "Site 1" in page.text and "Site 2" in page.text
    assert len(days) == 1 and "America/New_York" in page.text


def test_the_api_keeps_a_voiding_reason_too(client, organizer, world, codes, session_factory):
    codes(3, label="api batch")
    r = client.post(
        f"/api/processes/{world.process_id}/access-codes/void",
        headers=organizer.headers,
        json={"label": "api batch", "reason": "Mailed to the wrong street."},
    )
    assert r.status_code == 200 and r.json() == {"voided": 3}
    with session_factory() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == "voting.access_codes.void")
        ).scalar_one()
    assert entry.detail["reason"] == "Mailed to the wrong street."


def test_turnout_counts_kiosk_and_paper_voters_by_site(
    client, organizer, poll_worker, world, codes
):
    from tests.voting.test_casting import identity
    from tests.voting.test_in_person import check_in, kiosk_cast, open_kiosk

    token = open_kiosk(client, poll_worker, world)
    ticket = check_in(client, poll_worker, world, **identity(name="Kim Kiosk")).json()
    assert kiosk_cast(client, world, ticket["kiosk_ticket"], token).status_code == 201
    for name in ("Pat Paper", "Lee Paper"):
        r = check_in(client, poll_worker, world, mode="paper", **identity(name=name))
        assert r.status_code == 201, r.text
    assert vote(client, world, codes(1)[0]).status_code == 201
    sign_in(client, organizer)
    page = client.get(f"/organize/processes/{world.process_id}/turnout").text

    def cells(row_header: str) -> list[str]:
        row = re.search(rf">{row_header}</th>(.*?)</tr>", page, re.S).group(1)
        return re.findall(r'class="num">(?:<strong>)?(-?\d+)', row)

    assert cells("at a kiosk") == ["1", "1"]
    assert cells("on paper") == ["2", "0"]  # two checked in, no sheet typed in yet
    assert cells("Total") == ["4", "2"]
    # Site 1: 3 check-ins, 1 kiosk ballot, 2 paper check-ins, 0 sheets, 0 - 2 = -2.
    assert cells("Site 1") == ["3", "1", "2", "0", "-2"]
    assert cells("Site 2") == ["0", "0", "0", "0", "0"]


def test_a_missing_process_is_a_404_page(client, organizer):
    sign_in(client, organizer)
    for path in ("codes", "paper-ballot", "turnout", "paper", "results", "awards"):
        r = client.get(f"/organize/processes/999999/{path}", headers={"Accept": "text/html"})
        assert r.status_code == 404 and "There is no PB process" in r.text, path
    r = client.post(
        "/organize/processes/999999/codes", headers=ORIGIN, data={"count": "2", "label": "x"}
    )
    assert r.status_code == 404
