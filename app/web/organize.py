"""The organizers' list of processes (/organize), and the forms of a process's overview
that act on its proposals, access codes and paper sheets. Signed in like the polling
station; every POST must come from this site. A process's own pages (create, edit,
overview, phase, voting window, archive, copy) are in app/processes/pages.py."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.audit import Actor
from app.db import SessionDep
from app.digits import parse_count
from app.errors import DomainError
from app.paper import service as paper
from app.paper.csv_format import CsvProblem, parse_marks
from app.processes.pages import overview_page, process_list
from app.proposals import service as proposals
from app.voting import service as voting
from app.voting.router import access_codes_csv
from app.web.deps import OrganizerPage, PageForm, SameOrigin
from app.web.render import form_refusal, refusal, render, staff_language
from app.web.staff import said

router = APIRouter(include_in_schema=False)


@router.get("/organize", response_class=HTMLResponse)
def organize(request: Request, session: SessionDep, user: OrganizerPage):
    return process_list(request, session, user)


@router.get("/organize/batches/{batch_id}", response_class=HTMLResponse)
def batch(request: Request, session: SessionDep, user: OrganizerPage, batch_id: int):
    return _batch(request, session, user, batch_id)


def _batch(
    request: Request, session, user, batch_id: int, *, message=None, error=None, status_code=200
):
    found = paper.get_batch(session=session, batch_id=batch_id)
    disputed = paper.discrepancies(session=session, user=user, batch_id=batch_id)
    return render(
        request,
        "organize_batch.html",
        {
            "batch": found,
            "disputed": disputed,
            "counts": paper.sheet_counts(session=session, batch=found),
            "message": message,
            "error": error,
        },
        status_code=status_code,
    )


@router.post(
    "/organize/batches/{batch_id}/sheets/{sheet}",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def resolve(
    request: Request,
    session: SessionDep,
    user: OrganizerPage,
    form: PageForm,
    batch_id: int,
    sheet: int,
):
    reason = form.get("reason", "").strip()[:2000]
    try:
        if len(reason) < 3:
            raise CsvProblem(None, "give the reason for this decision (it is published)")
        paper.resolve_sheet(
            session=session,
            user=user,
            batch_id=batch_id,
            sheet=sheet,
            marks=list(parse_marks(form.get("marks", "")[:400])),
            blank=form.get("flag") == "blank",
            unreadable=form.get("flag") == "unreadable",
            reason=reason,
        )
    except CsvProblem as exc:
        error = form_refusal(request, str(exc), session=session)
        return _batch(request, session, user, batch_id, error=error, status_code=422)
    except DomainError as exc:
        error = refusal(request, exc, staff_language(request), session=session)
        return _batch(request, session, user, batch_id, error=error, status_code=exc.status_code)
    settled = said(request, "organize.sheet_settled", sheet=sheet)
    return _batch(request, session, user, batch_id, message=settled)


@router.post(
    "/organize/proposals/{proposal_id}/{decision}",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def decide(
    request: Request,
    session: SessionDep,
    user: OrganizerPage,
    form: PageForm,
    proposal_id: int,
    decision: str,
):
    process_id = proposals.get_proposal(
        session=session, proposal_id=proposal_id, staff=True
    ).process_id
    actor = Actor(role=user.role, user_id=user.id)
    reason = form.get("reason", "").strip()[:2000]
    try:
        if decision == "approve":
            done = proposals.approve_proposal(session=session, actor=actor, proposal_id=proposal_id)
            message = said(
                request, "organize.approved", title=done.title, number=done.ballot_number
            )
        elif decision == "return" and len(reason) >= 3:
            done = proposals.return_proposal(
                session=session, actor=actor, proposal_id=proposal_id, reason=reason
            )
            message = said(request, "organize.returned", title=done.title)
        else:
            error = form_refusal(
                request, said(request, "organize.return_reason_needed"), session=session
            )
            return overview_page(request, session, user, process_id, status_code=422, error=error)
    except DomainError as exc:
        error = refusal(request, exc, staff_language(request), session=session)
        return overview_page(
            request, session, user, process_id, error=error, status_code=exc.status_code
        )
    return overview_page(request, session, user, process_id, message=message)


@router.post("/organize/processes/{process_id}/access-codes", dependencies=[SameOrigin])
def make_codes(
    request: Request, session: SessionDep, user: OrganizerPage, form: PageForm, process_id: int
):
    """A batch of access codes, downloaded at once as a printable CSV (shown only this once)."""
    count, label = form.get("count", ""), form.get("label", "").strip()[:100]
    number = parse_count(count) or 0
    if not 1 <= number <= 10_000 or not label:
        error = form_refusal(request, said(request, "organize.codes_needed"), session=session)
        return overview_page(request, session, user, process_id, status_code=422, error=error)
    try:
        batch, codes = voting.generate_access_codes(
            session=session,
            settings=request.app.state.settings,
            actor=Actor(role=user.role, user_id=user.id),
            process_id=process_id,
            count=number,
            label=label,
        )
    except DomainError as exc:
        error = refusal(request, exc, staff_language(request), session=session)
        return overview_page(
            request, session, user, process_id, error=error, status_code=exc.status_code
        )
    return access_codes_csv(batch, codes)
