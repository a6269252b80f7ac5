"""Poll workers, kiosks and check-in; one person, one ballot across channels."""

import re
from datetime import timedelta

from sqlalchemy import select, update

from app.db import utcnow
from app.users.models import Role
from app.voting.models import Ballot, KioskTicket, Participation
from app.web.i18n import translate
from tests.helpers import form_token
from tests.voting.helpers import audit_entries, counts, refusals_counted, set_phase
from tests.voting.test_casting import cast, identity, put_rules


def check_in(client, worker, world, *, site=None, mode="kiosk", **credential):
    return client.post(
        f"/api/processes/{world.process_id}/check-ins",
        json={"site_id": site or world.sites[0], "mode": mode, **credential},
        headers=worker.headers,
    )


def open_kiosk(client, worker, world, site=None):
    r = client.post(
        f"/api/processes/{world.process_id}/kiosks",
        json={"site_id": site or world.sites[0]},
        headers=worker.headers,
    )
    assert r.status_code == 201, r.text
    return r.json()["kiosk_token"]


def kiosk_cast(client, world, ticket, token, ranking=None):
    return cast(
        client,
        world.process_id,
        {"kiosk_ticket": ticket, "kiosk_token": token},
        ranking or world.proposals[:5],
    )


def test_kiosk_voter_checks_in_and_casts_once(client, poll_worker, world, session_factory):
    token = open_kiosk(client, poll_worker, world)
    r = check_in(client, poll_worker, world, **identity())
    assert r.status_code == 201, r.text
    ticket = r.json()["kiosk_ticket"]
    assert r.json()["mode"] == "kiosk" and ticket
    r = kiosk_cast(client, world, ticket.lower(), token)
    assert r.status_code == 201, r.text
    with session_factory() as s:
        ballot = s.execute(select(Ballot)).scalar_one()
        participation = s.execute(select(Participation)).scalar_one()
    assert (ballot.channel, ballot.site_id) == ("kiosk", world.sites[0])
    assert (participation.channel, participation.site_id) == ("kiosk", world.sites[0])
    assert participation.access_code_id is None and len(participation.person_key) == 64
    before = counts(session_factory)
    r = kiosk_cast(client, world, ticket, token)
    assert r.status_code == 409 and r.json()["error"] == "already_voted"
    assert counts(session_factory) == before
    checkin = [e for e in audit_entries(session_factory, "voting.check_in")]
    assert [e.detail for e in checkin] == [{"mode": "kiosk"}]
    assert [
        e.detail for e in audit_entries(session_factory, "ballot.cast") if e.outcome == "ok"
    ] == [{"channel": "kiosk"}]


def test_paper_check_in_records_participation_only(
    client, poll_worker, world, codes, session_factory
):
    (code,) = codes(1)
    r = check_in(client, poll_worker, world, mode="paper", access_code=code)
    assert r.status_code == 201 and r.json()["kiosk_ticket"] is None
    with session_factory() as s:
        (p,) = s.execute(select(Participation)).scalars()
    assert (p.channel, p.site_id, p.person_key) == ("paper", world.sites[0], None)
    assert counts(session_factory)["ballots"] == 0
    # ...and that code cannot vote online any more.
    before = counts(session_factory)
    r = cast(client, world.process_id, {"access_code": code}, world.proposals[:1])
    assert r.status_code == 409 and r.json()["error"] == "code_used"
    assert counts(session_factory) == before


def test_online_then_in_person_is_refused(
    client, organizer, poll_worker, world, codes, session_factory
):
    set_phase(session_factory, world.process_id, "design")
    put_rules(client, organizer, world.process_id, credential="both")
    set_phase(session_factory, world.process_id, "voting")
    code, other_code = codes(2)
    assert (
        cast(
            client, world.process_id, {"access_code": code, **identity()}, world.proposals[:1]
        ).status_code
        == 201
    )
    before = counts(session_factory)
    for credential, error in (
        ({"access_code": code, **identity(name="Someone Else")}, "code_used"),
        ({"access_code": other_code, **identity(name="ANA MARIA LOPEZ")}, "already_voted"),
    ):
        for mode in ("kiosk", "paper"):
            r = check_in(client, poll_worker, world, mode=mode, **credential)
            assert r.status_code == 409 and r.json()["error"] == error, r.text
    assert counts(session_factory) == before
    with session_factory() as s:
        assert s.execute(select(KioskTicket)).first() is None


def test_in_person_then_online_is_refused(
    client, organizer, poll_worker, world, codes, session_factory
):
    set_phase(session_factory, world.process_id, "design")
    put_rules(client, organizer, world.process_id, credential="identity")
    set_phase(session_factory, world.process_id, "voting")
    token = open_kiosk(client, poll_worker, world)
    ticket = check_in(client, poll_worker, world, **identity()).json()["kiosk_ticket"]
    assert kiosk_cast(client, world, ticket, token).status_code == 201
    before = counts(session_factory)
    r = cast(client, world.process_id, identity(), world.proposals[:1])
    assert r.status_code == 409 and r.json()["error"] == "already_voted"
    r = check_in(client, poll_worker, world, mode="paper", **identity())
    assert r.status_code == 409
    assert counts(session_factory) == before


def test_in_person_by_code_then_online_is_refused(
    client, poll_worker, world, codes, session_factory
):
    (code,) = codes(1)
    token = open_kiosk(client, poll_worker, world)
    ticket = check_in(client, poll_worker, world, access_code=code).json()["kiosk_ticket"]
    assert kiosk_cast(client, world, ticket, token).status_code == 201
    before = counts(session_factory)
    r = cast(client, world.process_id, {"access_code": code}, world.proposals[:1])
    assert r.status_code == 409 and r.json()["error"] == "code_used"
    assert counts(session_factory) == before


def test_a_ticket_from_another_site_is_refused(
    client, organizer, poll_worker, world, session_factory
):
    r = client.post(
        f"/api/sites/{world.sites[1]}/poll-workers",
        json={"user_id": poll_worker.user.id},
        headers=organizer.headers,
    )
    assert r.status_code == 201
    other_kiosk = open_kiosk(client, poll_worker, world, site=world.sites[1])
    ticket = check_in(client, poll_worker, world, **identity()).json()["kiosk_ticket"]
    before = counts(session_factory)
    r = kiosk_cast(client, world, ticket, other_kiosk)
    assert r.status_code == 403 and r.json()["error"] == "ticket_wrong_site"
    assert counts(session_factory) == before
    # The ticket still works at its own site's kiosk.
    assert (
        kiosk_cast(client, world, ticket, open_kiosk(client, poll_worker, world)).status_code == 201
    )


def test_expired_forged_or_unsigned_tickets_are_refused(
    client, poll_worker, world, session_factory
):
    token = open_kiosk(client, poll_worker, world)
    ticket = check_in(client, poll_worker, world, **identity()).json()["kiosk_ticket"]
    with session_factory() as s:
        s.execute(update(KioskTicket).values(expires_at=utcnow() - timedelta(seconds=1)))
        s.commit()
    before = counts(session_factory)
    r = kiosk_cast(client, world, ticket, token)
    assert r.status_code == 401 and r.json()["error"] == "ticket_expired"
    r = kiosk_cast(client, world, "AAAAA-BBBBB", token)
    assert r.status_code == 401 and r.json()["error"] == "bad_ticket"
    r = kiosk_cast(client, world, ticket, token + "x")
    assert r.status_code == 401 and r.json()["error"] == "kiosk_not_open"
    assert counts(session_factory) == before
    counted = refusals_counted(client, session_factory, "ballot.kiosk")
    assert sum(counted.values()) == 3
    assert all(ticket not in kind for kind in counted)


def test_a_kiosk_of_another_process_is_refused(
    client, organizer, make_staff, world, session_factory
):
    from tests.voting.helpers import add_sites

    with session_factory() as s:
        (other_site,) = add_sites(s, world.other_process_id, 1)
        s.commit()
    worker = make_staff(Role.poll_worker)
    for site in (world.sites[0], other_site):
        client.post(
            f"/api/sites/{site}/poll-workers",
            json={"user_id": worker.user.id},
            headers=organizer.headers,
        )
    other_world = type(world)(world.other_process_id, [world.other_proposal], [other_site], 0, 0, 0)
    foreign_token = open_kiosk(client, worker, other_world)
    ticket = check_in(client, worker, world, **identity()).json()["kiosk_ticket"]
    before = counts(session_factory)
    r = kiosk_cast(client, world, ticket, foreign_token)
    assert r.status_code == 403 and r.json()["error"] == "wrong_kiosk"
    assert counts(session_factory) == before


def test_only_assigned_poll_workers_check_in(client, make_staff, world, session_factory):
    stranger = make_staff(Role.poll_worker)
    before = counts(session_factory)
    r = check_in(client, stranger, world, **identity())
    assert r.status_code == 403 and r.json()["error"] == "not_assigned"
    r = client.post(
        f"/api/processes/{world.process_id}/kiosks",
        json={"site_id": world.sites[0]},
        headers=stranger.headers,
    )
    assert r.status_code == 403
    r = check_in(client, make_staff(Role.delegate), world, **identity())
    assert r.status_code == 403
    r = client.post(
        f"/api/processes/{world.process_id}/check-ins",
        json={"site_id": world.sites[0], "mode": "kiosk", **identity()},
    )
    assert r.status_code == 401
    assert counts(session_factory) == before


def test_check_in_refusals(client, organizer, poll_worker, world, session_factory):
    set_phase(session_factory, world.process_id, "design")
    put_rules(client, organizer, world.process_id, credential="code", min_age=18)
    set_phase(session_factory, world.process_id, "voting")
    before = counts(session_factory)
    r = check_in(client, poll_worker, world, **identity(birth="2015-01-01"))
    assert r.status_code == 403 and r.json()["error"] == "not_eligible"
    r = check_in(client, poll_worker, world, mode="online", **identity())
    assert r.status_code == 422
    r = check_in(client, poll_worker, world)
    assert r.status_code == 422
    r = check_in(client, poll_worker, world, site=999_999, **identity())
    assert r.status_code == 404
    set_phase(session_factory, world.process_id, "funding")
    r = check_in(client, poll_worker, world, **identity())
    assert r.status_code == 409
    assert counts(session_factory) == before


def test_poll_worker_assignment_rules(client, organizer, make_staff, world, session_factory):
    from tests.voting.helpers import add_sites

    with session_factory() as s:
        (event,) = add_sites(s, world.process_id, 1, kind="event")
        s.commit()
    worker = make_staff(Role.poll_worker)
    url = f"/api/sites/{world.sites[0]}/poll-workers"
    assert (
        client.post(url, json={"user_id": worker.user.id}, headers=worker.headers).status_code
        == 403
    )
    r = client.post(
        url, json={"user_id": make_staff(Role.delegate).user.id}, headers=organizer.headers
    )
    assert r.status_code == 422
    assert client.post(url, json={"user_id": 999_999}, headers=organizer.headers).status_code == 404
    r = client.post(
        f"/api/sites/{event}/poll-workers",
        json={"user_id": worker.user.id},
        headers=organizer.headers,
    )
    assert r.status_code == 422
    assert (
        client.post(
            "/api/sites/999999/poll-workers",
            json={"user_id": worker.user.id},
            headers=organizer.headers,
        ).status_code
        == 404
    )
    assert (
        client.post(url, json={"user_id": worker.user.id}, headers=organizer.headers).status_code
        == 201
    )
    assert (
        client.post(url, json={"user_id": worker.user.id}, headers=organizer.headers).status_code
        == 201
    )
    assert len(audit_entries(session_factory, "voting.poll_worker")) == 1


def test_turnout_counts_channels_sites_and_days_never_people(
    client, organizer, poll_worker, world, codes, session_factory
):
    online = codes(3)
    for code in online:
        assert (
            cast(client, world.process_id, {"access_code": code}, world.proposals[:2]).status_code
            == 201
        )
    token = open_kiosk(client, poll_worker, world)
    for n in range(2):
        ticket = check_in(client, poll_worker, world, **identity(name=f"Voter {n}")).json()[
            "kiosk_ticket"
        ]
        assert kiosk_cast(client, world, ticket, token).status_code == 201
    assert (
        check_in(client, poll_worker, world, mode="paper", **identity(name="Paper")).status_code
        == 201
    )
    r = client.get(f"/api/processes/{world.process_id}/turnout", headers=organizer.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    today = utcnow().date().isoformat()
    assert body["ballots"] == 5 and body["voters"] == 6
    assert body["ballots_by_channel"] == {"online": 3, "kiosk": 2, "paper": 0}
    assert body["check_ins_by_channel"] == {"online": 3, "kiosk": 2, "paper": 1}
    assert sorted(
        (row["channel"], row["site_id"], row["day"], row["ballots"])
        for row in body["ballots_by_site_and_day"]
    ) == [
        ("kiosk", world.sites[0], today, 2),
        ("online", None, today, 3),
    ]
    assert (
        client.get(
            f"/api/processes/{world.process_id}/turnout", headers=poll_worker.headers
        ).status_code
        == 403
    )
    assert client.get(f"/api/processes/{world.process_id}/turnout").status_code == 401


def under_rule(client, organizer, world, session_factory, credential: str) -> None:
    """The world's process in voting under this credential rule (set while in design)."""
    set_phase(session_factory, world.process_id, "design")
    put_rules(client, organizer, world.process_id, credential=credential)
    set_phase(session_factory, world.process_id, "voting")


def test_under_both_a_check_in_needs_identity_and_code(
    client, organizer, make_staff, poll_worker, world, codes, session_factory
):
    """One person, identity at one site and the code at another, got two check-ins."""
    under_rule(client, organizer, world, session_factory, "both")
    other_worker = make_staff(Role.poll_worker)
    r = client.post(
        f"/api/sites/{world.sites[1]}/poll-workers",
        json={"user_id": other_worker.user.id},
        headers=organizer.headers,
    )
    assert r.status_code == 201, r.text
    (code,) = codes(1)
    before = counts(session_factory)
    first = check_in(client, poll_worker, world, mode="paper", **identity())
    second = check_in(
        client, other_worker, world, site=world.sites[1], mode="paper", access_code=code
    )
    for refused, field in ((first, "access_code"), (second, "identity")):
        assert refused.status_code == 422 and refused.json()["error"] == "credential_missing"
        assert refused.json()["field"] == field
        assert "identity and access_code" in refused.json()["message"]
    assert counts(session_factory) == before
    turnout = client.get(f"/api/processes/{world.process_id}/turnout", headers=organizer.headers)
    assert turnout.json()["voters"] == 0
    refusals = audit_entries(session_factory, "voting.check_in")
    assert [entry.outcome for entry in refusals] == ["refused", "refused"]

    both = check_in(client, poll_worker, world, mode="paper", access_code=code, **identity())
    assert both.status_code == 201, both.text
    again = check_in(client, other_worker, world, site=world.sites[1], mode="paper", **identity())
    assert again.status_code == 422
    turnout = client.get(f"/api/processes/{world.process_id}/turnout", headers=organizer.headers)
    assert turnout.json()["voters"] == 1


def test_under_identity_a_check_in_needs_the_identity(
    client, organizer, poll_worker, world, codes, session_factory
):
    under_rule(client, organizer, world, session_factory, "identity")
    (code,) = codes(1)
    before = counts(session_factory)
    r = check_in(client, poll_worker, world, mode="paper", access_code=code)
    assert r.status_code == 422 and r.json()["field"] == "identity"
    assert counts(session_factory) == before


def test_the_station_page_checks_in_with_identity_and_code_under_both(
    client, organizer, poll_worker, world, codes, session_factory
):
    under_rule(client, organizer, world, session_factory, "both")
    (code,) = codes(1)
    origin = {"Origin": "http://testserver"}
    signed_in = client.post(
        "/station/login",
        headers=origin,
        data={"email": poll_worker.user.email, "password": poll_worker.password},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    person = {"name": "Ana María López", "birth_date": "1990-04-02", "postal_code": "14604"}
    url = f"/station/sites/{world.sites[0]}/check-in"
    before = counts(session_factory)
    token = form_token()  # the station page's form, sent three times: fixed twice, then done
    person = {**person, "form_token": token}
    refused = client.post(url, headers=origin, data={**person, "mode": "paper"})
    assert refused.status_code == 422 and "access_code" not in refused.text.split("<form")[0]
    said = f"{translate('en', 'station.access_code')}: {translate('en', 'vote.err_access_code')}"
    assert said in refused.text
    assert re.search(r'<input id="code-\d+" name="access_code" aria-invalid="true"', refused.text)
    assert 'value="Ana María López"' in refused.text  # what was typed comes back
    typo = client.post(url, headers=origin, data={**person, "mode": "paper", "access_code": "O0"})
    assert typo.status_code == 422
    assert counts(session_factory) == before
    done = client.post(url, headers=origin, data={**person, "mode": "paper", "access_code": code})
    assert done.status_code == 200 and "Checked in" in done.text
    # Sent again (Back + send, a reload of a slow answer): nobody is checked in twice.
    again = client.post(url, headers=origin, data={**person, "mode": "paper", "access_code": code})
    assert again.status_code == 200 and "sent already" in again.text
    assert counts(session_factory)["participation"] == before["participation"] + 1
