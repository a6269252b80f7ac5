"""The organizers' audit page: the hash-chained log (app/audit.py), newest first, by kind and
by person, with times in UTC and in a process's time zone, and a button that checks the
whole chain as `pbvote audit verify` does (its answer: 303 to the log, the check's result
said there once, app/web/flash.py)."""

import dataclasses

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from app import audit
from app.db import SessionDep
from app.digits import parse_count
from app.processes import service as processes
from app.users.models import User
from app.web import flash
from app.web.deps import OrganizerPage, SameOrigin
from app.web.render import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


def _zones(session) -> list[str]:
    """The time zones the processes are run in: local times are shown in one of them."""
    zones = [p.time_zone for p in processes.list_processes(session=session)]
    return list(dict.fromkeys([*zones, "UTC"]))


def _log_page(request: Request, session, *, check=None, status_code: int = 200):
    query = request.query_params
    kinds = audit.kinds_in_log(session=session)
    kind = query.get("kind", "")
    kind = kind if kind in kinds else ""
    actor_ids = audit.actors_in_log(session=session)
    person = parse_count(query.get("person"))
    person = person if person in actor_ids else None
    zones = _zones(session)
    zone = query.get("zone") if query.get("zone") in zones else zones[0]
    before = parse_count(query.get("before"), max_digits=18)
    entries = audit.read_log(
        session=session, kind=kind or None, actor_id=person, before_seq=before, limit=PAGE_SIZE
    )
    people = (
        {
            u.id: u
            for u in session.execute(select(User).where(User.id.in_(actor_ids))).scalars()  # type: ignore[union-attr]
        }
        if actor_ids
        else {}
    )
    filters = {"kind": kind, "person": person or "", "zone": zone}
    return render(
        request,
        "staff/audit.html",
        {
            "entries": entries,
            "kinds": kinds,
            "kind": kind,
            "people": people,
            "person": person,
            "zones": zones,
            "zone": zone,
            "filters": filters,
            "older": entries[-1].seq if len(entries) == PAGE_SIZE else None,
            "paged": before is not None,
            "check": check,
            "head": audit.head_of(session=session),
        },
        status_code=status_code,
    )


@router.get("/organize/audit", response_class=HTMLResponse)
def audit_log(request: Request, session: SessionDep, _: OrganizerPage):
    return _log_page(request, session)


@router.post("/organize/audit/verify", response_class=HTMLResponse, dependencies=[SameOrigin])
def verify(request: Request, session: SessionDep, _: OrganizerPage):
    """The same check as `pbvote audit verify` (app/cli.py), said in plain words."""
    check = audit.verify_chain(session=session)
    return flash.redirect(request, "/organize/audit", check=dataclasses.asdict(check))
