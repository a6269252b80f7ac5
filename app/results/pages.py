"""Organizers' results and funding pages: the count (a PREVIEW while voting, never shown to
residents; the official result from funding on, which an organizer publishes now or at a
set local time) and the awards and delivery progress of each funded project. The same
services as the JSON API (app/results/router.py). Recording an award answers 303
(app/web/flash.py) and is a one-time form (app/web/form_token.py)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.audit import Actor
from app.db import SessionDep
from app.digits import parse_money
from app.errors import DomainError
from app.processes import service as processes
from app.processes.forms import local_moment
from app.processes.models import Process
from app.results import awards, display, service
from app.results.models import AwardStatus
from app.web import flash, form_token, i18n
from app.web.deps import OrganizerPage, PageForm, SameOrigin
from app.web.render import render, staff_language
from app.web.staff import bad_form, refused, said

router = APIRouter(include_in_schema=False, dependencies=[flash.ShowFlash])
EXPORTS = ["ballots.pb", "ballots.csv", "results.json", "results.csv", "proposals.csv", "ideas.csv"]


@router.get("/organize/processes/{process_id}/results", response_class=HTMLResponse)
def results(request: Request, session: SessionDep, user: OrganizerPage, process_id: int):
    process = processes.get_process(session=session, process_id=process_id)
    view, unavailable = None, None
    official = service.official_of(session=session, process_id=process.id)
    try:
        view = service.results_for(session=session, process=process, user=user)
    except DomainError as exc:  # nothing to count yet: said on the page, nothing to undo
        language = staff_language(request)
        worded = i18n.translate(language, f"error.{exc.code}") if language else exc.message
        unavailable = exc.message if worded == f"error.{exc.code}" else worded
    return render(
        request,
        "staff/results.html",
        {
            "process": process,
            "tab": "results",
            "view": view,
            "unavailable": unavailable,
            "official_at": official.computed_at if official else None,
            "publish_at": official.publish_at if official else None,
            "exports": EXPORTS,
            "count_note": display.count_note(
                processes.acknowledgement_of(session=session, process_id=process.id),
                i18n.pick_language(request),
            ),
        },
    )


@router.post(
    "/organize/processes/{process_id}/results/publish",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def publish_results(
    request: Request, session: SessionDep, user: OrganizerPage, form: PageForm, process_id: int
):
    """Publish the official result now (`when=now`) or at a local date and time."""
    address = f"/organize/processes/{process_id}/results"
    process = processes.get_process(session=session, process_id=process_id)
    page = flash.back(request, address)
    at = None
    if form.get("when") == "later":
        try:
            at = local_moment(
                form.get("publish_date", ""), form.get("publish_time", ""), process.time_zone
            )
        except ValueError:
            at = None
        if at is None:
            return bad_form(request, "staff_results.publish_moment", session=session, page=page)
    try:
        official = service.publish_result(
            session=session, actor=Actor.of(user), process_id=process_id, at=at
        )
    except DomainError as exc:
        return refused(request, exc, session=session, page=page)
    key = "staff_results.scheduled" if at else "staff_results.published"
    when = i18n.format_moment(i18n.pick_language(request), official.publish_at, process.time_zone)
    return flash.redirect(request, address, message=said(request, key, when=when))


def _awards_page(
    request: Request,
    session,
    process: Process,
    *,
    message: str | None = None,
    error: str | None = None,
    failed: dict | None = None,
    status_code: int = 200,
):
    projects = awards.funded_projects(session=session, process=process)
    for project in projects:  # what the amount field shows: 15000 or 15000.50, as typed
        cents = project["amount_cents"]
        project["amount_text"] = (
            "" if not cents else f"{cents // 100}" + (f".{cents % 100:02d}" if cents % 100 else "")
        )
    return render(
        request,
        "staff/awards.html",
        {
            "process": process,
            "tab": "awards",
            "projects": projects,
            "awarded": sum(p["amount_cents"] or 0 for p in projects),
            "statuses": [s.value for s in AwardStatus],
            "message": message,
            "error": error,
            "failed": failed or {},
        },
        status_code=status_code,
    )


@router.get("/organize/processes/{process_id}/awards", response_class=HTMLResponse)
def awards_page(request: Request, session: SessionDep, _: OrganizerPage, process_id: int):
    if instance := form_token.form_page(request):
        return instance
    process = processes.get_process(session=session, process_id=process_id)
    return _awards_page(request, session, process)


@router.post(
    "/organize/processes/{process_id}/awards/{proposal_id}",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def record_award(
    request: Request,
    session: SessionDep,
    user: OrganizerPage,
    form: PageForm,
    process_id: int,
    proposal_id: int,
):
    process = processes.get_process(session=session, process_id=process_id)
    amount = parse_money(form.get("amount"))
    organisation = form.get("organisation", "").strip()[:200]
    note = form.get("note", "").strip()[:2000] or None
    status = form.get("status", "")
    failed = {"proposal_id": proposal_id, **form}
    address = f"/organize/processes/{process_id}/awards"
    back = form_token.same(request, address, form)
    page = flash.back(request, back, session=session, sealed={"failed": failed})
    if not amount or not organisation or status not in AwardStatus.__members__:
        return bad_form(request, "awards.form_needed", session=session, page=page)
    form_token.claim(request, session, form, page=address)
    try:
        award = awards.record_award(
            session=session,
            user=user,
            process=process,
            proposal_id=proposal_id,
            amount_cents=amount,
            organisation=organisation,
            status=AwardStatus(status),
            note=note,
        )
    except DomainError as exc:
        return refused(request, exc, session=session, page=page)
    saved = said(request, "awards.saved", organisation=award.organisation)
    return flash.redirect(request, form_token.fresh(request, address), message=saved)
