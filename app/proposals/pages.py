"""The public ballot page: the proposals on the ballot with their costs, in a chosen language."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.db import SessionDep
from app.errors import Forbidden
from app.processes import service as processes
from app.proposals import service
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
