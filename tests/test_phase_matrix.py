"""Every mutating endpoint in every phase: allowed where the rules say, refused elsewhere.

The table below names, for each POST/PUT/PATCH/DELETE route of the app, the phases in
which it may change anything. The routes are read from the app itself, so a new
endpoint that is not in the table fails `test_every_mutating_route_is_in_the_matrix`.
In a phase outside its set, a route answers 4xx and no stored row changes (the audit
log may gain a refusal). A page's form answers 303 (app/web/flash.py): the page it leads
to says the refusal, in its 4xx. `closed` is a read-only archive: only the progress of
funded projects may still be recorded there (see tests/results for that rule in detail).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.db import metadata, utcnow
from app.ideas.models import Idea
from app.paper.models import PaperBatch
from app.processes.models import Process
from app.processes.service import window_of
from app.proposals.models import Proposal
from app.proposals.schemas import EQUITY_QUESTIONS
from app.results.models import OfficialResult, ProjectAward
from app.users.models import Role
from app.voting.models import KioskTicket, Participation
from tests.helpers import form_token, put_on_ballot
from tests.ideas.helpers import PHASES

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
ALL = frozenset(PHASES)
BEFORE_VOTING_ENDS = frozenset(PHASES[:4])
NOT_CLOSED = ALL - {"closed"}
VOTING = frozenset({"voting"})
# Not tied to one process, so not to a phase.
NO_PHASE = None

ALLOWED: dict[tuple[str, str], frozenset[str] | None] = {
    ("POST", "/api/auth/token"): NO_PHASE,
    ("POST", "/api/auth/logout"): NO_PHASE,
    ("POST", "/api/users"): NO_PHASE,
    ("POST", "/api/processes"): NO_PHASE,
    ("POST", "/station/login"): NO_PHASE,
    ("POST", "/station/logout"): NO_PHASE,
    ("POST", "/setup/{token}"): NO_PHASE,  # the first organizer: tests/people/test_first_run.py
    ("PATCH", "/api/processes/{process_id}"): NOT_CLOSED,
    ("POST", "/api/processes/{process_id}/transitions"): NOT_CLOSED,
    ("POST", "/organize/processes/new"): NO_PHASE,
    ("POST", "/api/processes/{process_id}/window"): VOTING,
    ("POST", "/api/processes/{process_id}/archive"): ALL - VOTING,
    ("POST", "/api/processes/{process_id}/publish"): ALL,
    ("POST", "/organize/processes/{process_id}/publish"): ALL,
    ("POST", "/api/processes/{process_id}/results/publish"): frozenset({"funding", "closed"}),
    (
        "POST",
        "/organize/processes/{process_id}/results/publish",
    ): frozenset({"funding", "closed"}),
    ("POST", "/api/processes/{process_id}/copy"): ALL,
    ("POST", "/organize/processes/{process_id}/edit"): NOT_CLOSED,
    ("POST", "/organize/processes/{process_id}/phase"): NOT_CLOSED,
    ("POST", "/organize/processes/{process_id}/window"): VOTING,
    ("POST", "/organize/processes/{process_id}/archive"): ALL - VOTING,
    ("POST", "/organize/processes/{process_id}/copy"): ALL,
    ("POST", "/api/processes/{process_id}/sites"): NOT_CLOSED,
    ("PUT", "/api/processes/{process_id}/criteria"): frozenset({"design"}),
    ("POST", "/api/processes/{process_id}/ideas"): frozenset({"idea_collection"}),
    ("POST", "/processes/{process_id}/ideas/new"): frozenset({"idea_collection"}),
    ("POST", "/api/ideas/{idea_id}/merge"): frozenset({"idea_collection", "proposal_development"}),
    ("POST", "/api/ideas/{idea_id}/hide"): frozenset({"idea_collection", "proposal_development"}),
    ("POST", "/api/ideas/{idea_id}/unhide"): frozenset({"idea_collection", "proposal_development"}),
    ("POST", "/organize/processes/{process_id}/ideas/moderate"): frozenset(
        {"idea_collection", "proposal_development"}
    ),
    ("POST", "/organize/processes/{process_id}/ideas/paper"): frozenset({"idea_collection"}),
    ("PUT", "/api/ideas/{idea_id}/scores/me"): frozenset({"proposal_development"}),
    ("POST", "/delegate/ideas/{idea_id}"): frozenset({"proposal_development"}),
    ("POST", "/api/processes/{process_id}/proposals"): frozenset({"proposal_development"}),
    ("PATCH", "/api/proposals/{proposal_id}"): frozenset({"proposal_development"}),
    ("POST", "/api/proposals/{proposal_id}/approve"): frozenset({"proposal_development"}),
    ("POST", "/api/proposals/{proposal_id}/return"): frozenset({"proposal_development"}),
    ("POST", "/api/proposals/{proposal_id}/submit"): frozenset({"proposal_development"}),
    ("POST", "/delegate/processes/{process_id}/proposals/new"): frozenset({"proposal_development"}),
    ("POST", "/delegate/proposals/{proposal_id}"): frozenset({"proposal_development"}),
    ("POST", "/organize/processes/{process_id}/proposals/{proposal_id}/{decision}"): frozenset(
        {"proposal_development"}
    ),
    ("PUT", "/api/processes/{process_id}/voting-rules"): frozenset({"design"}),
    ("PUT", "/api/processes/{process_id}/paper-rules"): frozenset({"design"}),
    ("POST", "/api/processes/{process_id}/access-codes"): BEFORE_VOTING_ENDS,
    ("POST", "/api/processes/{process_id}/access-codes/void"): BEFORE_VOTING_ENDS,
    ("POST", "/api/sites/{site_id}/poll-workers"): BEFORE_VOTING_ENDS,
    ("POST", "/api/processes/{process_id}/kiosks"): VOTING,
    ("POST", "/station/sites/{site_id}/kiosk"): VOTING,
    ("POST", "/api/processes/{process_id}/check-ins"): VOTING,
    ("POST", "/station/sites/{site_id}/check-in"): VOTING,
    ("POST", "/api/processes/{process_id}/ballots"): VOTING,
    ("POST", "/processes/{process_id}/vote"): VOTING,
    ("POST", "/kiosk/ballot"): VOTING,
    ("POST", "/kiosk/cast"): VOTING,
    ("POST", "/kiosk/release"): NO_PHASE,  # back to the ticket screen: stores nothing
    ("POST", "/station/tickets/{handle}/release"): VOTING,
    ("POST", "/station/tickets/{handle}/reissue"): VOTING,
    ("POST", "/organize/processes/{process_id}/check-ins/{handle}/release"): VOTING,
    ("POST", "/organize/processes/{process_id}/check-ins/{handle}/reissue"): VOTING,
    ("POST", "/organize/processes/{process_id}/rules/kiosk"): BEFORE_VOTING_ENDS,
    ("POST", "/api/processes/{process_id}/paper-batches"): VOTING,
    ("POST", "/station/sites/{site_id}/paper-batches"): VOTING,
    ("POST", "/api/paper-batches/{batch_id}/entries"): VOTING,
    ("POST", "/station/batches/{batch_id}"): VOTING,
    ("POST", "/api/paper-batches/{batch_id}/sheets/{sheet}/resolve"): VOTING,
    ("POST", "/organize/batches/{batch_id}/sheets/{sheet}"): VOTING,
    ("POST", "/api/paper-batches/{batch_id}/close"): VOTING,
    ("POST", "/api/paper-batches/{batch_id}/exclude"): VOTING,
    ("POST", "/api/paper-batches/{batch_id}/import"): VOTING,
    ("POST", "/organize/processes/{process_id}/equity/population"): NOT_CLOSED,
    ("POST", "/organize/processes/{process_id}/equity/survey"): BEFORE_VOTING_ENDS,
    ("POST", "/processes/{process_id}/survey"): VOTING,
    # In closed only the delivery progress of an award may change: see the awards test.
    ("PUT", "/api/processes/{process_id}/projects/{proposal_id}/award"): frozenset(
        {"funding", "closed"}
    ),
    # people: sites, poll workers, criteria, staff accounts, rules, the idea limit
    ("PUT", "/api/processes/{process_id}/sites/{site_id}"): BEFORE_VOTING_ENDS,
    ("DELETE", "/api/sites/{site_id}/poll-workers/{user_id}"): BEFORE_VOTING_ENDS,
    ("PATCH", "/api/users/{user_id}"): NO_PHASE,
    ("POST", "/api/users/{user_id}/password"): NO_PHASE,
    ("PUT", "/api/processes/{process_id}/idea-rate-limit"): NOT_CLOSED,
    ("POST", "/organize/staff"): NO_PHASE,
    ("POST", "/organize/staff/{user_id}/active"): NO_PHASE,
    ("POST", "/organize/staff/{user_id}/password"): NO_PHASE,
    ("POST", "/organize/processes/{process_id}/sites"): NOT_CLOSED,
    ("POST", "/organize/processes/{process_id}/sites/{site_id}"): BEFORE_VOTING_ENDS,
    ("POST", "/organize/processes/{process_id}/sites/{site_id}/poll-workers"): BEFORE_VOTING_ENDS,
    ("POST", "/organize/processes/{process_id}/criteria"): frozenset({"design"}),
    ("POST", "/organize/processes/{process_id}/criteria/save"): frozenset({"design"}),
    ("POST", "/organize/processes/{process_id}/rules/voting"): frozenset({"design"}),
    ("POST", "/organize/processes/{process_id}/rules/paper"): frozenset({"design"}),
    ("POST", "/organize/processes/{process_id}/rules/ideas"): NOT_CLOSED,
    # voting: codes, paper, awards, audit pages
    ("POST", "/organize/processes/{process_id}/codes"): BEFORE_VOTING_ENDS,
    ("POST", "/organize/processes/{process_id}/codes/void"): BEFORE_VOTING_ENDS,
    ("POST", "/organize/processes/{process_id}/paper/exclude"): VOTING,
    ("POST", "/organize/processes/{process_id}/paper/import"): VOTING,
    ("POST", "/organize/processes/{process_id}/awards/{proposal_id}"): frozenset(
        {"funding", "closed"}
    ),
    ("POST", "/organize/audit/verify"): NO_PHASE,
}


def mutating_routes(app) -> set[tuple[str, str]]:
    found = set()
    for route in iter_route_contexts(app.routes):
        for method in (getattr(route.original_route, "methods", None) or set()) & MUTATING:
            found.add((method, route.path))
    return found


def test_every_mutating_route_is_in_the_matrix(app):
    assert mutating_routes(app) == set(ALLOWED)


@dataclass
class World:
    ids: dict[str, Any]
    clients: dict[str, Any]  # who -> (client, headers)


def _sign_in(app, staff) -> TestClient:
    client = TestClient(app, base_url="http://testserver")
    r = client.post(
        "/station/login",
        headers={"Origin": "http://testserver"},
        data={"email": staff.user.email, "password": staff.password},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


def build(app, client, session_factory, make_staff, organizer) -> World:
    """A process with something of every kind, made in design; the test then sets the phase."""
    h = organizer.headers
    pid = client.post(
        "/api/processes",
        json={"name": "Matrix", "budget_cents": 1_000_000_00, "languages": ["en"]},
        headers=h,
    ).json()["id"]
    # Published: the residents' pages of a draft are not there (tests/test_publishing.py).
    assert client.post(f"/api/processes/{pid}/publish", headers=h).status_code == 200
    site = client.post(
        f"/api/processes/{pid}/sites",
        json={"name": "Library", "kind": "voting_site", "address": "1 Main St"},
        headers=h,
    ).json()["id"]
    worker, spare, delegate = (
        make_staff(Role.poll_worker),
        make_staff(Role.poll_worker),
        make_staff(Role.delegate),
    )
    client.post(f"/api/sites/{site}/poll-workers", json={"user_id": worker.user.id}, headers=h)
    client.post(f"/api/processes/{pid}/access-codes", json={"count": 3, "label": "m"}, headers=h)
    on_ballot = put_on_ballot(session_factory, pid)
    with session_factory() as session:
        ideas = [
            Idea(process_id=pid, title=f"Idea {n}", description="d", channel="online")
            for n in range(2)
        ]
        draft = Proposal(
            process_id=pid,
            title="Draft",
            summary="s",
            cost_cents=100_00,
            equity_assessment=dict.fromkeys(EQUITY_QUESTIONS, "An answer."),
        )
        checked_in = Participation(
            process_id=pid, person_key="p" * 64, channel="kiosk", site_id=site
        )
        session.add_all([*ideas, draft, checked_in])
        session.flush()
        ticket = KioskTicket(  # a kiosk check-in that has not voted yet
            ticket_hash=secrets.token_hex(32),  # one per world: several may share a database
            process_id=pid,
            site_id=site,
            expires_at=utcnow() + timedelta(hours=1),
            participation_id=checked_in.id,
        )
        batch = PaperBatch(
            process_id=pid, site_id=site, declared_sheets=2, created_by_id=worker.user.id
        )
        # A count's shape, as small as the results page (where a form may lead) reads it.
        result = {
            "selected": ["1"],
            "projects": [{"project": "1", "score": 1, "cost": 10_000_00, "funded": True}],
            "ballots_counted": 0,
            "ballots_by_channel": {},
            "budget_used": 10_000_00,
            "budget_left": 0,
        }
        session.add_all(
            [
                batch,
                ticket,
                OfficialResult(
                    process_id=pid,
                    result=result,
                    ballots_counted=0,
                    ballots_sha256="0" * 64,
                    ballots_file="",
                ),
                ProjectAward(
                    process_id=pid,
                    proposal_id=on_ballot[0],
                    amount_cents=100_00,
                    organisation="Parks",
                    updated_by_id=organizer.user.id,
                ),
            ]
        )
        session.commit()
        ids = {
            "process_id": pid,
            "site_id": site,
            "spare_id": spare.user.id,
            "idea_id": ideas[0].id,
            "other_idea_id": ideas[1].id,
            "proposal_id": draft.id,
            "funded_id": on_ballot[0],
            "batch_id": batch.id,
            "handle": ticket.ticket_hash,
            "user_id": worker.user.id,  # assigned to the site
            "criterion_id": client.get(f"/api/processes/{pid}/criteria").json()[0]["id"],
        }
    clients = {
        "organizer": (client, h),
        "worker": (client, worker.headers),
        "delegate": (client, delegate.headers),
        "public": (client, {}),
        "organizer_page": (_sign_in(app, organizer), {}),
        "worker_page": (_sign_in(app, worker), {}),
        "delegate_page": (_sign_in(app, delegate), {}),
    }
    return World(ids, clients)


CODE = "ABCD-EFGH-JKMN"
IDENTITY = {"name": "Ana", "birth_date": "1990-04-02", "postal_code": "14604"}
MARKS = [{"rank": 1, "ballot_number": 1}]
# The delegates' proposal editor, filled in.
EDITOR_FORM = {
    "data": {
        "title": "Lights",
        "summary": "s",
        "ideas": "{idea_id}",
        "lines": "1",
        "line_0_description": "Poles",
        "line_0_amount": "100",
    }
}

# (who, path with {ids}, request keyword arguments) for each route of the table.
REQUESTS: dict[tuple[str, str], tuple[str, str, dict[str, Any]]] = {
    ("PATCH", "/api/processes/{process_id}"): (
        "organizer",
        "/api/processes/{process_id}",
        {"json": {"description": "Changed."}},
    ),
    ("POST", "/api/processes/{process_id}/transitions"): (
        "organizer",
        "/api/processes/{process_id}/transitions",
        {"json": {"to": "{next_phase}", "reason": "r"}},
    ),
    ("POST", "/api/processes/{process_id}/window"): (
        "organizer",
        "/api/processes/{process_id}/window",
        {"json": {"voting_closes_at": "2099-01-01T01:00:00Z", "reason": "Storm."}},
    ),
    ("POST", "/api/processes/{process_id}/archive"): (
        "organizer",
        "/api/processes/{process_id}/archive",
        {"json": {"reason": "Done."}},
    ),
    ("POST", "/api/processes/{process_id}/publish"): (
        "organizer",
        "/api/processes/{process_id}/publish",
        {},
    ),
    ("POST", "/organize/processes/{process_id}/publish"): (
        "organizer_page",
        "/organize/processes/{process_id}/publish",
        {},
    ),
    ("POST", "/api/processes/{process_id}/results/publish"): (
        "organizer",
        "/api/processes/{process_id}/results/publish",
        {"json": {}},
    ),
    ("POST", "/organize/processes/{process_id}/results/publish"): (
        "organizer_page",
        "/organize/processes/{process_id}/results/publish",
        {"data": {"when": "now"}},
    ),
    ("POST", "/api/processes/{process_id}/copy"): (
        "organizer",
        "/api/processes/{process_id}/copy",
        {"json": {"name": "Matrix 2"}},
    ),
    ("POST", "/organize/processes/{process_id}/edit"): (
        "organizer_page",
        "/organize/processes/{process_id}/edit",
        {"data": {"description": "Changed."}},
    ),
    ("POST", "/organize/processes/{process_id}/phase"): (
        "organizer_page",
        "/organize/processes/{process_id}/phase",
        {"data": {"from": "{phase}", "to": "{next_phase}", "reason": "r"}},
    ),
    ("POST", "/organize/processes/{process_id}/window"): (
        "organizer_page",
        "/organize/processes/{process_id}/window",
        {
            "data": {
                "was": "{window}",
                "closes_date": "2099-01-01",
                "closes_time": "20:00",
                "reason": "Storm.",
            }
        },
    ),
    ("POST", "/organize/processes/{process_id}/archive"): (
        "organizer_page",
        "/organize/processes/{process_id}/archive",
        {"data": {"archived": "1", "reason": "Done."}},
    ),
    ("POST", "/organize/processes/{process_id}/copy"): (
        "organizer_page",
        "/organize/processes/{process_id}/copy",
        {"data": {"name": "Matrix 2"}},
    ),
    ("POST", "/api/processes/{process_id}/sites"): (
        "organizer",
        "/api/processes/{process_id}/sites",
        {"json": {"name": "Kickoff", "kind": "event", "address": "2 Main St"}},
    ),
    ("PUT", "/api/processes/{process_id}/criteria"): (
        "organizer",
        "/api/processes/{process_id}/criteria",
        {"json": {"criteria": [{"name": "Need", "weight": 1}]}},
    ),
    ("POST", "/api/processes/{process_id}/ideas"): (
        "public",
        "/api/processes/{process_id}/ideas",
        {"json": {"title": "Benches", "description": "At the stops."}},
    ),
    ("POST", "/processes/{process_id}/ideas/new"): (
        "public",
        "/processes/{process_id}/ideas/new",
        {"data": {"title": "Benches", "description": "At the stops."}},
    ),
    ("POST", "/api/ideas/{idea_id}/merge"): (
        "organizer",
        "/api/ideas/{idea_id}/merge",
        {"json": {"into_idea_id": "{other_idea_id}", "reason": "Same idea."}},
    ),
    ("POST", "/api/ideas/{idea_id}/hide"): (
        "organizer",
        "/api/ideas/{idea_id}/hide",
        {"json": {"reason": "Off topic."}},
    ),
    ("POST", "/api/ideas/{idea_id}/unhide"): (
        "organizer",
        "/api/ideas/{idea_id}/unhide",
        {"json": {"reason": "Shown again."}},
    ),
    ("POST", "/organize/processes/{process_id}/ideas/moderate"): (
        "organizer_page",
        "/organize/processes/{process_id}/ideas/moderate",
        {
            "data": {
                "idea": "{idea_id}",
                "was_idea": "{idea_id}",
                "was": "visible",
                "decision": "hide",
                "reason": "Off topic.",
            }
        },
    ),
    ("POST", "/organize/processes/{process_id}/ideas/paper"): (
        "organizer_page",
        "/organize/processes/{process_id}/ideas/paper",
        {"data": {"title": "Benches", "description": "At the stops."}},
    ),
    ("PUT", "/api/ideas/{idea_id}/scores/me"): (
        "delegate",
        "/api/ideas/{idea_id}/scores/me",
        {"json": {"scores": {"1": 3}}},
    ),
    ("POST", "/delegate/ideas/{idea_id}"): (
        "delegate_page",
        "/delegate/ideas/{idea_id}",
        {"data": {"criterion_1": "3"}},
    ),
    ("POST", "/api/processes/{process_id}/proposals"): (
        "organizer",
        "/api/processes/{process_id}/proposals",
        {"json": {"title": "Lights", "summary": "s", "cost_cents": 100, "idea_ids": ["{idea_id}"]}},
    ),
    ("PATCH", "/api/proposals/{proposal_id}"): (
        "organizer",
        "/api/proposals/{proposal_id}",
        {"json": {"summary": "Changed."}},
    ),
    ("POST", "/api/proposals/{proposal_id}/approve"): (
        "organizer",
        "/api/proposals/{proposal_id}/approve",
        {},
    ),
    ("POST", "/api/proposals/{proposal_id}/return"): (
        "organizer",
        "/api/proposals/{proposal_id}/return",
        {"json": {"reason": "Needs a partner."}},
    ),
    ("POST", "/api/proposals/{proposal_id}/submit"): (
        "organizer",
        "/api/proposals/{proposal_id}/submit",
        {},
    ),
    ("POST", "/delegate/processes/{process_id}/proposals/new"): (
        "delegate_page",
        "/delegate/processes/{process_id}/proposals/new",
        EDITOR_FORM,
    ),
    ("POST", "/delegate/proposals/{proposal_id}"): (
        "delegate_page",
        "/delegate/proposals/{proposal_id}",
        EDITOR_FORM,
    ),
    ("POST", "/organize/processes/{process_id}/proposals/{proposal_id}/{decision}"): (
        "organizer_page",
        "/organize/processes/{process_id}/proposals/{proposal_id}/approve",
        {"data": {"status": "draft"}},
    ),
    ("PUT", "/api/processes/{process_id}/voting-rules"): (
        "organizer",
        "/api/processes/{process_id}/voting-rules",
        {"json": {"credential": "identity"}},
    ),
    ("PUT", "/api/processes/{process_id}/paper-rules"): (
        "organizer",
        "/api/processes/{process_id}/paper-rules",
        {"json": {"overvote": "end_ballot", "skipped_rank": "end_ballot"}},
    ),
    ("POST", "/api/processes/{process_id}/access-codes"): (
        "organizer",
        "/api/processes/{process_id}/access-codes",
        {"json": {"count": 2, "label": "more"}},
    ),
    ("POST", "/api/processes/{process_id}/access-codes/void"): (
        "organizer",
        "/api/processes/{process_id}/access-codes/void",
        {"json": {"label": "m"}},
    ),
    ("POST", "/api/sites/{site_id}/poll-workers"): (
        "organizer",
        "/api/sites/{site_id}/poll-workers",
        {"json": {"user_id": "{spare_id}"}},
    ),
    ("POST", "/api/processes/{process_id}/kiosks"): (
        "worker",
        "/api/processes/{process_id}/kiosks",
        {"json": {"site_id": "{site_id}"}},
    ),
    ("POST", "/station/sites/{site_id}/kiosk"): (
        "worker_page",
        "/station/sites/{site_id}/kiosk",
        {},
    ),
    ("POST", "/api/processes/{process_id}/check-ins"): (
        "worker",
        "/api/processes/{process_id}/check-ins",
        {"json": {"site_id": "{site_id}", "mode": "paper", "identity": IDENTITY}},
    ),
    ("POST", "/station/sites/{site_id}/check-in"): (
        "worker_page",
        "/station/sites/{site_id}/check-in",
        {"data": {"mode": "paper", **IDENTITY}},
    ),
    ("POST", "/api/processes/{process_id}/ballots"): (
        "public",
        "/api/processes/{process_id}/ballots",
        {"json": {"credential": {"identity": IDENTITY}, "ranking": [1]}},
    ),
    ("POST", "/processes/{process_id}/vote"): (
        "public",
        "/processes/{process_id}/vote",
        {"data": {"rank_1": "1", "access_code": CODE}},
    ),
    ("POST", "/kiosk/ballot"): ("public", "/kiosk/ballot", {"data": {"kiosk_ticket": CODE}}),
    ("POST", "/kiosk/cast"): ("public", "/kiosk/cast", {"data": {"kiosk_ticket": CODE}}),
    ("POST", "/station/tickets/{handle}/release"): (
        "worker_page",
        "/station/tickets/{handle}/release",
        {"data": {"reason": "Left."}},
    ),
    ("POST", "/station/tickets/{handle}/reissue"): (
        "worker_page",
        "/station/tickets/{handle}/reissue",
        {},
    ),
    ("POST", "/organize/processes/{process_id}/check-ins/{handle}/release"): (
        "organizer_page",
        "/organize/processes/{process_id}/check-ins/{handle}/release",
        {"data": {"reason": "Left."}},
    ),
    ("POST", "/organize/processes/{process_id}/check-ins/{handle}/reissue"): (
        "organizer_page",
        "/organize/processes/{process_id}/check-ins/{handle}/reissue",
        {},
    ),
    ("POST", "/organize/processes/{process_id}/rules/kiosk"): (
        "organizer_page",
        "/organize/processes/{process_id}/rules/kiosk",
        {"data": {"kiosk_ticket_minutes": "20"}},
    ),
    ("POST", "/api/processes/{process_id}/paper-batches"): (
        "worker",
        "/api/processes/{process_id}/paper-batches",
        {"json": {"site_id": "{site_id}", "declared_sheets": 3}},
    ),
    ("POST", "/station/sites/{site_id}/paper-batches"): (
        "worker_page",
        "/station/sites/{site_id}/paper-batches",
        {"data": {"sheets": "3"}},
    ),
    ("POST", "/api/paper-batches/{batch_id}/entries"): (
        "worker",
        "/api/paper-batches/{batch_id}/entries",
        {"json": {"sheet": 1, "marks": MARKS}},
    ),
    ("POST", "/station/batches/{batch_id}"): (
        "worker_page",
        "/station/batches/{batch_id}",
        {"data": {"sheet": "1", "marks": "1:1"}},
    ),
    ("POST", "/api/paper-batches/{batch_id}/sheets/{sheet}/resolve"): (
        "organizer",
        "/api/paper-batches/{batch_id}/sheets/1/resolve",
        {"json": {"marks": MARKS, "reason": "Read it."}},
    ),
    ("POST", "/organize/batches/{batch_id}/sheets/{sheet}"): (
        "organizer_page",
        "/organize/batches/{batch_id}/sheets/1",
        {"data": {"marks": "1:1", "reason": "Read it."}},
    ),
    ("POST", "/api/paper-batches/{batch_id}/close"): (
        "worker",
        "/api/paper-batches/{batch_id}/close",
        {},
    ),
    ("POST", "/api/paper-batches/{batch_id}/exclude"): (
        "organizer",
        "/api/paper-batches/{batch_id}/exclude",
        {"json": {"reason": "Water damage."}},
    ),
    ("POST", "/api/paper-batches/{batch_id}/import"): (
        "worker",
        "/api/paper-batches/{batch_id}/import",
        {"content": b"sheet,pass,marks,flag\n1,1,1:1,\n", "headers": {"Content-Type": "text/csv"}},
    ),
    ("POST", "/organize/processes/{process_id}/equity/population"): (
        "organizer_page",
        "/organize/processes/{process_id}/equity/population",
        {"files": {"file": ("p.csv", b"neighbourhood,population\nNorth,10\n", "text/csv")}},
    ),
    ("POST", "/organize/processes/{process_id}/equity/survey"): (
        "organizer_page",
        "/organize/processes/{process_id}/equity/survey",
        {"data": {"q1_text_en": "Rent or own?", "q1_options_en": "Rent\nOwn"}},
    ),
    ("POST", "/processes/{process_id}/survey"): (
        "public",
        "/processes/{process_id}/survey",
        {"data": {"k": "not-an-invitation", "age_band": "18_24"}},
    ),
    ("PUT", "/api/processes/{process_id}/projects/{proposal_id}/award"): (
        "organizer",
        "/api/processes/{process_id}/projects/{funded_id}/award",
        {"json": {"amount_cents": 100_00, "organisation": "Parks", "status": "in_progress"}},
    ),
    ("PUT", "/api/processes/{process_id}/sites/{site_id}"): (
        "organizer",
        "/api/processes/{process_id}/sites/{site_id}",
        {"json": {"name": "Main Library", "kind": "voting_site", "address": "1 Main St"}},
    ),
    ("DELETE", "/api/sites/{site_id}/poll-workers/{user_id}"): (
        "organizer",
        "/api/sites/{site_id}/poll-workers/{user_id}",
        {},
    ),
    ("PUT", "/api/processes/{process_id}/idea-rate-limit"): (
        "organizer",
        "/api/processes/{process_id}/idea-rate-limit",
        {"json": {"idea_rate_limit": 100}},
    ),
    ("POST", "/organize/processes/{process_id}/sites"): (
        "organizer_page",
        "/organize/processes/{process_id}/sites",
        {"data": {"kind": "event_informal", "name": "Kickoff", "address": "2 Main St"}},
    ),
    ("POST", "/organize/processes/{process_id}/sites/{site_id}"): (
        "organizer_page",
        "/organize/processes/{process_id}/sites/{site_id}",
        {"data": {"kind": "voting_site", "name": "Main Library", "address": "1 Main St"}},
    ),
    ("POST", "/organize/processes/{process_id}/sites/{site_id}/poll-workers"): (
        "organizer_page",
        "/organize/processes/{process_id}/sites/{site_id}/poll-workers",
        {"data": {"user_id": "{spare_id}"}},
    ),
    ("POST", "/organize/processes/{process_id}/criteria"): (
        "organizer_page",
        "/organize/processes/{process_id}/criteria",
        {"data": {"name": "Cost", "weight": "2"}},
    ),
    ("POST", "/organize/processes/{process_id}/criteria/save"): (
        "organizer_page",
        "/organize/processes/{process_id}/criteria/save",
        {"data": {}},
    ),
    ("POST", "/organize/processes/{process_id}/rules/voting"): (
        "organizer_page",
        "/organize/processes/{process_id}/rules/voting",
        {"data": {"credential": "identity", "min_age": "16", "postal_codes": "14604"}},
    ),
    ("POST", "/organize/processes/{process_id}/rules/paper"): (
        "organizer_page",
        "/organize/processes/{process_id}/rules/paper",
        {"data": {"overvote": "end_ballot", "skipped_rank": "end_ballot"}},
    ),
    ("POST", "/organize/processes/{process_id}/rules/ideas"): (
        "organizer_page",
        "/organize/processes/{process_id}/rules/ideas",
        {"data": {"idea_rate_limit": "100"}},
    ),
    ("POST", "/organize/processes/{process_id}/codes"): (
        "organizer_page",
        "/organize/processes/{process_id}/codes",
        {"data": {"count": "2", "label": "cards"}},
    ),
    ("POST", "/organize/processes/{process_id}/codes/void"): (
        "organizer_page",
        "/organize/processes/{process_id}/codes/void",
        {"data": {"label": "m", "reason": "Lost in the mail."}},
    ),
    ("POST", "/organize/processes/{process_id}/paper/exclude"): (
        "organizer_page",
        "/organize/processes/{process_id}/paper/exclude",
        {"data": {"batch": "{batch_id}", "reason": "Water damage."}},
    ),
    ("POST", "/organize/processes/{process_id}/paper/import"): (
        "organizer_page",
        "/organize/processes/{process_id}/paper/import",
        {
            "data": {"batch": "{batch_id}"},
            "files": {"file": ("sheets.csv", b"sheet,pass,marks,flag\n1,1,1:1,\n", "text/csv")},
        },
    ),
    ("POST", "/organize/processes/{process_id}/awards/{proposal_id}"): (
        "organizer_page",
        "/organize/processes/{process_id}/awards/{funded_id}",
        {"data": {"amount": "100", "organisation": "Parks", "status": "in_progress"}},
    ),
}
PHASE_REFUSALS = {"wrong_phase", "ballot_frozen", "rules_frozen", "process_closed"}


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def stored_rows(session_factory) -> str:
    """A digest of every stored row but the audit log's, the refusal counts' and the login
    counters' (a refusal is recorded there, by design)."""
    digest = hashlib.sha256()
    with session_factory() as session:
        for table in metadata.sorted_tables:
            if table.name in (
                "audit_entry",
                "audit_head",
                "login_throttle",
                "refusal_count",
                "sealed_flash",  # what a refused form's page says next (app/web/flash.py)
            ):
                continue
            for row in session.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def send(world: World, key: tuple[str, str]):
    who, path, kwargs = REQUESTS[key]
    client, headers = world.clients[who]
    kwargs = dict(kwargs)
    headers = {"Origin": "http://testserver", **headers, **kwargs.pop("headers", {})}
    for part in ("json", "data"):
        if part in kwargs:
            kwargs[part] = _fill(kwargs[part], world.ids)
    if not path.startswith("/api"):
        # A page's form, as its page drew it: a fresh form instance (app/web/form_token.py).
        kwargs["data"] = {**kwargs.get("data", {}), "form_token": form_token()}
    response = client.request(
        key[0], path.format(**world.ids), headers=headers, follow_redirects=False, **kwargs
    )
    if response.status_code == 303 and not path.startswith("/api"):
        # The page the form's answer leads to says what happened, in its status (a page
        # with one-time forms first adds its form instance to its address: one more 303).
        return client.get(response.headers["location"], headers=headers)
    return response


def test_every_route_has_a_request():
    assert {k for k, v in ALLOWED.items() if v is not NO_PHASE} == set(REQUESTS)


@pytest.mark.parametrize("phase", PHASES)
def test_each_mutating_route_in_each_phase(
    app, client, connection, session_factory, make_staff, organizer, phase
):
    world = build(app, client, session_factory, make_staff, organizer)
    with session_factory() as session:
        process = session.get(Process, world.ids["process_id"])
        process.phase = phase
        process.tie_break_seed = "5eed" * 8
        session.commit()
    following = PHASES.index(phase) + 1
    world.ids["next_phase"] = PHASES[following] if following < len(PHASES) else "closed"
    world.ids["phase"] = phase
    with session_factory() as session:
        world.ids["window"] = window_of(session.get(Process, world.ids["process_id"]))
    wrong = []
    for key in REQUESTS:
        savepoint = connection.begin_nested()
        before = stored_rows(session_factory)
        response = send(world, key)
        changed = stored_rows(session_factory) != before
        savepoint.rollback()
        if problem := judge(phase in ALLOWED[key], response, changed):
            wrong.append((key, response.status_code, problem, response.text[:200]))
    assert wrong == [], "\n".join(map(str, wrong))


def judge(allowed: bool, response, changed: bool) -> str | None:
    """What is wrong with this answer, or None."""
    if response.status_code >= 500:
        return "server error"
    if not allowed:
        refused = 400 <= response.status_code < 500 and not changed
        return None if refused else "not refused"
    is_json = response.headers.get("content-type", "").startswith("application/json")
    error = response.json().get("error") if is_json and response.status_code >= 400 else None
    return "refused for its phase" if error in PHASE_REFUSALS else None
