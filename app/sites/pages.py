"""Organizers' sites page (/organize/processes/{id}/sites): idea events (formal or
informal) and voting sites with their names in every language of the process, address,
neighbourhood and hours in the process's time zone, and the poll workers of each site.
Every POST answers 303 (app/web/flash.py), a refused one with what was typed; adding a site
is a one-time form (app/web/form_token.py), and taking off a poll worker who is off
already says so."""

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.audit import Actor
from app.db import SessionDep
from app.processes import service as processes
from app.processes.phases import STAFFING
from app.sites import service
from app.sites.models import Site, SiteKind
from app.sites.schemas import SiteCreate
from app.users import service as users
from app.users.models import Role
from app.voting import service as voting
from app.voting.models import PollWorkerSite
from app.web import flash, form_token
from app.web.deps import OrganizerPage, PageForm, SameOrigin
from app.web.render import form_refusal, render
from app.web.staff import attempt, said

router = APIRouter(include_in_schema=False, dependencies=[flash.ShowFlash])
KINDS = ("event_formal", "event_informal", "voting_site")
LABELS = {
    "name": "people.site.name",
    "kind": "people.site.kind",
    "address": "people.site.address",
    "neighborhood": "people.site.neighborhood",
    "opens_at": "people.site.opens",
    "closes_at": "people.site.closes",
    "formal": "people.site.kind",
    "translations": "people.translations",
}


def kind_choice(site: Site) -> str:
    if site.kind == SiteKind.voting_site.value:
        return "voting_site"
    return "event_formal" if site.formal else "event_informal"


def local_input(when: datetime | None, zone: str) -> str:
    """A UTC time as a datetime-local field shows it, in the process's time zone."""
    return when.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M") if when else ""


def _utc(text: str, zone: str) -> str | None:
    """A datetime-local field's text read in the process's zone, as ISO 8601 in UTC."""
    text = text.strip()
    if not text:
        return None
    try:
        local = datetime.fromisoformat(text)
    except ValueError:
        return text  # the schema refuses it, naming the field
    if local.tzinfo is not None:
        return text
    try:
        return local.replace(tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC")).isoformat()
    except OverflowError:  # year 1 or 9999 moved past the calendar's end
        return text  # the schema refuses it (no time zone), naming the field


def site_fields(site: Site, zone: str) -> dict[str, str]:
    fields = {
        "kind": kind_choice(site),
        "name": site.name,
        "address": site.address,
        "neighborhood": site.neighborhood or "",
        "opens_at": local_input(site.opens_at, zone),
        "closes_at": local_input(site.closes_at, zone),
    }
    for language, text in (site.translations or {}).items():
        fields[f"name_{language}"] = text.get("name", "")
    return fields


def read_site(typed: dict[str, str], process) -> SiteCreate:
    """The site the form describes (ValidationError, naming the fields, if it is wrong)."""
    kind = typed.get("kind", "")
    translations = {
        language: {"name": typed[f"name_{language}"]}
        for language in process.languages[1:]
        if typed.get(f"name_{language}")
    }
    return SiteCreate.model_validate(
        {
            "name": typed.get("name", ""),
            "kind": {"voting_site": "voting_site", "event_formal": "event"}.get(
                kind, "event" if kind == "event_informal" else kind
            ),
            "formal": kind == "event_formal",
            "address": typed.get("address", ""),
            "neighborhood": typed.get("neighborhood") or None,
            "opens_at": _utc(typed.get("opens_at", ""), process.time_zone),
            "closes_at": _utc(typed.get("closes_at", ""), process.time_zone),
            "translations": translations,
        }
    )


def _staffers(session):
    """Active accounts that may staff a site: poll workers and organizers."""
    allowed = {Role.poll_worker.value, Role.organizer.value}
    found = [u for u in users.list_users(session=session) if u.is_active and u.role in allowed]
    return sorted(found, key=lambda u: u.role != Role.poll_worker.value)  # poll workers first


def _sites_page(
    request: Request,
    session,
    process_id: int,
    *,
    message: str | None = None,
    error: str | None = None,
    form: dict | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    process = processes.get_process(session=session, process_id=process_id)
    return render(
        request,
        "people/sites.html",
        {
            "process": process,
            "tab": "sites",
            "sites": service.list_sites(session=session, process_id=process.id),
            "workers": voting.poll_workers_by_site(session=session, process_id=process.id),
            "staffers": _staffers(session),
            "kinds": KINDS,
            "kind_choice": kind_choice,
            "staffing_open": STAFFING.allows(process.phase),
            "form": form or {},
            "message": message,
            "error": error,
        },
        status_code=status_code,
    )


def _edit_page(request, session, process_id, site_id, *, form=None, error=None, status_code=200):
    process = processes.get_process(session=session, process_id=process_id)
    site = service.get_site(session=session, process_id=process.id, site_id=site_id)
    return render(
        request,
        "people/site_edit.html",
        {
            "process": process,
            "tab": "sites",
            "site": site,
            "kinds": KINDS,
            "form": form or site_fields(site, process.time_zone),
            "error": error,
        },
        status_code=status_code,
    )


def _page_address(process_id: int) -> str:
    return f"/organize/processes/{process_id}/sites"


@router.get("/organize/processes/{process_id}/sites", response_class=HTMLResponse)
def sites(request: Request, session: SessionDep, _: OrganizerPage, process_id: int):
    if instance := form_token.form_page(request):
        return instance
    return _sites_page(request, session, process_id)


@router.post(
    "/organize/processes/{process_id}/sites",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def add_site(
    request: Request, session: SessionDep, user: OrganizerPage, form: PageForm, process_id: int
):
    """A one-time form: sent again (Back + Add, a reload), it adds no second site."""
    process = processes.get_process(session=session, process_id=process_id)
    typed = {k: v.strip() for k, v in form.items() if k != form_token.FIELD}
    page_address = _page_address(process.id)
    back = form_token.same(request, page_address, form)
    page = flash.back(request, back, session=session, sealed={"form": typed})
    use = form_token.claim(request, session, form, page=page_address)
    site, refusal_page = attempt(
        request,
        session,
        lambda: service.add_site(
            session=session,
            actor=Actor.of(user),
            process_id=process.id,
            data=read_site(typed, process),
        ),
        page=page,
        labels=LABELS,
    )
    if site is None:
        return refusal_page
    use.made_id = site.id
    message = said(request, "people.site.added", name=site.name)
    return flash.redirect(request, form_token.fresh(request, page_address), message=message)


@router.get("/organize/processes/{process_id}/sites/{site_id}", response_class=HTMLResponse)
def edit_site(
    request: Request, session: SessionDep, _: OrganizerPage, process_id: int, site_id: int
):
    kept = flash.shown(request)[0].get("form")  # a refused save, as it was typed
    return _edit_page(request, session, process_id, site_id, form=kept or None)


@router.post(
    "/organize/processes/{process_id}/sites/{site_id}",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def save_site(
    request: Request,
    session: SessionDep,
    user: OrganizerPage,
    form: PageForm,
    process_id: int,
    site_id: int,
):
    process = processes.get_process(session=session, process_id=process_id)
    typed = {k: v.strip() for k, v in form.items()}
    site, refusal_page = attempt(
        request,
        session,
        lambda: service.update_site(
            session=session,
            actor=Actor.of(user),
            process_id=process.id,
            site_id=site_id,
            data=read_site(typed, process),
        ),
        page=flash.back(
            request,
            f"{_page_address(process.id)}/{site_id}",
            session=session,
            sealed={"form": typed},
        ),
        labels=LABELS,
    )
    if site is None:
        return refusal_page
    message = said(request, "people.site.saved", name=site.name)
    return flash.redirect(request, _page_address(process_id), message=message)


@router.post(
    "/organize/processes/{process_id}/sites/{site_id}/poll-workers",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def staff_site(
    request: Request,
    session: SessionDep,
    user: OrganizerPage,
    form: PageForm,
    process_id: int,
    site_id: int,
):
    """Assign (`user_id`) or take off (`remove` = user id) a poll worker. Sent again, an
    assignment changes nothing, and taking off someone who is off already says so."""
    site = service.get_site(session=session, process_id=process_id, site_id=site_id)
    remove = form.get("remove", "").strip()
    chosen = remove or form.get("user_id", "").strip()
    page_address = _page_address(process_id)
    if not chosen.isascii() or not chosen.isdigit() or len(chosen) > 9:
        error = form_refusal(
            request, said(request, "people.site.pick_worker"), session=session, field="user_id"
        )
        return flash.redirect(request, page_address, error=error, status=422)
    if remove and session.get(PollWorkerSite, (site.id, int(chosen))) is None:
        off = said(request, "people.site.off_already", site=site.name)
        return flash.redirect(request, page_address, message=off)
    change = voting.unassign_poll_worker if remove else voting.assign_poll_worker
    done, refusal_page = attempt(
        request,
        session,
        lambda: (
            change(session=session, actor=Actor.of(user), site_id=site.id, user_id=int(chosen))
            or True
        ),
        page=flash.back(request, page_address),
    )
    if not done:
        return refusal_page
    worker = users.get_user(session=session, user_id=int(chosen))
    key = "people.site.unassigned" if remove else "people.site.assigned"
    message = said(request, key, name=worker.display_name, site=site.name)
    return flash.redirect(request, page_address, message=message)
