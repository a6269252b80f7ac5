"""Server-rendered pages: plain HTML that is fast on a cheap phone and works without JS."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.db import SessionDep, utcnow
from app.processes import service as processes
from app.processes.phases import voting_state
from app.results.service import is_published, official_of
from app.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep):
    shown = processes.list_processes(session=session, archived=False, published=True)
    return render(request, "home.html", {"processes": shown})


@router.get("/past", response_class=HTMLResponse)
def past_cycles(request: Request, session: SessionDep):
    """Cycles that are over (archived or closed), each with a link to its results."""
    return render(request, "past.html", {"processes": processes.past_cycles(session=session)})


@router.get("/processes/{process_id}", response_class=HTMLResponse)
def process_page(request: Request, session: SessionDep, process_id: int):
    process = processes.get_process(session=session, process_id=process_id)
    history = processes.transitions_of(session=session, process_id=process_id)
    window_changes = processes.window_changes(session=session, process_id=process_id)
    official = official_of(session=session, process_id=process_id)
    return render(
        request,
        "process.html",
        {
            "process": process,
            "history": history,
            "window_changes": window_changes,
            "voting": voting_state(process, utcnow()).value,
            "results_public": is_published(official, utcnow()),
            "publish_at": official.publish_at if official else None,
        },
        offered=process.languages,
    )
