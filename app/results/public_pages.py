"""The published results page of a process, for everyone (/processes/{id}/results): the
count, its rounds and the funded projects, in the reader's language, once an organizer has
published the official result; until then when it will be, and no numbers. And the printable
report of the whole process (/processes/{id}/report, app/results/report.py)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.db import SessionDep, utcnow
from app.errors import Forbidden, NotFound
from app.processes.service import acknowledgement_of, get_process
from app.proposals.service import ballot_proposals
from app.results import awards, display, report, service
from app.users.models import Role
from app.web import i18n
from app.web.deps import StaffFromCookie
from app.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/processes/{process_id}/results", response_class=HTMLResponse)
def results_page(request: Request, session: SessionDep, process_id: int):
    process = get_process(session=session, process_id=process_id)
    # Nothing of the count until an organizer has published it; until then, when it will be.
    view, projects, now = None, [], utcnow()
    official = service.official_of(session=session, process_id=process.id)
    if service.is_published(official, now):
        view = service.results_for(session=session, process=process, user=None, now=now)
        projects = awards.funded_projects(session=session, process=process)
    # Titles in the reader's language where the delegates translated them.
    language = i18n.pick_language(request, process.languages)
    titles = {
        p.id: (p.translations.get(language) or {}).get("title") or p.title
        for p in ballot_proposals(session=session, process_id=process.id)
    }
    for line in (view["result"]["projects"] if view else []) + projects:
        line["title"] = titles.get(line["proposal_id"], line["title"])
    shown: dict = {
        "process": process,
        "view": view,
        "projects": projects,
        "publish_at": official.publish_at if official and not view else None,
    }
    if view:
        shown["count_note"] = display.count_note(
            acknowledgement_of(session=session, process_id=process.id), language
        )
    if view:
        result = view["result"]
        by_number = {line["project"]: line["title"] for line in result["projects"]}
        for line in result["projects"]:
            line["score_text"] = display.number_text(line["score"], language)
        shown["chart"] = display.chart(result["projects"], result, language)
        shown["rounds"] = display.rounds(result, by_number, language)
        shown["quota"] = display.stv_quota(result)
        shown["leftover"] = display.leftover(result)
        shown["order_ties"] = display.order_ties(result)
    return render(request, "results.html", shown, offered=process.languages)


@router.get("/processes/{process_id}/report", response_class=HTMLResponse)
def report_page(request: Request, session: SessionDep, staff: StaffFromCookie, process_id: int):
    """The printable report, one page per section, in one of the process's languages.
    Before the results are published only organizers read it: anyone else is told there
    is no such page (404), a signed-in delegate or poll worker that it is not theirs (403)."""
    process = get_process(session=session, process_id=process_id)
    public = report.report_is_public(session, process, utcnow())
    if not public and (staff is None or staff.role != Role.organizer.value):
        if staff is None:
            raise NotFound("The report is published with the results.", code="not_published")
        raise Forbidden("Only organizers read the report before the results are published.")
    language = i18n.pick_language(request, process.languages)
    shown = report.process_report(session=session, process=process, language=language)
    response = render(
        request,
        "report.html",
        {
            "process": process,
            "report": shown,
            "equity_figures": shown["equity"],  # _equity_public.html, as on the results page
            "public": public,
            "made_at": utcnow(),
        },
        offered=process.languages,
    )
    response.headers["Content-Language"] = language
    return response
