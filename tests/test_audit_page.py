"""The organizers' audit page: newest first, by kind and by person, paged, times in UTC
and local, and the chain verified as `pbvote audit verify` does (a tampered one is broken)."""

import re

from sqlalchemy import select, update

from app.audit import AuditEntry, AuditHead, InstanceKey
from tests.helpers import PROCESS
from tests.test_organize_page import ORIGIN, sign_in


def make_processes(client, staff, n):
    for i in range(n):
        body = {**PROCESS, "name": f"PB {i}", "time_zone": "America/New_York"}
        r = client.post("/api/processes", json=body, headers=staff.headers)
        assert r.status_code == 201, r.text


def seqs(text):
    return [int(s) for s in re.findall(r'<th scope="row" class="num">(\d+)</th>', text)]


def test_the_log_newest_first_filtered_and_paged(client, organizer, make_staff, session):
    other = make_staff()
    make_processes(client, organizer, 3)
    make_processes(client, other, 1)
    sign_in(client, organizer)
    page = client.get("/organize/audit")
    assert page.status_code == 200
    shown = seqs(page.text)
    assert shown == sorted(shown, reverse=True) and len(shown) >= 4
    newest = session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc())).scalars().first()
    assert shown[0] == newest.seq
    mine = client.get(f"/organize/audit?person={organizer.user.id}&kind=process")
    rows = seqs(mine.text)
    expected = (
        session.execute(
            select(AuditEntry.seq)
            .where(
                AuditEntry.actor_id == organizer.user.id, AuditEntry.action.startswith("process")
            )
            .order_by(AuditEntry.seq.desc())
        )
        .scalars()
        .all()
    )
    assert rows == expected and len(rows) == 3
    theirs = client.get(f"/organize/audit?person={other.user.id}")
    assert len(seqs(theirs.text)) >= 1 and set(seqs(theirs.text)).isdisjoint(rows)
    # UTC and the processes' local time, side by side.
    assert "Time (UTC)" in page.text and "Time (America/New_York)" in page.text
    older = client.get(f"/organize/audit?before={shown[1]}")
    assert seqs(older.text)[0] == shown[2]
    nonsense = client.get("/organize/audit?kind=nope&person=abc&before=x&zone=Mars/Base")
    assert nonsense.status_code == 200


def test_verify_says_the_chain_holds(client, organizer, session):
    make_processes(client, organizer, 1)
    sign_in(client, organizer)
    assert client.post("/organize/audit/verify").status_code == 403  # same-origin only
    r = client.post("/organize/audit/verify", headers=ORIGIN)
    assert r.status_code == 200 and "The chain holds" in r.text
    head = session.get(AuditHead, 1)
    assert f"entry {head.seq}, hash {head.hash}" in r.text


def test_a_tampered_chain_is_reported_broken(client, organizer, session):
    make_processes(client, organizer, 2)
    sign_in(client, organizer)
    first = (
        session.execute(
            select(AuditEntry).where(AuditEntry.action == "process.create").order_by(AuditEntry.seq)
        )
        .scalars()
        .first()
    )
    session.execute(
        update(AuditEntry)
        .where(AuditEntry.seq == first.seq)
        .values(detail={**first.detail, "name": "Changed afterwards"})
    )
    session.commit()
    r = client.post("/organize/audit/verify", headers=ORIGIN)
    assert r.status_code == 200 and "The chain is broken" in r.text
    assert f"Entry {first.seq} is wrong" in r.text and "changed after writing" in r.text


def test_a_moved_key_mark_is_reported_as_the_record(client, organizer, session):
    make_processes(client, organizer, 1)
    sign_in(client, organizer)
    session.execute(update(InstanceKey).values(keyed_from=InstanceKey.keyed_from + 1))
    session.commit()
    r = client.post("/organize/audit/verify", headers=ORIGIN)
    assert r.status_code == 200 and "The chain is broken" in r.text
    assert "The record of the chain&#39;s key" in r.text and "seal does not verify" in r.text


def test_only_organizers_read_the_log(client, make_staff):
    from app.users.models import Role

    assert client.get("/organize/audit", follow_redirects=False).status_code == 303
    worker = make_staff(Role.poll_worker)
    client.post(
        "/station/login",
        headers=ORIGIN,
        data={"email": worker.user.email, "password": worker.password},
    )
    refused = client.get("/organize/audit", follow_redirects=False)
    assert refused.status_code == 403 and "signed in as a poll worker" in refused.text
    assert (
        client.post("/organize/audit/verify", headers=ORIGIN, follow_redirects=False).status_code
        == 403
    )
