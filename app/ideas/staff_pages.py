"""Organizers and ideas: the list with filters, hiding and merging with a reason, and
typing in a batch of paper idea forms from one event by keyboard. The same service
functions as the API (app/ideas/service.py), so the same rules and audit apply; staff
entry is never rate-limited. Every POST answers 303 (app/web/flash.py); the moderation form
carries the state of the idea it was drawn for, and a paper form typed in is a one-time form
(app/web/form_token.py)."""

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from app.audit import Actor
from app.db import SessionDep
from app.digits import parse_count
from app.errors import DomainError, NotFound
from app.ideas import service
from app.ideas.models import Idea, IdeaChannel, IdeaStatus
from app.ideas.schemas import IdeaCreate
from app.processes import service as processes
from app.processes.phases import IDEA_MODERATION, IDEA_SHARING
from app.sites import service as sites
from app.sites.models import SiteKind
from app.web import flash, form_token, i18n
from app.web.deps import OrganizerPage, PageForm, SameOrigin
from app.web.render import form_refusal, render
from app.web.staff import bad_form, refused, said

router = APIRouter(include_in_schema=False, dependencies=[flash.ShowFlash])

PAGE_SIZE = 100
FILTERS = ("event", "language", "channel", "status")
# The paper idea form's fields, in the order they are printed on it.
PAPER_FIELDS = (
    "title",
    "description",
    "category",
    "neighborhood",
    "contact_name",
    "contact_phone",
    "contact_email",
)


def _filters(query) -> dict[str, str]:
    return {name: query.get(name, "")[:20] for name in FILTERS if query.get(name)}


def _known(value: str | None, kind) -> str | None:
    return value if value in {member.value for member in kind} else None


def _list_page(
    request: Request, session, process_id: int, *, message=None, error=None, status_code=200
):
    process = processes.get_process(session=session, process_id=process_id)
    chosen = _filters(request.query_params)
    page = min(max(parse_count(request.query_params.get("page")) or 1, 1), 1000)
    picked = parse_count(request.query_params.get("idea"))
    event = chosen.get("event")
    ideas, total = service.filter_ideas(
        session=session,
        process_id=process.id,
        site_id=parse_count(event) if event else None,
        language=chosen.get("language"),
        channel=_known(chosen.get("channel"), IdeaChannel),
        status=_known(chosen.get("status"), IdeaStatus),
        limit=PAGE_SIZE * page,
    )
    events = sites.list_sites(session=session, process_id=process.id, kind=SiteKind.event)
    return render(
        request,
        "organize_ideas.html",
        {
            "process": process,
            "tab": "ideas",
            "ideas": ideas[PAGE_SIZE * (page - 1) :],
            "total": total,
            "page": page,
            "more": total > PAGE_SIZE * page,
            "counts": service.idea_counts(session=session, process_id=process.id),
            "events": events,
            "event_names": {site.id: site.name for site in events},
            "chosen": chosen,
            "query": urlencode(chosen),
            "statuses": [s.value for s in IdeaStatus],
            "channels": [c.value for c in IdeaChannel],
            "moderating": IDEA_MODERATION.allows(process.phase),
            "picked": _picked(session, process.id, picked),
            "message": message,
            "error": error,
        },
        status_code=status_code,
    )


def _picked(session, process_id: int, idea_id: int | None):
    """The idea a row's link chose for the moderation form, if it is this process's."""
    idea = session.get(Idea, idea_id) if idea_id else None
    return idea if idea is not None and idea.process_id == process_id else None


@router.get("/organize/processes/{process_id}/ideas", response_class=HTMLResponse)
def idea_list(request: Request, session: SessionDep, _: OrganizerPage, process_id: int):
    return _list_page(request, session, process_id)


@router.post(
    "/organize/processes/{process_id}/ideas/moderate",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def moderate(
    request: Request, session: SessionDep, user: OrganizerPage, form: PageForm, process_id: int
):
    """Hide, merge (into another idea) or show again, each with a reason: one small form
    for the whole list; the list comes back with its filters (they ride in the address).
    A form drawn for one idea carries that idea's state: sent again once it changed (Back,
    reload, another organizer), it changes nothing and says what the idea is now."""
    decision, reason = form.get("decision", ""), form.get("reason", "").strip()[:2000]
    idea_id = parse_count(form.get("idea", "").strip().lstrip("#"))
    into = parse_count(form.get("into", "").strip().lstrip("#"))
    filters = urlencode(_filters(request.query_params))
    to = f"/organize/processes/{process_id}/ideas" + (f"?{filters}" if filters else "")
    typed = {k: form.get(k, "")[:2000] for k in ("idea", "into", "reason")}
    page = flash.back(request, to, session=session, sealed={"typed": typed})
    if not idea_id:
        return bad_form(request, "ideas.idea_needed", session=session, page=page)
    if decision not in ("hide", "merge", "unhide") or len(reason) < 3:
        return bad_form(request, "ideas.reason_needed", session=session, page=page)
    if decision == "merge" and not into:
        return bad_form(request, "ideas.into_needed", session=session, page=page)
    try:
        idea = service.get_idea(session=session, idea_id=idea_id)
        if idea.process_id != process_id:
            raise NotFound(f"Process {process_id} has no idea {idea_id}.", field="idea_id")
        drawn_for = parse_count(form.get("was_idea"))
        if drawn_for == idea.id and form.get("was") and form["was"] != idea.status:
            status = said(request, f"ideas.status.{idea.status}")
            now = said(request, "ideas.state_now", id=idea.id, status=status)
            return flash.redirect(request, to, message=now)
        actor = Actor.of(user)
        if decision == "hide":
            service.hide_idea(session=session, actor=actor, idea_id=idea_id, reason=reason)
        elif decision == "merge":
            service.merge_idea(
                session=session, actor=actor, idea_id=idea_id, into_idea_id=into, reason=reason
            )
        else:
            service.unhide_idea(session=session, actor=actor, idea_id=idea_id, reason=reason)
    except DomainError as exc:
        return refused(request, exc, session=session, page=page)
    done = said(request, f"ideas.done_{decision}", id=idea_id, into=into or "")
    return flash.redirect(request, to, message=done)


def _paper_page(
    request: Request,
    session,
    process_id: int,
    *,
    form: dict | None = None,
    error=None,
    status_code=200,
):
    process = processes.get_process(session=session, process_id=process_id)
    query = request.query_params
    event = parse_count(query.get("event") or (form or {}).get("event"))
    language = (form or {}).get("language") or query.get("language") or process.languages[0]
    saved = parse_count(query.get("saved")) if form is None else None
    return render(
        request,
        "organize_idea_paper.html",
        {
            "process": process,
            "tab": "ideas",
            "events": sites.list_sites(session=session, process_id=process.id, kind=SiteKind.event),
            "event": event,
            "language": language,
            "form": form or {},
            "fields": PAPER_FIELDS,
            "saved": saved,
            "so_far": service.paper_ideas_from(
                session=session, process_id=process.id, site_id=event
            )
            if saved
            else None,
            "open": IDEA_SHARING.allows(process.phase),
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/organize/processes/{process_id}/ideas/paper", response_class=HTMLResponse)
def paper_form(request: Request, session: SessionDep, _: OrganizerPage, process_id: int):
    if instance := form_token.form_page(request):
        return instance
    return _paper_page(request, session, process_id)


@router.post(
    "/organize/processes/{process_id}/ideas/paper",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def paper_save(
    request: Request, session: SessionDep, user: OrganizerPage, form: PageForm, process_id: int
):
    """One paper form typed in; then the empty form again for the next one from the same
    event (post-redirect-get, and a one-time form: neither a reload nor Back + Save types a
    form in twice)."""
    typed = {k: form.get(k, "").strip() for k in (*PAPER_FIELDS, "event", "language")}
    event = parse_count(typed["event"])
    page_address = f"/organize/processes/{process_id}/ideas/paper"
    where = {"event": str(event or ""), "language": typed["language"]}
    page = flash.back(
        request,
        form_token.same(request, page_address, form, **where),
        session=session,
        sealed={"form": typed},
    )
    try:
        data = IdeaCreate(
            **{k: typed[k] or None for k in PAPER_FIELDS if k != "description"},
            description=typed["description"],
            site_id=event or None,
            language=typed["language"] or None,
        )
    except ValidationError as exc:
        language = i18n.pick_language(request)
        names = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})
        fields = ", ".join(i18n.translate(language, f"ideas.field.{name}") for name in names)
        error = form_refusal(
            request, said(request, "ideas.paper_invalid", fields=fields), session=session
        )
        return page(error=error, status_code=422)
    saved_page = f"{page_address}?{urlencode(where)}&saved={{id}}"
    use = form_token.claim(
        request, session, form, page=page_address, made=(saved_page, "ideas.paper_saved_already")
    )
    try:
        idea = service.submit_idea(
            session=session,
            actor=Actor.of(user),
            process_id=process_id,
            data=data,
            client_address=None,
            typed_by_staff=True,
        )
    except DomainError as exc:
        return refused(request, exc, session=session, page=page)
    use.made_id = idea.id
    # The saved idea's number rides in the address: it is no secret, and says the same on reload.
    return flash.redirect(
        request, form_token.fresh(request, page_address, **where, saved=str(idea.id))
    )
