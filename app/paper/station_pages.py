"""Typing in paper ballots at the polling station, by keyboard, fast.

One sheet at a time: the sheet number is filled in (the next one this poll worker still
has to type), the marks go in one line exactly as written ("1:7 2:3 3:12"), Enter saves
and the form comes back for the next sheet. The double-entry rules are the API's.
Every POST answers 303 (app/web/flash.py): a new batch and a sheet typed in are one-time
forms (app/web/form_token.py), so Back + Enter never types a sheet in twice. Closing a
batch cannot be undone: its button leads to a confirmation page (app/web/confirm.py) whose
form carries the batch's state (a batch closed already says so).
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from app.db import SessionDep
from app.digits import parse_count
from app.errors import DomainError
from app.paper import service as paper
from app.paper.csv_format import CsvProblem, parse_marks
from app.paper.models import PaperBatch, PaperEntry, SheetState
from app.sites.models import Site
from app.users.models import User
from app.web import flash, form_token, i18n
from app.web.confirm import Confirmation, confirm_page
from app.web.deps import PageForm, SameOrigin, StaffFromCookie
from app.web.render import form_refusal, render
from app.web.staff import refused

router = APIRouter(include_in_schema=False, dependencies=[flash.ShowFlash])
STATION = "/station"


def _next_sheet(session, batch: PaperBatch, user: User) -> int | None:
    """The lowest sheet this person can still type: untyped, or typed once by someone else."""
    typed: dict[int, list[int]] = {}
    for sheet, who in session.execute(
        select(PaperEntry.sheet, PaperEntry.entered_by_id).where(PaperEntry.batch_id == batch.id)
    ).all():
        typed.setdefault(sheet, []).append(who)
    for sheet in range(1, batch.declared_sheets + 1):
        people = typed.get(sheet, [])
        if not people or (len(people) == 1 and people[0] != user.id):
            return sheet
    return None


def _batch_page(
    request: Request,
    session,
    user: User,
    batch: PaperBatch,
    *,
    message: str | None = None,
    error: str | None = None,
    marks: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    site = session.get(Site, batch.site_id)
    counts = paper.sheet_counts(session=session, batch=batch)
    disputed = [
        sheet for sheet, _ in paper.discrepancies(session=session, user=user, batch_id=batch.id)
    ]
    return render(
        request,
        "paper_batch.html",
        {
            "user": user,
            "batch": batch,
            "site": site,
            "counts": counts,
            "disputed": disputed,
            "next_sheet": _next_sheet(session, batch, user),
            "message": message,
            "error": error,
            "marks": marks,
        },
        status_code=status_code,
    )


@router.get("/station/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(request: Request, session: SessionDep, user: StaffFromCookie, batch_id: int):
    if user is None:
        return RedirectResponse("/station", status_code=303)
    if instance := form_token.form_page(request):
        return instance
    batch = paper.get_batch(session=session, batch_id=batch_id)
    return _batch_page(request, session, user, batch, message=_saved(request))


@router.get("/station/batches/{batch_id}/close", response_class=HTMLResponse)
def close_page(request: Request, session: SessionDep, user: StaffFromCookie, batch_id: int):
    """Are you sure? Closing says every sheet of the batch is entered, for good."""
    if user is None:
        return RedirectResponse("/station", status_code=303)
    batch = paper.get_batch(session=session, batch_id=batch_id)
    language = i18n.pick_language(request)
    page_address = f"/station/batches/{batch_id}"
    if batch.status != "open":
        status = i18n.translate(language, f"paper.status.{batch.status}")
        now = i18n.translate(language, "paper.batch_now", status=status)
        return flash.redirect(request, page_address, message=now)
    n = batch.declared_sheets
    return confirm_page(
        request,
        Confirmation(
            heading=i18n.translate(language, "paper.close_confirm_title", id=batch.id),
            consequence=i18n.translate_plural(language, "paper.close_confirm", n),
            action=page_address,
            button=i18n.translate_plural(language, "paper.close", n),
            back=page_address,
            hidden={"action": "close", "status": batch.status},
        ),
        staff=False,
        context={"user": user},
    )


def _saved(request: Request) -> str | None:
    """What the last entry saved, in the poll worker's words (the redirect carries it)."""
    language, query = i18n.pick_language(request), request.query_params
    if query.get("closed"):
        return i18n.translate(language, "paper.batch_closed")
    sheet, entry, state = query.get("sheet"), query.get("entry"), query.get("state", "")
    if (
        parse_count(sheet) is None
        or parse_count(entry) is None
        or state not in SheetState.__members__
    ):
        return None
    return i18n.translate(
        language,
        "paper.sheet_saved",
        sheet=sheet,
        entry=entry,
        state=i18n.translate(language, f"paper.state.{state}"),
    )


@router.post("/station/sites/{site_id}/paper-batches", dependencies=[SameOrigin])
def new_batch(
    request: Request, session: SessionDep, user: StaffFromCookie, form: PageForm, site_id: int
):
    site = session.get(Site, site_id)
    if user is None or site is None:
        return RedirectResponse("/station", status_code=303)
    sheets = form.get("sheets", "")
    declared = parse_count(sheets) or 0
    back = form_token.same(request, STATION, form)
    if not 1 <= declared <= 10_000:
        needed = i18n.translate(i18n.pick_language(request), "paper.sheets_needed")
        error = form_refusal(request, needed, session=session)
        return flash.redirect(request, back, error=error, status=422)
    made = ("/station/batches/{id}", "paper.batch_made_already")
    use = form_token.claim(request, session, form, page=STATION, made=made)
    try:
        batch = paper.create_batch(
            session=session,
            user=user,
            process_id=site.process_id,
            site_id=site_id,
            declared_sheets=declared,
        )
    except DomainError as exc:
        return refused(request, exc, session=session, page=flash.back(request, back))
    use.made_id = batch.id
    return RedirectResponse(f"/station/batches/{batch.id}", status_code=303)


@router.post("/station/batches/{batch_id}", response_class=HTMLResponse, dependencies=[SameOrigin])
def enter_sheet(
    request: Request, session: SessionDep, user: StaffFromCookie, form: PageForm, batch_id: int
):
    if user is None:
        return RedirectResponse("/station", status_code=303)
    batch = paper.get_batch(session=session, batch_id=batch_id)
    text = form.get("marks", "")[:400]
    page_address = f"/station/batches/{batch_id}"
    closing = form.get("action") == "close"
    if closing and form.get("status") and form["status"] != batch.status:
        now = i18n.translate(
            i18n.pick_language(request),
            "paper.batch_now",
            status=i18n.translate(i18n.pick_language(request), f"paper.status.{batch.status}"),
        )
        return flash.redirect(request, page_address, message=now)
    back = flash.back(request, form_token.same(request, page_address, form), marks=text)
    try:
        if closing:
            paper.close_batch(session=session, user=user, batch_id=batch_id)
            return RedirectResponse(f"{page_address}?closed=1", status_code=303)
        sheet = parse_count(form.get("sheet")) or 0
        form_token.claim(request, session, form, page=page_address)
        pass_number, state = paper.enter_sheet(
            session=session,
            user=user,
            batch_id=batch_id,
            sheet=sheet,
            marks=list(parse_marks(text)),
            blank=form.get("flag") == "blank",
            unreadable=form.get("flag") == "unreadable",
        )
    except CsvProblem as problem:
        return back(error=form_refusal(request, problem.message, session=session), status_code=422)
    except DomainError as exc:
        return refused(request, exc, session=session, page=back)
    # What was saved rides in the address: no secret, and the same words on a reload.
    saved = {"sheet": str(sheet), "entry": str(pass_number), "state": state.value}
    return flash.redirect(request, form_token.fresh(request, page_address, **saved))
