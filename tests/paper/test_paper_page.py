"""The organizers' paper page: batches listed, one excluded with a reason, a CSV of typed-in
sheets loaded by file upload (a bad file is refused whole, nothing stored)."""

from sqlalchemy import select

from app.audit import AuditEntry
from app.paper.models import PaperBatch
from tests.paper.test_batches import new_batch, rows
from tests.paper.test_import_and_count import PASS_1, PASS_2, load
from tests.test_organize_page import ORIGIN, sign_in


def upload(client, pid, batch, data, name="pass.csv"):
    return client.post(
        f"/organize/processes/{pid}/paper/import",
        headers=ORIGIN,
        data={"batch": str(batch)},
        files={"file": (name, data, "text/csv")},
    )


def test_the_page_lists_batches_and_shows_the_format(client, paper):
    batch = new_batch(client, paper, sheets=3)
    sign_in(client, paper.organizer)
    page = client.get(f"/organize/processes/{paper.world.process_id}/paper")
    assert page.status_code == 200
    assert f'href="/organize/batches/{batch}"' in page.text and "Site 1" in page.text
    assert "sheet,pass,marks,flag" in page.text and 'enctype="multipart/form-data"' in page.text
    assert f'href="/organize/processes/{paper.world.process_id}/paper-ballot"' in page.text


def test_two_uploaded_passes_settle_a_batch(client, paper, session_factory):
    pid = paper.world.process_id
    batch = new_batch(client, paper, sheets=3)
    sign_in(client, paper.organizer)
    first = upload(client, pid, batch, PASS_1)
    assert first.status_code == 200, first.text
    assert "3 rows read: 3 sheet entries stored, 0 already there" in first.text
    again = upload(client, pid, batch, PASS_1)
    assert again.status_code == 200 and "loaded before; nothing changed" in again.text
    # The second pass is another person's (double entry): the same person is refused.
    same_person = upload(client, pid, batch, PASS_2)
    assert same_person.status_code == 409 and rows(session_factory)["PaperEntry"] == 3
    assert load(client, paper.first, batch, PASS_2).status_code == 200
    info = client.get(f"/api/paper-batches/{batch}", headers=paper.first.headers).json()
    assert info["sheets_settled"] == 3


def test_a_bad_file_is_refused_whole_and_names_its_line(client, paper, session_factory):
    pid = paper.world.process_id
    batch = new_batch(client, paper, sheets=3)
    sign_in(client, paper.organizer)
    before = rows(session_factory)
    bad = upload(client, pid, batch, PASS_1.replace(b"3,1,1:2", b"4,1,1:2"))
    assert bad.status_code == 422 and "line 4" in bad.text and 'role="alert"' in bad.text
    assert rows(session_factory) == before
    empty = upload(client, pid, batch, b"")
    assert empty.status_code == 422 and rows(session_factory) == before
    with session_factory() as session:
        refused = (
            session.execute(
                select(AuditEntry).where(
                    AuditEntry.action == "paper.import", AuditEntry.outcome == "refused"
                )
            )
            .scalars()
            .all()
        )
    assert refused and refused[0].actor_id == paper.organizer.user.id


def test_a_large_upload_passes_the_body_limit_on_this_page_only(client, paper, session_factory):
    pid = paper.world.process_id
    batch = new_batch(client, paper, sheets=3)
    sign_in(client, paper.organizer)
    padding = b"\n" * 400_000  # over the 256 KiB form limit; blank lines are skipped
    big = upload(client, pid, batch, PASS_1 + padding)
    assert big.status_code == 200, big.text[:300]
    elsewhere = client.post(
        f"/organize/processes/{pid}/paper/exclude",
        headers=ORIGIN,
        data={"batch": str(batch), "reason": "x" * 400_000},
    )
    assert elsewhere.status_code == 413


def test_exclude_a_batch_with_a_reason(client, paper, session_factory):
    pid = paper.world.process_id
    batch = new_batch(client, paper, sheets=3)
    sign_in(client, paper.organizer)
    no_reason = client.post(
        f"/organize/processes/{pid}/paper/exclude", headers=ORIGIN, data={"batch": str(batch)}
    )
    assert no_reason.status_code == 422
    done = client.post(
        f"/organize/processes/{pid}/paper/exclude",
        headers=ORIGIN,
        data={"batch": str(batch), "reason": "The box was found unsealed."},
    )
    assert done.status_code == 200 and f"Paper batch {batch} is excluded" in done.text
    assert "The box was found unsealed." in done.text
    with session_factory() as session:
        stored = session.get(PaperBatch, batch)
        assert (stored.status, stored.status_reason) == ("excluded", "The box was found unsealed.")
    twice = client.post(
        f"/organize/processes/{pid}/paper/exclude",
        headers=ORIGIN,
        data={"batch": str(batch), "reason": "Again."},
    )
    assert twice.status_code == 200 and f"Paper batch {batch} is excluded already" in twice.text
    with session_factory() as session:
        assert session.get(PaperBatch, batch).status_reason == "The box was found unsealed."
    late = upload(client, pid, batch, PASS_1)
    assert late.status_code == 409


def test_a_batch_of_another_process_is_not_this_pages(client, paper, session_factory):
    batch = new_batch(client, paper, sheets=3)
    sign_in(client, paper.organizer)
    other = paper.world.other_process_id
    r = client.post(
        f"/organize/processes/{other}/paper/exclude",
        headers=ORIGIN,
        data={"batch": str(batch), "reason": "Wrong page."},
    )
    assert r.status_code == 404
    with session_factory() as session:
        assert session.get(PaperBatch, batch).status == "open"
    assert upload(client, other, batch, PASS_1).status_code == 404
