"""One phase check: every change bound to a phase reads its process with
`process_for_change(..., allowed=RULE)`, and the rule table in app/processes/phases.py says
which phases allow what. A refusal is 409 with the rule's words, audited as the staff member;
a missing process is 404; sign-in is still checked first."""

from datetime import timedelta

import pytest

from app.audit import Actor
from app.db import utcnow
from app.errors import Conflict
from app.processes import phases
from app.processes import service as processes
from app.processes.models import Process
from app.processes.phases import ORDER, Phase, PhaseRule
from app.processes.service import window_of
from tests.helpers import assert_error, refused_by
from tests.voting.helpers import build_world, set_phase

CODES = "/api/processes/{pid}/access-codes"
VOID = "/api/processes/{pid}/access-codes/void"
RULES = {name: rule for name, rule in vars(phases).items() if isinstance(rule, PhaseRule)}


@pytest.mark.parametrize(
    "path,body,action",
    [
        (CODES, {"count": 2, "label": "late"}, "voting.access_codes"),
        (VOID, {"label": "late"}, "voting.access_codes.void"),
    ],
)
def test_the_wrong_phase_is_refused_with_the_rules_words_and_audited(
    client, session, session_factory, organizer, path, body, action
):
    world = build_world(session_factory)
    set_phase(session_factory, world.process_id, "funding")
    r = client.post(path.format(pid=world.process_id), json=body, headers=organizer.headers)
    error = assert_error(r, 409, "wrong_phase")
    assert error["message"] == (
        "Access codes are made or withdrawn only while the process is in design or "
        "idea_collection or proposal_development or voting; it is in funding."
    )
    [entry] = refused_by(session, organizer.user.id)
    assert (entry.action, entry.target) == (action, f"process:{world.process_id}")
    assert entry.detail["status"] == 409 and entry.detail["error"] == "wrong_phase"


def test_a_missing_process_is_404_and_sign_in_comes_first(client, session_factory, organizer):
    world = build_world(session_factory)
    missing = world.process_id + 1000
    body = {"count": 1, "label": "x"}
    r = client.post(CODES.format(pid=missing), json=body, headers=organizer.headers)
    assert_error(r, 404, "not_found")
    set_phase(session_factory, world.process_id, "funding")
    assert_error(client.post(CODES.format(pid=world.process_id), json=body), 401)


def test_in_its_phase_the_route_runs(client, session_factory, organizer):
    world = build_world(session_factory)
    set_phase(session_factory, world.process_id, "voting")
    body = {"count": 2, "label": "late"}
    r = client.post(CODES.format(pid=world.process_id), json=body, headers=organizer.headers)
    assert r.status_code == 201 and len(r.json()["codes"]) == 2


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_allows_its_phases_and_refuses_the_others_in_words(name):
    rule = RULES[name]
    assert rule.phases and rule.phases <= set(ORDER)
    for phase in ORDER:
        process = type("P", (), {"id": 7, "phase": phase.value})()
        assert rule.allows(phase.value) == (phase in rule.phases)
        if phase in rule.phases:
            rule.require(process, action="x")  # nothing raised
            continue
        with pytest.raises(Exception) as refused:
            rule.require(process, action="some.action")
        error = refused.value
        assert error.status_code == 409 and error.audit == ("some.action", "process:7")
        if phase == Phase.closed:
            assert error.message.startswith("The process is closed")
        else:
            assert f"it is in {phase.value}." in error.message
            assert rule.doing in error.message
        past = ORDER.index(phase) > max(ORDER.index(p) for p in rule.phases)
        assert (rule.why_after if past and rule.why_after else rule.why) in error.message
        assert error.code == (rule.code_after if past and rule.code_after else rule.code)


def test_a_window_form_made_for_an_older_window_changes_nothing(session_factory, make_staff):
    """Two organizers send the window form drawn for the same window: the service compares
    what each was made for with the window under its lock, so the second changes nothing."""
    world = build_world(session_factory)
    set_phase(session_factory, world.process_id, "voting")
    organizer = make_staff()
    actor = Actor(role="organizer", user_id=organizer.user.id)
    with session_factory() as session:
        made_for = window_of(session.get(Process, world.process_id))
    later = utcnow() + timedelta(days=3)
    with session_factory() as session:
        first = processes.change_window(
            session=session,
            actor=actor,
            process_id=world.process_id,
            closes_at=later,
            reason="Storm.",
            made_for=made_for,
        )
        session.commit()
    assert first.new_closes_at == later
    with session_factory() as session, pytest.raises(Conflict) as refused:
        processes.change_window(
            session=session,
            actor=actor,
            process_id=world.process_id,
            closes_at=later + timedelta(days=1),
            reason="Longer.",
            made_for=made_for,
        )
    assert refused.value.code == "window_changed" and refused.value.audit[0] == "process.window"
    with session_factory() as session:
        assert session.get(Process, world.process_id).voting_closes_at == later
        assert len(processes.window_changes(session=session, process_id=world.process_id)) == 1
