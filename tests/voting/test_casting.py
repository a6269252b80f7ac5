"""Casting online: credentials, rankings, phase and window; every refusal changes nothing."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db import utcnow
from app.voting.models import AccessCode, Ballot
from tests.voting.helpers import (
    audit_entries,
    counts,
    refusals_counted,
    set_phase,
    throttle_rows,
)


def cast(client, process_id, credential, ranking):
    return client.post(
        f"/api/processes/{process_id}/ballots",
        json={"credential": credential, "ranking": ranking},
    )


def put_rules(client, organizer, process_id, **rules):
    r = client.put(
        f"/api/processes/{process_id}/voting-rules", json=rules, headers=organizer.headers
    )
    assert r.status_code == 200, r.text


def test_a_code_casts_one_secret_ballot_with_a_receipt(client, world, codes, session_factory):
    (code,) = codes(1)
    r = cast(client, world.process_id, {"access_code": code}, world.proposals[:3])
    assert r.status_code == 201, r.text
    receipt = r.json()["receipt"]
    assert counts(session_factory) == {
        "ballots": 1,
        "participation": 1,
        "receipts": 1,
        "codes_used": 1,
        "tickets_used": 0,
    }
    with session_factory() as s:
        ballot = s.execute(select(Ballot)).scalar_one()
    assert ballot.ranking == world.proposals[:3]
    assert (ballot.channel, ballot.site_id, ballot.cast_on) == ("online", None, utcnow().date())
    assert len(ballot.id) == 32
    # The receipt answers "counted" and nothing about the content.
    r = client.get(f"/api/processes/{world.process_id}/receipts/{receipt.lower()}")
    assert r.status_code == 200 and r.json()["status"] == "counted"
    r = client.get(f"/api/processes/{world.process_id}/receipts/AAAA-BBBB-CCCC-DDDD")
    assert r.status_code == 404
    r = client.get(f"/api/processes/{world.other_process_id}/receipts/{receipt}")
    assert r.status_code == 404
    # The audit entry names the process and channel only.
    (entry,) = [e for e in audit_entries(session_factory, "ballot.cast") if e.outcome == "ok"]
    assert entry.target == f"process:{world.process_id}"
    assert entry.detail == {"channel": "online"}


def test_the_same_code_twice_is_a_used_code(client, world, codes, session_factory):
    (code,) = codes(1)
    assert (
        cast(client, world.process_id, {"access_code": code}, world.proposals[:1]).status_code
        == 201
    )
    before = counts(session_factory)
    r = cast(client, world.process_id, {"access_code": code.lower()}, world.proposals[1:2])
    # Whoever holds a spent code may never have voted (a mailing mixed up): say what to do.
    assert r.status_code == 409 and r.json()["error"] == "code_used"
    assert "organizers" in r.json()["message"]
    assert counts(session_factory) == before


def test_a_guessed_code_is_401_audited_without_the_code(client, world, codes, session_factory):
    codes(3)
    from app.voting.credentials import new_access_code

    guess = new_access_code()
    before = counts(session_factory)
    r = cast(client, world.process_id, {"access_code": guess}, world.proposals[:1])
    assert r.status_code == 401 and r.json()["error"] == "bad_credential"
    assert counts(session_factory) == before
    # Anonymous: counted by kind, not chained (a guesser must not flood the chain).
    counted = refusals_counted(client, session_factory, "ballot.")
    assert counted == {"ballot.credential 401 bad_credential": 1}
    everything = json.dumps([[e.target, e.detail] for e in audit_entries(session_factory)])
    everything += json.dumps(list(counted))
    assert guess.replace("-", "") not in everything.replace("-", "")
    assert throttle_rows(session_factory) == 1


def test_guessing_is_slowed_down_even_for_a_right_code(
    client, world, codes, session_factory, settings
):
    """Wrong codes count per address against a ceiling far above a few typing slips, so
    five residents' mistakes at a library (one address) lock out nobody behind it; past
    the ceiling even a right code waits."""
    first, second = codes(2)
    from app.voting.credentials import new_access_code

    settings.throttle_address_free_failures = 12
    for _ in range(5):  # the old lockout: five wrong codes from one shared address
        r = cast(client, world.process_id, {"access_code": new_access_code()}, world.proposals[:1])
        assert r.status_code == 401
    assert (
        cast(client, world.process_id, {"access_code": first}, world.proposals[:1]).status_code
        == 201
    )
    for _ in range(12 - 5):
        r = cast(client, world.process_id, {"access_code": new_access_code()}, world.proposals[:1])
        assert r.status_code == 401
    before = counts(session_factory)
    r = cast(client, world.process_id, {"access_code": second}, world.proposals[:1])
    assert r.status_code == 429 and r.json()["error"] == "ballot_throttled"
    assert int(r.headers["Retry-After"]) > 0
    assert counts(session_factory) == before


def test_a_typo_is_422_and_neither_a_guess_nor_audited(client, world, codes, session_factory):
    (code,) = codes(1)
    plain = code.replace("-", "")
    typo = plain[:3] + ("Z" if plain[3] != "Z" else "Y") + plain[4:]
    before, audited = counts(session_factory), len(audit_entries(session_factory))
    for _ in range(8):  # more than the free failures: a typo never locks anyone out
        r = cast(client, world.process_id, {"access_code": typo}, world.proposals[:1])
        assert r.status_code == 422
        assert "typo" in r.json()["message"] and r.json()["field"] == "credential.access_code"
    assert counts(session_factory) == before
    assert len(audit_entries(session_factory)) == audited
    assert throttle_rows(session_factory) == 0
    assert (
        cast(client, world.process_id, {"access_code": code}, world.proposals[:1]).status_code
        == 201
    )


def test_a_voided_code_is_refused(client, organizer, world, codes, session_factory):
    first, second = codes(2)
    r = client.post(
        f"/api/processes/{world.process_id}/access-codes/void",
        json={"code": first},
        headers=organizer.headers,
    )
    assert r.status_code == 200 and r.json() == {"voided": 1}
    before = counts(session_factory)
    r = cast(client, world.process_id, {"access_code": first}, world.proposals[:1])
    assert r.status_code == 401 and r.json()["error"] == "credential_voided"
    assert counts(session_factory) == before
    r = client.post(
        f"/api/processes/{world.process_id}/access-codes/void",
        json={"label": "mail-1"},
        headers=organizer.headers,
    )
    assert r.json() == {"voided": 1}
    assert (
        cast(client, world.process_id, {"access_code": second}, world.proposals[:1]).status_code
        == 401
    )
    assert counts(session_factory) == before


def test_a_code_of_another_process_is_refused(client, world, codes, session_factory):
    (foreign,) = codes(1, label="other", process_id=world.other_process_id)
    before = counts(session_factory)
    r = cast(client, world.process_id, {"access_code": foreign}, world.proposals[:1])
    assert r.status_code == 401
    assert counts(session_factory) == before


@pytest.mark.parametrize(
    "make_ranking",
    [
        lambda w: [],
        lambda w: w.proposals[:6],  # ballot_size is 5
        lambda w: [w.proposals[0], w.proposals[1], w.proposals[0]],
        lambda w: [w.proposals[0], w.other_proposal],
        lambda w: [w.draft_proposal],
        lambda w: [2**31 - 1],
    ],
    ids=["empty", "too_long", "repeat", "other_process", "not_on_ballot", "unknown"],
)
def test_bad_rankings_store_nothing_and_spend_no_code(
    client, world, codes, session_factory, make_ranking
):
    (code,) = codes(1)
    before = counts(session_factory)
    r = cast(client, world.process_id, {"access_code": code}, make_ranking(world))
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "bad_ranking" and r.json()["field"] == "ranking"
    assert counts(session_factory) == before
    assert refusals_counted(client, session_factory, "ballot.") == {
        "ballot.cast 422 bad_ranking": 1
    }
    # The code is still good.
    assert (
        cast(client, world.process_id, {"access_code": code}, world.proposals[:1]).status_code
        == 201
    )


@pytest.mark.parametrize(
    "ranking", [["1"], [1.0], "1,2", [None], [True]], ids=["str", "float", "text", "null", "bool"]
)
def test_malformed_rankings_are_422(client, world, codes, session_factory, ranking):
    (code,) = codes(1)
    before = counts(session_factory)
    r = cast(client, world.process_id, {"access_code": code}, ranking)
    assert r.status_code == 422
    assert counts(session_factory) == before


@pytest.mark.parametrize(
    "credential",
    [
        {},
        {"access_code": None},
        {"kiosk_ticket": "ABCDE-FGHJK"},
        {"kiosk_token": "x"},
        {"identity": {"name": "A", "birth_date": "1990-01-01"}},
        {"identity": {"name": "A", "birth_date": "not a date", "postal_code": "1"}},
        {"access_code": "x", "password": "y"},
    ],
)
def test_malformed_credentials_are_422(client, world, session_factory, credential):
    before = counts(session_factory)
    r = cast(client, world.process_id, credential, world.proposals[:1])
    assert r.status_code == 422
    assert counts(session_factory) == before


@pytest.mark.parametrize("phase", ["design", "proposal_development", "funding", "closed"])
def test_no_ballot_outside_voting(client, world, codes, session_factory, phase):
    (code,) = codes(1)
    set_phase(session_factory, world.process_id, phase)
    before = counts(session_factory)
    r = cast(client, world.process_id, {"access_code": code}, world.proposals[:1])
    assert r.status_code == 409 and r.json()["error"] == "wrong_phase"
    assert counts(session_factory) == before
    assert refusals_counted(client, session_factory, "ballot.") == {
        "ballot.cast 409 wrong_phase": 1
    }


@pytest.mark.parametrize("when", ["before", "after"])
def test_no_ballot_outside_the_window(client, world, codes, session_factory, when):
    (code,) = codes(1)
    now = utcnow()
    window = (
        {"voting_opens_at": now + timedelta(days=1), "voting_closes_at": now + timedelta(days=2)}
        if when == "before"
        else {
            "voting_opens_at": now - timedelta(days=2),
            "voting_closes_at": now - timedelta(days=1),
        }
    )
    set_phase(session_factory, world.process_id, "voting", **window)
    before = counts(session_factory)
    r = cast(client, world.process_id, {"access_code": code}, world.proposals[:1])
    assert r.status_code == 409
    assert r.json()["error"] == ("voting_not_open" if when == "before" else "voting_closed")
    assert counts(session_factory) == before


def test_unknown_process_is_404(client, world, codes):
    (code,) = codes(1)
    assert cast(client, 999_999, {"access_code": code}, [1]).status_code == 404


# --- identity ---------------------------------------------------------------------------


def identity(name="Ana María López", birth="1990-04-02", postal="14604"):
    return {"identity": {"name": name, "birth_date": birth, "postal_code": postal}}


def test_identity_votes_once_however_it_is_typed(client, organizer, world, session_factory):
    set_phase(session_factory, world.process_id, "design")
    put_rules(client, organizer, world.process_id, credential="identity", min_age=16)
    set_phase(session_factory, world.process_id, "voting")
    r = cast(client, world.process_id, identity(), world.proposals[:2])
    assert r.status_code == 201, r.text
    before = counts(session_factory)
    r = cast(
        client,
        world.process_id,
        identity(name="  ana maria  LOPEZ", postal=" 14604 "),
        [world.proposals[3]],
    )
    assert r.status_code == 409 and r.json()["error"] == "already_voted"
    assert counts(session_factory) == before
    everything = json.dumps([[e.target, e.detail] for e in audit_entries(session_factory)]).lower()
    assert "ana" not in everything and "1990" not in everything
    # A code is not what this process asks for online.
    r = cast(client, world.process_id, {"access_code": "0000-0000-0000-0"}, world.proposals[:1])
    assert r.status_code == 422 and r.json()["error"] == "credential_missing"
    assert counts(session_factory) == before


def test_a_zip_plus_4_is_its_zip_code_and_the_same_person(
    client, organizer, world, session_factory
):
    set_phase(session_factory, world.process_id, "design")
    put_rules(client, organizer, world.process_id, credential="identity", postal_codes=["14605"])
    set_phase(session_factory, world.process_id, "voting")
    r = cast(client, world.process_id, identity(postal="14605-1234"), world.proposals[:2])
    assert r.status_code == 201, r.text
    before = counts(session_factory)
    for postal in ("14605", "14605-9876", "146051234"):
        r = cast(client, world.process_id, identity(postal=postal), [world.proposals[3]])
        assert r.status_code == 409 and r.json()["error"] == "already_voted", postal
    assert counts(session_factory) == before


@pytest.mark.parametrize("postal", ["1460", "14605-12", "ROCHESTER"])
def test_a_malformed_zip_is_422_saying_how_to_write_it(
    client, organizer, world, session_factory, postal
):
    set_phase(session_factory, world.process_id, "design")
    put_rules(client, organizer, world.process_id, credential="identity", postal_codes=["14605"])
    set_phase(session_factory, world.process_id, "voting")
    before = counts(session_factory)
    r = cast(client, world.process_id, identity(postal=postal), world.proposals[:1])
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "postal_code_format"
    assert r.json()["field"] == "identity.postal_code" and "5 digits" in r.json()["message"]
    assert counts(session_factory) == before


@pytest.mark.parametrize(
    "who,field",
    [
        (identity(birth="2015-01-01"), "identity.birth_date"),
        (identity(postal="99999"), "identity.postal_code"),
    ],
)
def test_ineligible_identity_is_403(client, organizer, world, session_factory, who, field):
    set_phase(session_factory, world.process_id, "design")
    put_rules(
        client,
        organizer,
        world.process_id,
        credential="identity",
        min_age=16,
        postal_codes=["14604", "14 605"],
    )
    set_phase(session_factory, world.process_id, "voting")
    before = counts(session_factory)
    r = cast(client, world.process_id, who, world.proposals[:1])
    assert r.status_code == 403
    assert r.json()["error"] == "not_eligible" and r.json()["field"] == field
    assert counts(session_factory) == before
    assert list(refusals_counted(client, session_factory, "ballot.")) == [
        "ballot.eligibility 403 not_eligible"
    ]


def test_both_needs_code_and_identity_and_each_votes_once(
    client, organizer, world, codes, session_factory
):
    set_phase(session_factory, world.process_id, "design")
    put_rules(client, organizer, world.process_id, credential="both")
    set_phase(session_factory, world.process_id, "voting")
    first, second = codes(2)
    before = counts(session_factory)
    r = cast(client, world.process_id, {"access_code": first}, world.proposals[:1])
    assert r.status_code == 422 and r.json()["field"] == "credential.identity"
    assert counts(session_factory) == before
    r = cast(client, world.process_id, {"access_code": first, **identity()}, world.proposals[:1])
    assert r.status_code == 201
    before = counts(session_factory)
    # The same person with a second code: refused, and the second code stays unspent.
    r = cast(client, world.process_id, {"access_code": second, **identity()}, world.proposals[:1])
    assert r.status_code == 409 and r.json()["error"] == "already_voted"
    assert counts(session_factory) == before


def test_ballots_are_immutable_in_the_service(client, world, codes, session_factory):
    from app.errors import Conflict

    (code,) = codes(1)
    assert (
        cast(client, world.process_id, {"access_code": code}, world.proposals[:2]).status_code
        == 201
    )
    with session_factory() as s:
        ballot = s.execute(select(Ballot)).scalar_one()
        ballot.ranking = world.proposals[2:4]
        s.add(ballot)
        with pytest.raises(Conflict):
            s.flush()
        s.rollback()
        ballot = s.execute(select(Ballot)).scalar_one()
        s.delete(ballot)
        with pytest.raises(Conflict):
            s.flush()
        s.rollback()
    with session_factory() as s:
        assert s.execute(select(Ballot)).scalar_one().ranking == world.proposals[:2]
    # No route changes or deletes a ballot.
    for method in ("put", "patch", "delete"):
        r = getattr(client, method)(f"/api/processes/{world.process_id}/ballots")
        assert r.status_code == 405


def test_codes_are_stored_only_hashed(client, world, codes, session_factory):
    plain = {c.replace("-", "") for c in codes(5)}
    with session_factory() as s:
        hashes = set(s.execute(select(AccessCode.code_hash)).scalars())
    assert len(hashes) == 5 and not hashes & plain
    assert all(len(h) == 64 for h in hashes)
