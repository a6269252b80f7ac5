"""The public ballot page: the proposals on the ballot with their costs, in a chosen language."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.db import SessionDep
from app.errors import Forbidden
from app.ideas.board import board_pages
from app.processes import service as processes
from app.proposals import service
from app.sites import service as sites
from app.sites.models import SiteKind
from app.web import i18n
from app.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/processes/{process_id}/ballot", response_class=HTMLResponse)
def ballot_page(request: Request, session: SessionDep, process_id: int):
    process = processes.get_process(session=session, process_id=process_id)
    language = i18n.pick_language(request, process.languages)
    try:
        ballot = service.ballot_of(
            session=session,
            process_id=process_id,
            staff=False,
            asked=language,
            accept_language=None,
        )
    except Forbidden:
        ballot = None
    response = render(
        request, "ballot.html", {"process": process, "ballot": ballot}, offered=process.languages
    )
    response.headers["Content-Language"] = language
    return response


def _where_to_vote(session, process) -> dict:
    """The online ballot and the voting sites with their hours, for a proposal's page."""
    return {
        "sites": sites.list_sites(
            session=session, process_id=process.id, kind=SiteKind.voting_site
        ),
        "phase": process.phase,
    }


@router.get("/processes/{process_id}/proposals", response_class=HTMLResponse)
def proposals_page(request: Request, session: SessionDep, process_id: int):
    """The proposals on the ballot, each linked to its own page (public from voting on)."""
    process = processes.get_process(session=session, process_id=process_id)
    ballot = _published_ballot(session, process, i18n.pick_language(request, process.languages))
    return render(
        request,
        "proposals.html",
        {"process": process, "ballot": ballot},
        offered=process.languages,
    )


def _published_ballot(session, process, language: str) -> dict | None:
    """The ballot in `language`, or None before voting opens."""
    try:
        return service.ballot_of(
            session=session,
            process_id=process.id,
            staff=False,
            asked=language,
            accept_language=None,
        )
    except Forbidden:
        return None


@router.get("/processes/{process_id}/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal_page(request: Request, session: SessionDep, process_id: int, proposal_id: int):
    """One proposal in the reader's language, its equity assessment, the ideas it came
    from and where to vote for it. Drafts and returned proposals are 404."""
    process = processes.get_process(session=session, process_id=process_id)
    language = i18n.pick_language(request, process.languages)
    shown = service.public_proposal(
        session=session, process=process, proposal_id=proposal_id, language=language
    )
    pages = board_pages(session=session, process=process, idea_ids=[i for i, _ in shown["ideas"]])
    response = render(
        request,
        "proposal.html",
        {
            "process": process,
            "shown": shown,
            "idea_pages": pages,
            **_where_to_vote(session, process),
        },
        offered=process.languages,
    )
    response.headers["Content-Language"] = language
    return response
