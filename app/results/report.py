"""The record of a process a city council asks for: one printable page per section, each
gathered from the service that already computes it (nothing is counted again here).

Public once the results are published (`report_is_public`); before that, organizers only.
"""

from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.equity import service as equity
from app.ideas import service as ideas
from app.ideas.board import idea_board
from app.ideas.criteria import criteria_of
from app.paper import service as paper
from app.processes import service as processes
from app.processes.models import Process
from app.processes.phases import BALLOT_PUBLISHED
from app.proposals import service as proposals
from app.results import awards, display, service
from app.results.models import OfficialResult
from app.voting import service as voting


def report_is_public(session: Session, process: Process, now: datetime) -> bool:
    """Whether anyone may read the report: once an organizer has published the official
    result (now, or at a time that has come)."""
    return service.is_published(session.get(OfficialResult, process.id), now)


def timeline(*, session: Session, process_id: int) -> list[dict[str, Any]]:
    """Phase changes and voting-window moves, oldest first, each with its reason."""
    events = [
        {"at": t.at, "kind": "phase", "from": t.from_phase, "to": t.to_phase, "reason": t.reason}
        for t in processes.transitions_of(session=session, process_id=process_id)
    ]
    events += [
        {
            "at": c.at,
            "kind": "window",
            "from": c.old_closes_at,
            "to": c.new_closes_at,
            "opens_from": c.old_opens_at,
            "opens_to": c.new_opens_at,
            "reason": c.reason,
        }
        for c in processes.window_changes(session=session, process_id=process_id)
    ]
    return sorted(events, key=lambda e: e["at"])


def _scored_proposals(session: Session, process: Process, shown: list[dict]) -> dict[str, Any]:
    """Each proposal on the ballot with the delegates' scores of the ideas it grew from."""
    ranked = ideas.ranking_of(session=session, process_id=process.id)
    by_idea = {row["idea_id"]: row for row in ranked["ideas"]}
    rows = []
    for entry in shown:
        proposal = entry["proposal"]
        idea_ids = proposals.idea_ids_of(session=session, proposal_id=proposal.id)
        rows.append({**entry, "ideas": [by_idea[i] for i in idea_ids if i in by_idea]})
    return {"criteria": criteria_of(session=session, process_id=process.id), "proposals": rows}


def _ballot(session: Session, process: Process, language: str) -> list[dict]:
    """The proposals on the ballot as residents read them (title, equity answers)."""
    if not BALLOT_PUBLISHED.allows(process.phase):
        return []
    return [
        proposals.public_proposal(
            session=session, process=process, proposal_id=p.id, language=language
        )
        for p in proposals.ballot_proposals(session=session, process_id=process.id)
    ]


def process_report(*, session: Session, process: Process, language: str) -> dict[str, Any]:
    """Every section of the report, in `language` where the process has the words."""
    shown = _ballot(session, process, language)
    titles = {entry["proposal"].id: entry["title"] for entry in shown}
    official = service.official_of(session=session, process_id=process.id)
    result = None
    if official is not None:
        result = service.results_for(session=session, process=process, user=None)
        for line in result["result"]["projects"]:
            line["title"] = titles.get(line["proposal_id"], line["title"])
            line["score_text"] = display.number_text(line["score"], language)
    funded = awards.funded_projects(session=session, process=process)
    for project in funded:
        project["title"] = titles.get(project["proposal_id"], project["title"])
    return {
        "timeline": timeline(session=session, process_id=process.id),
        "ideas": {
            "board": idea_board(session=session, process=process, event=None, neighborhood=None),
            "counts": ideas.idea_counts(session=session, process_id=process.id),
        },
        "scoring": _scored_proposals(session, process, shown),
        "ballot": shown,
        "turnout": voting.turnout_summary(session=session, process_id=process.id),
        # Paper ballots are sheets typed in from batches, not ballot rows: counted there.
        "paper": paper.reconciliation(session=session, process_id=process.id),
        "equity": equity.public_equity(session=session, process=process),
        "result": result,
        "funded": funded,
        "awarded": sum(p["amount_cents"] or 0 for p in funded),
    }
