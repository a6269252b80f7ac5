"""Drafts: the residents' pages of a process not yet published are not there (404) for
anyone but signed-in staff, who see them with a preview banner (base.html). One
dependency for every page under /processes/{process_id} (app/main.py adds it to the
residents' page routers); the rule itself is the service's `visible_process`, as the API's."""

from fastapi import Depends, Request

from app.auth import staff_cookie_user
from app.db import SessionDep
from app.processes.models import Process
from app.processes.service import visible_process


def draft_hidden(request: Request, session: SessionDep) -> None:
    raw = request.path_params.get("process_id")
    if raw is None or not request.url.path.startswith("/processes/"):
        return
    try:
        process_id = int(raw)
    except ValueError:
        return  # the route's own check answers a malformed id
    process = session.get(Process, process_id)
    if process is None or process.published_at is not None:
        return  # the route answers a missing process; a published one is for everyone
    staff = staff_cookie_user(request, session) is not None
    visible_process(session=session, process_id=process_id, staff=staff)
    request.state.draft_preview = True


DraftHidden = Depends(draft_hidden)
