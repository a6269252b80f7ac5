"""The downloads, whichever address asks: anonymised ballots (pabulib and CSV), results,
proposals, ideas. The API's routes (app/exports/router.py) and the pages' (app/exports/
pages.py) are these functions, each at its own address.

Organizers may download from voting on (previews say so in their name); the ballots
and results are public once the count is official and an organizer has published it.
"""

import json

from fastapi.responses import Response
from sqlalchemy import select

from app.auth import OptionalUser
from app.db import SessionDep
from app.errors import Forbidden
from app.exports.csv_files import write_csv
from app.ideas.models import Idea
from app.ids import ProcessId
from app.processes.models import Process
from app.processes.phases import BALLOT_PUBLISHED
from app.processes.service import get_process
from app.proposals.schemas import EQUITY_QUESTIONS
from app.proposals.service import ballot_proposals, idea_ids_of
from app.results import service as results
from app.sites.models import Site
from app.users.models import Role, User


def _download(body: str, filename: str, media_type: str) -> Response:
    return Response(
        content=body.encode(),
        media_type=f"{media_type}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _may_see_ballots(session, process: Process, user: User | None) -> bool:
    """True when official (and published, except for organizers); for organizers during
    voting (a preview); else refuse, saying when they are published."""
    if results.official_for(session=session, process=process, user=user) is not None:
        return True
    if user is not None and user.role == Role.organizer.value and process.phase == "voting":
        return False
    raise Forbidden(
        "The anonymised ballots and results are published with the official result, "
        "after the process enters funding.",
        code="not_published",
    )


def _name(process: Process, official: bool, stem: str, ext: str) -> str:
    return f"pbvote-{process.id}-{stem}{'' if official else '-preview'}.{ext}"


def ballots_pb(session: SessionDep, user: OptionalUser, process_id: int = ProcessId):
    process = get_process(session=session, process_id=process_id)
    official = _may_see_ballots(session, process, user)
    if official:
        text = results.official_of(session=session, process_id=process.id).ballots_file
    else:
        text = results.ballots_file(results.count_input(session=session, process=process), None)
    return _download(text, _name(process, official, "ballots", "pb"), "text/plain")


def ballots_csv(session: SessionDep, user: OptionalUser, process_id: int = ProcessId):
    process = get_process(session=session, process_id=process_id)
    official = _may_see_ballots(session, process, user)
    source = results.count_input(session=session, process=process)
    header = ["ballot", "channel"] + [f"rank_{r}" for r in range(1, process.ballot_size + 1)]
    rows = (
        [n, channel, *ranking, *[""] * (process.ballot_size - len(ranking))]
        for n, (ranking, channel) in enumerate(source.ballots, start=1)
    )
    return _download(
        write_csv(header, rows), _name(process, official, "ballots", "csv"), "text/csv"
    )


def results_json(session: SessionDep, user: OptionalUser, process_id: int = ProcessId):
    process = get_process(session=session, process_id=process_id)
    view = results.results_for(session=session, process=process, user=user)
    return _download(
        json.dumps(view, ensure_ascii=False, indent=2),
        _name(process, view["official"], "results", "json"),
        "application/json",
    )


def results_csv(session: SessionDep, user: OptionalUser, process_id: int = ProcessId):
    process = get_process(session=session, process_id=process_id)
    view = results.results_for(session=session, process=process, user=user)
    header = [
        "position",
        "ballot_number",
        "title",
        "cost_cents",
        "score",
        "funded",
        "cumulative_funded_cents",
    ]
    rows, total = [], 0
    for position, line in enumerate(view["result"]["projects"], start=1):
        total += line["cost"] if line["funded"] else 0
        rows.append(
            [
                position,
                line["ballot_number"],
                line["title"],
                line["cost"],
                line["score"],
                "yes" if line["funded"] else "no",
                total if line["funded"] else "",
            ]
        )
    return _download(
        write_csv(header, rows), _name(process, view["official"], "results", "csv"), "text/csv"
    )


def proposals_csv(session: SessionDep, user: OptionalUser, process_id: int = ProcessId):
    process = get_process(session=session, process_id=process_id)
    staff = user is not None
    if not staff and not BALLOT_PUBLISHED.allows(process.phase):
        raise Forbidden("The ballot is public once voting opens.", code="not_published")
    others = process.languages[1:]
    header = [
        "ballot_number",
        "proposal_id",
        "title",
        "summary",
        "cost_cents",
        "category",
        "location",
        # Each other language of the process: its title, summary and location.
        *(f"{field}_{lang}" for lang in others for field in ("title", "summary", "location")),
        # The equity assessment's answers, one column per question.
        *(f"equity_{question}" for question in EQUITY_QUESTIONS),
        # The equity answers in each other language, where translated.
        *(f"equity_{question}_{lang}" for lang in others for question in EQUITY_QUESTIONS),
        # The ideas the proposal grew from, e.g. "12;40;41".
        "idea_ids",
    ]

    def row(p) -> list:
        translated = [
            (p.translations.get(lang) or {}).get(field)
            for lang in others
            for field in ("title", "summary", "location")
        ]
        answers = [(p.equity_assessment or {}).get(q) for q in EQUITY_QUESTIONS]
        answers += [
            ((p.translations.get(lang) or {}).get("equity_assessment") or {}).get(q)
            for lang in others
            for q in EQUITY_QUESTIONS
        ]
        ideas = ";".join(map(str, idea_ids_of(session=session, proposal_id=p.id)))
        fixed = [p.ballot_number, p.id, p.title, p.summary, p.cost_cents, p.category, p.location]
        return [*fixed, *translated, *answers, ideas]

    rows = (row(p) for p in ballot_proposals(session=session, process_id=process.id))
    return _download(write_csv(header, rows), f"pbvote-{process.id}-proposals.csv", "text/csv")


def ideas_csv(session: SessionDep, user: OptionalUser, process_id: int = ProcessId):
    """Every idea, public from the start; contact details only for organizers."""
    process = get_process(session=session, process_id=process_id)
    organizer = user is not None and user.role == Role.organizer.value
    ideas = (
        session.execute(select(Idea).where(Idea.process_id == process.id).order_by(Idea.id))
        .scalars()
        .all()
    )
    sites = {
        s.id: s.name
        for s in session.execute(select(Site).where(Site.process_id == process.id)).scalars()
    }
    header = [
        "idea_id",
        "title",
        "description",
        "category",
        "neighborhood",
        "event",
        "language",
        "channel",
        "status",
        "merged_into",
        "submitted_at",
    ]
    if organizer:
        header += ["contact_name", "contact_email", "contact_phone"]
    visible = [i for i in ideas if organizer or i.status != "hidden"]
    rows = (
        [
            i.id,
            i.title,
            i.description,
            i.category,
            i.neighborhood,
            sites.get(i.site_id),
            i.language,
            i.channel,
            i.status,
            i.merged_into_id,
            i.created_at.isoformat(),
        ]
        + ([i.contact_name, i.contact_email, i.contact_phone] if organizer else [])
        for i in visible
    )
    return _download(write_csv(header, rows), f"pbvote-{process.id}-ideas.csv", "text/csv")


# name -> the function that makes it (its parameters are the routes' dependencies)
DOWNLOADS = {
    "ballots.pb": ballots_pb,
    "ballots.csv": ballots_csv,
    "results.json": results_json,
    "results.csv": results_csv,
    "proposals.csv": proposals_csv,
    "ideas.csv": ideas_csv,
}
