"""The move to funding with the count's differences (issue 20): paper sheets against paper
check-ins per site, ballots against voters per channel, listed on the confirmation page;
the move needs a written note acknowledging them (audited, kept with the results), through
the pages and the API alike; without differences no note is asked."""

from sqlalchemy import select

from app.audit import AuditEntry
from app.processes.models import PhaseTransition, Process
from app.results.models import OfficialResult
from tests.helpers import answered, assert_error, hidden_fields, publish_results, send
from tests.paper.test_batches import enter, new_batch
from tests.test_organize_page import sign_in
from tests.voting.helpers import set_phase

SIX_AGAINST_FOUR = (
    "At Site 1, more paper sheets were typed in than residents checked in to vote on paper "
    "(sheets: 6; check-ins: 4; difference: 2)."
)
NOTE = "Two voters at Site 1 left without checking in; their sheets were counted."


def check_in(client, paper, n, *, mode="paper", site=None, start=0):
    """`n` residents checked in at `site` (site 0), by a poll worker there."""
    for k in range(start, start + n):
        r = client.post(
            f"/api/processes/{paper.world.process_id}/check-ins",
            headers=paper.first.headers,
            json={
                "site_id": site or paper.world.sites[0],
                "mode": mode,
                "identity": {
                    "name": f"Voter {k}",
                    "birth_date": f"1980-01-{k + 1:02d}",
                    "postal_code": "14605",
                },
            },
        )
        assert r.status_code == 201, r.text


def typed_in(client, paper, sheets):
    """A closed batch of `sheets` sheets at site 0, each typed in twice."""
    batch = new_batch(client, paper, sheets=sheets)
    for sheet in range(1, sheets + 1):
        for who in (paper.first, paper.second):
            assert enter(client, who, batch, sheet).status_code == 201
    closed = client.post(f"/api/paper-batches/{batch}/close", headers=paper.first.headers)
    assert closed.status_code == 200, closed.text


def phase_of(session_factory, pid):
    with session_factory() as session:
        return session.get(Process, pid).phase


def official(session_factory, pid):
    with session_factory() as session:
        return session.get(OfficialResult, pid)


def move_page(client, pid, **typed):
    return send(
        client,
        f"/organize/processes/{pid}/phase",
        {"reason": "Voting is over.", **typed},
        action=f"/organize/processes/{pid}/phase",
    )


def sent_after(client, pid, meanwhile, **typed):
    """The confirmation form as the page drew it, sent once `meanwhile` has happened."""
    page_address = f"/organize/processes/{pid}/phase"
    fields = hidden_fields(client.get(page_address).text, page_address)
    meanwhile()
    return client.post(
        page_address,
        data={**fields, "reason": "Voting is over.", **typed},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )


def test_the_page_lists_each_difference_and_the_move_needs_a_note(client, paper, session_factory):
    pid = paper.world.process_id
    set_phase(session_factory, pid, "voting", languages=["en", "es", "vi"])
    check_in(client, paper, 4)
    typed_in(client, paper, 6)
    sign_in(client, paper.organizer)
    page = client.get(f"/organize/processes/{pid}/phase")
    assert SIX_AGAINST_FOUR in page.text
    assert "Nothing is waiting" not in page.text
    assert "Site 2" not in page.text  # no difference there: not listed
    assert 'name="note"' in page.text and 'name="seen"' in page.text
    overview = client.get(f"/organize/processes/{pid}")  # says so before the page too
    assert SIX_AGAINST_FOUR in overview.text and "Nothing is waiting" not in overview.text
    assert "Moving on needs a written note acknowledging them." in overview.text

    # Without a note: back to the page, 422, the note field named; nothing changed.
    refused = move_page(client, pid)
    again = answered(client, refused, status=422)
    assert "Write a note acknowledging the differences" in again.text
    assert 'aria-invalid="true"' in again.text and "Voting is over." in again.text
    assert phase_of(session_factory, pid) == "voting"
    assert official(session_factory, pid) is None
    with session_factory() as session:
        last = session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc())).scalars()
        entry = next(iter(last))
        assert entry.action == "process.transition.funding" and entry.outcome == "refused"

    # With a note: funding, the note and the differences kept, audited.
    moved = move_page(client, pid, note=NOTE)
    assert moved.status_code == 303 and moved.headers["location"] == f"/organize/processes/{pid}"
    assert phase_of(session_factory, pid) == "funding"
    assert official(session_factory, pid) is not None
    with session_factory() as session:
        record = session.execute(
            select(PhaseTransition).where(PhaseTransition.to_phase == "funding")
        ).scalar_one()
        assert record.note == NOTE
        assert [d["text"] for d in record.differences] == [SIX_AGAINST_FOUR]
        audited = session.execute(
            select(AuditEntry).where(
                AuditEntry.action == "process.transition.funding", AuditEntry.outcome == "ok"
            )
        ).scalar_one()
        assert audited.detail["note"] == NOTE
        assert audited.detail["differences"] == [SIX_AGAINST_FOUR]

    # Shown with the results: the organizers' page and the public page, in their languages.
    staff = client.get(f"/organize/processes/{pid}/results")
    assert "Differences in the count, acknowledged" in staff.text
    assert NOTE in staff.text and SIX_AGAINST_FOUR in staff.text
    publish_results(client, paper.organizer.headers, pid)  # public once published
    client.cookies.clear()
    public = client.get(f"/processes/{pid}/results")
    assert "Differences in the count, acknowledged" in public.text
    assert NOTE in public.text and SIX_AGAINST_FOUR in public.text
    spanish = client.get(f"/processes/{pid}/results?lang=es")
    assert "Diferencias en el conteo, reconocidas" in spanish.text
    assert "En Site 1 se transcribieron más hojas de papel" in spanish.text
    assert NOTE in spanish.text


def test_the_api_applies_the_same_rule(client, paper, session_factory):
    pid = paper.world.process_id
    check_in(client, paper, 4)
    typed_in(client, paper, 6)
    url = f"/api/processes/{pid}/transitions"
    headers = paper.organizer.headers
    body = assert_error(
        client.post(url, headers=headers, json={"to": "funding", "reason": "Over."}),
        422,
        "note_needed",
    )
    assert body["field"] == "note" and body["differences"] == [SIX_AGAINST_FOUR]
    assert phase_of(session_factory, pid) == "voting"
    blank = {"to": "funding", "reason": "Over.", "note": "   "}
    assert_error(client.post(url, headers=headers, json=blank), 422, "note_needed")
    done = client.post(
        url, headers=headers, json={"to": "funding", "reason": "Over.", "note": NOTE}
    )
    assert done.status_code == 201, done.text
    assert done.json()["note"] == NOTE
    assert [d["text"] for d in done.json()["differences"]] == [SIX_AGAINST_FOUR]
    assert phase_of(session_factory, pid) == "funding"


def test_without_differences_no_note_is_asked(client, paper, session_factory):
    pid = paper.world.process_id
    check_in(client, paper, 3)
    typed_in(client, paper, 3)
    sign_in(client, paper.organizer)
    page = client.get(f"/organize/processes/{pid}/phase")
    assert "Nothing is waiting" in page.text and 'name="note"' not in page.text
    moved = move_page(client, pid)
    assert moved.status_code == 303 and moved.headers["location"] == f"/organize/processes/{pid}"
    assert phase_of(session_factory, pid) == "funding"
    with session_factory() as session:
        record = session.execute(
            select(PhaseTransition).where(PhaseTransition.to_phase == "funding")
        ).scalar_one()
        assert record.note is None and record.differences is None
    results = client.get(f"/organize/processes/{pid}/results")
    assert "Differences in the count" not in results.text


def test_ballots_against_voters_per_channel(client, paper, session_factory):
    """A kiosk check-in that never became a ballot is a difference of the kiosk channel."""
    pid = paper.world.process_id
    check_in(client, paper, 2, mode="kiosk")
    sign_in(client, paper.organizer)
    page = client.get(f"/organize/processes/{pid}/phase")
    assert (
        "At the kiosks, fewer ballots were cast than residents checked in to vote at a kiosk "
        "(ballots: 0; check-ins: 2; difference: 2)." in page.text
    )
    vietnamese = client.get(f"/organize/processes/{pid}/phase?lang=vi")
    assert "Tại máy bỏ phiếu (ki-ốt), số lá phiếu đã bỏ ít hơn" in vietnamese.text
    refused = move_page(client, pid)
    answered(client, refused, status=422)
    assert phase_of(session_factory, pid) == "voting"


def test_a_note_for_other_numbers_changes_nothing(client, paper, session_factory):
    """The page's differences are checked again at the move, under its lock: a check-in
    made after the page was shown makes the note one for other numbers."""
    pid = paper.world.process_id
    check_in(client, paper, 4)
    typed_in(client, paper, 6)
    sign_in(client, paper.organizer)
    refused = sent_after(client, pid, lambda: check_in(client, paper, 1, start=4), note=NOTE)
    again = answered(client, refused, status=409)
    assert "The differences have changed since this page was shown" in again.text
    assert "(sheets: 6; check-ins: 5; difference: 1)" in again.text
    assert NOTE in again.text  # what was typed is kept
    assert phase_of(session_factory, pid) == "voting"
    moved = move_page(client, pid, note=NOTE)
    assert moved.status_code == 303
    assert phase_of(session_factory, pid) == "funding"


def test_a_difference_that_appears_after_the_page_was_shown(client, paper, session_factory):
    """The page said nothing was waiting; a check-in lands before the organizer confirms:
    the move changes nothing and the page now lists the difference and asks for a note."""
    pid = paper.world.process_id
    check_in(client, paper, 3)
    typed_in(client, paper, 3)
    sign_in(client, paper.organizer)
    assert 'name="note"' not in client.get(f"/organize/processes/{pid}/phase").text
    refused = sent_after(client, pid, lambda: check_in(client, paper, 1, start=3))
    again = answered(client, refused, status=409)
    assert "The differences have changed since this page was shown" in again.text
    assert "(sheets: 3; check-ins: 4; difference: 1)" in again.text
    assert 'name="note"' in again.text
    assert phase_of(session_factory, pid) == "voting"
