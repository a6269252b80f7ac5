from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from app.auth import CurrentOrganizer, OptionalUser
from app.db import SessionDep
from app.errors import BadInput, Conflict, Forbidden, NotAuthenticated, NotFound, error_responses
from app.processes.service import get_process
from app.proposals.service import ballot_proposals
from app.results import awards, display, service
from app.results.models import AwardStatus
from app.web import i18n
from app.web.render import render

router = APIRouter(prefix="/api/processes", tags=["results and funding"])
ProcessId = Path(ge=1, le=2**31 - 1)
ProposalId = Path(ge=1, le=2**31 - 1)
_errors = error_responses(NotAuthenticated, Forbidden, NotFound, Conflict, BadInput)


class AwardIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    amount_cents: Annotated[int, Field(strict=True, gt=0, le=10**15)]
    organisation: str = Field(min_length=1, max_length=200)
    status: AwardStatus = AwardStatus.awarded
    note: str | None = Field(default=None, max_length=2000)


@router.get("/{process_id}/results", responses=_errors)
def get_results(session: SessionDep, user: OptionalUser, process_id: int = ProcessId):
    process = get_process(session=session, process_id=process_id)
    return service.results_for(session=session, process=process, user=user)


@router.put("/{process_id}/projects/{proposal_id}/award", responses=_errors)
def put_award(
    body: AwardIn,
    session: SessionDep,
    organizer: CurrentOrganizer,
    process_id: int = ProcessId,
    proposal_id: int = ProposalId,
):
    process = get_process(session=session, process_id=process_id)
    awards.record_award(
        session=session,
        user=organizer,
        process=process,
        proposal_id=proposal_id,
        amount_cents=body.amount_cents,
        organisation=body.organisation,
        status=body.status,
        note=body.note,
    )
    return awards.funded_projects(session=session, process=process)


@router.get("/{process_id}/projects", responses=error_responses(NotFound))
def list_projects(session: SessionDep, process_id: int = ProcessId):
    process = get_process(session=session, process_id=process_id)
    rows = awards.funded_projects(session=session, process=process)
    return {
        "process_id": process.id,
        "budget_cents": process.budget_cents,
        "awarded_cents": sum(row["amount_cents"] or 0 for row in rows),
        "projects": rows,
    }


pages = APIRouter(include_in_schema=False)


@pages.get("/processes/{process_id}/results", response_class=HTMLResponse)
def results_page(request: Request, session: SessionDep, process_id: int):
    process = get_process(session=session, process_id=process_id)
    view = None
    if service.official_of(session=session, process_id=process.id) is not None:
        view = service.results_for(session=session, process=process, user=None)
    projects = awards.funded_projects(session=session, process=process)
    # Titles in the reader's language where the delegates translated them.
    language = i18n.pick_language(request, process.languages)
    titles = {
        p.id: (p.translations.get(language) or {}).get("title") or p.title
        for p in ballot_proposals(session=session, process_id=process.id)
    }
    for line in (view["result"]["projects"] if view else []) + projects:
        line["title"] = titles.get(line["proposal_id"], line["title"])
    shown: dict = {"process": process, "view": view, "projects": projects}
    if view:
        result = view["result"]
        by_number = {line["project"]: line["title"] for line in result["projects"]}
        for line in result["projects"]:
            line["score_text"] = display.number_text(line["score"], language)
        shown["chart"] = display.chart(result["projects"], result, language)
        shown["rounds"] = display.rounds(result, by_number, language)
        shown["quota"] = display.stv_quota(result)
    return render(request, "results.html", shown, offered=process.languages)
