"""A paper batch's disputed sheets, for the organizers to settle (/organize/batches/{id}).
Signed in like the polling station; every POST must come from this site and answers 303
(app/web/flash.py)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.db import SessionDep
from app.errors import DomainError
from app.paper import service as paper
from app.paper.csv_format import CsvProblem, parse_marks
from app.paper.models import PaperSheet
from app.web import flash
from app.web.deps import OrganizerPage, PageForm, SameOrigin
from app.web.render import form_refusal, render
from app.web.staff import refused, said

router = APIRouter(include_in_schema=False, dependencies=[flash.ShowFlash])


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
    """Settle a disputed sheet. The form carries the sheet's state (disputed): sent again
    once the sheet is settled, it changes nothing and says so."""
    page_address = f"/organize/batches/{batch_id}"
    found = session.get(PaperSheet, (batch_id, sheet))
    if found is not None and form.get("state") and found.state != form["state"]:
        settled = said(request, "organize.sheet_settled_already", sheet=sheet)
        return flash.redirect(request, page_address, message=settled)
    reason = form.get("reason", "").strip()[:2000]
    page = flash.back(request, page_address)
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
        return page(error=form_refusal(request, str(exc), session=session), status_code=422)
    except DomainError as exc:
        return refused(request, exc, session=session, page=page)
    settled = said(request, "organize.sheet_settled", sheet=sheet)
    return flash.redirect(request, page_address, message=settled)
