"""Shared setup for the ideas, proposals and sites tests: everything through the API."""

from sqlalchemy import func, select
from sqlmodel import Session

from app.audit import AuditEntry
from app.processes.models import Process

PHASES = ["design", "idea_collection", "proposal_development", "voting", "funding", "closed"]


def create_process(client, organizer, **fields) -> dict:
    body = {"name": "Test PB", "budget_cents": 100_000_00, "languages": ["en", "es", "vi"]}
    body.update(fields)
    r = client.post("/api/processes", json=body, headers=organizer.headers)
    assert r.status_code == 201, r.text
    # Published (not a draft), as the residents' pages these tests read need.
    published = client.post(f"/api/processes/{r.json()['id']}/publish", headers=organizer.headers)
    assert published.status_code == 200, published.text
    return published.json()


def advance(client, organizer, process_id: int, to: str, note: str | None = None) -> None:
    """Step the process forward through the phases until it is in `to` (`note`: the
    organizer's acknowledgement of differences in the count, for the move to funding)."""
    current = client.get(f"/api/processes/{process_id}").json()["phase"]
    for phase in PHASES[PHASES.index(current) + 1 : PHASES.index(to) + 1]:
        r = client.post(
            f"/api/processes/{process_id}/transitions",
            json={"to": phase, "reason": "test", **({"note": note} if note else {})},
            headers=organizer.headers,
        )
        assert r.status_code == 201, r.text


def force_phase(session: Session, process_id: int, phase: str) -> None:
    """Put the process in `phase` directly, skipping the guards (test setup only)."""
    process = session.get(Process, process_id)
    process.phase = phase
    session.add(process)
    session.commit()


def add_site(client, organizer, process_id: int, **fields) -> dict:
    body = {"name": "Kickoff", "kind": "event", "address": "115 South Ave"}
    body.update(fields)
    r = client.post(f"/api/processes/{process_id}/sites", json=body, headers=organizer.headers)
    assert r.status_code == 201, r.text
    return r.json()


def submit_idea(client, process_id: int, headers=None, **fields) -> dict:
    body = {"title": "More benches", "description": "Benches at the bus stops."}
    body.update(fields)
    r = client.post(f"/api/processes/{process_id}/ideas", json=body, headers=headers or {})
    assert r.status_code == 201, r.text
    return r.json()


def process_with_ideas(client, organizer, ideas: int = 3, **fields) -> tuple[int, list[dict]]:
    """The id of a process in idea_collection with `ideas` ideas typed in by the organizer."""
    process = create_process(client, organizer, **fields)
    advance(client, organizer, process["id"], "idea_collection")
    made = [
        submit_idea(client, process["id"], organizer.headers, title=f"Idea {n}")
        for n in range(ideas)
    ]
    return process["id"], made


def criteria_ids(client, process_id: int) -> list[int]:
    return [c["id"] for c in client.get(f"/api/processes/{process_id}/criteria").json()]


def refusals(session: Session, action: str, target: str) -> int:
    return session.execute(
        select(func.count()).where(
            AuditEntry.action == action,
            AuditEntry.target == target,
            AuditEntry.outcome == "refused",
        )
    ).scalar_one()


def audited(session: Session, action: str, target: str) -> int:
    return session.execute(
        select(func.count()).where(
            AuditEntry.action == action, AuditEntry.target == target, AuditEntry.outcome == "ok"
        )
    ).scalar_one()
