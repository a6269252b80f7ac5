"""Organizers' criteria page (/organize/processes/{id}/criteria): the questions delegates
score ideas against, with weights, order, and their words in every language of the
process. Every change goes through replace_criteria (design only), as the API's PUT.
Every POST answers 303 (app/web/flash.py); adding one is a one-time form
(app/web/form_token.py), and removing one that is gone already says so."""

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from app.audit import Actor
from app.db import SessionDep
from app.errors import NotFound
from app.ideas import criteria as service
from app.ideas.models import Criterion
from app.ideas.schemas import CriteriaUpdate
from app.processes import service as processes
from app.processes.phases import CRITERIA
from app.web import flash, form_token
from app.web.deps import OrganizerPage, PageForm, SameOrigin
from app.web.render import form_refusal, render
from app.web.staff import attempt, optional_count, said

router = APIRouter(include_in_schema=False, dependencies=[flash.ShowFlash])
LABELS = {
    "name": "people.criterion.name",
    "description": "people.criterion.description",
    "weight": "people.criterion.weight",
    "position": "people.criterion.position",
    "criteria": "people.criteria_title",
    "translations": "people.translations",
}


def _as_item(criterion: Criterion) -> dict:
    return {
        "id": criterion.id,
        "name": criterion.name,
        "description": criterion.description,
        "weight": criterion.weight,
        "translations": criterion.translations or {},
    }


def _typed_item(form: dict[str, str], languages: list[str], criterion_id: int | None) -> dict:
    """One criterion as the form describes it (weight as text until the schema reads it)."""
    typed = {k: v.strip() for k, v in form.items()}
    translations = {}
    for language in languages:
        name = typed.get(f"name_{language}", "")
        description = typed.get(f"description_{language}", "")
        if name or description:
            translations[language] = {"name": name, "description": description}
    try:
        weight: object = optional_count(typed.get("weight", ""))
    except ValueError:
        weight = typed.get("weight")
    return {
        "id": criterion_id,
        "name": typed.get("name", ""),
        "description": typed.get("description", ""),
        "weight": weight if weight is not None else 1,
        "translations": translations,
    }


def _criteria_page(
    request: Request,
    session,
    process_id: int,
    *,
    message: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    process = processes.get_process(session=session, process_id=process_id)
    return render(
        request,
        "people/criteria.html",
        {
            "process": process,
            "tab": "criteria",
            "criteria": service.list_criteria(session=session, process_id=process.id),
            "editable": CRITERIA.allows(process.phase),
            "message": message,
            "error": error,
        },
        status_code=status_code,
    )


def _page_address(process_id: int) -> str:
    return f"/organize/processes/{process_id}/criteria"


def _replace(
    request: Request,
    session,
    user,
    process_id: int,
    items: list[dict],
    done: str,
    *,
    back: str | None = None,
    typed: dict | None = None,
):
    """Validate the whole list as the API does, then store it; 303 to the page either way
    (`back` and `typed`: where a refusal goes, and the new criterion as typed)."""
    sealed = {"typed_criterion": typed} if typed else None
    page = flash.back(request, back or _page_address(process_id), session=session, sealed=sealed)
    stored, refusal_page = attempt(
        request,
        session,
        lambda: service.replace_criteria(
            session=session,
            actor=Actor.of(user),
            process_id=process_id,
            criteria=CriteriaUpdate.model_validate({"criteria": items}).criteria,
        ),
        page=page,
        labels=LABELS,
        explain=partial(_whole_list_problem, request),
    )
    if stored is None:
        return refusal_page
    return flash.redirect(
        request, form_token.fresh(request, _page_address(process_id)), message=done
    )


def _whole_list_problem(request: Request, exc: ValidationError) -> str | None:
    """The list's own rules in words: names used twice, or no criterion left."""
    for error in exc.errors():
        if error["loc"] == ("criteria",) and "once" in error["msg"]:
            return said(request, "people.criterion.twice")
        if error["loc"] == ("criteria",) and error["type"] == "too_short":
            return said(request, "people.criterion.keep_one")
    return None


def _current(session, process_id: int) -> list[dict]:
    return [_as_item(c) for c in service.list_criteria(session=session, process_id=process_id)]


def _index(items: list[dict], process_id: int, criterion_id: int) -> int:
    found = next((n for n, c in enumerate(items) if c["id"] == criterion_id), None)
    if found is None:
        raise NotFound(
            f"Process {process_id} has no criterion {criterion_id}.", field="criterion_id"
        )
    return found


@router.get("/organize/processes/{process_id}/criteria", response_class=HTMLResponse)
def criteria(request: Request, session: SessionDep, _: OrganizerPage, process_id: int):
    if instance := form_token.form_page(request):
        return instance
    return _criteria_page(request, session, process_id)


@router.post(
    "/organize/processes/{process_id}/criteria",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def add_criterion(
    request: Request, session: SessionDep, user: OrganizerPage, form: PageForm, process_id: int
):
    process = processes.get_process(session=session, process_id=process_id)
    item = _typed_item(form, process.languages[1:], None)
    items = [*_current(session, process.id), item]
    done = said(request, "people.criterion.added", name=item["name"])
    back = form_token.same(request, _page_address(process.id), form)
    form_token.claim(request, session, form, page=_page_address(process.id))
    return _replace(request, session, user, process.id, items, done, back=back, typed=item)


@router.post(
    "/organize/processes/{process_id}/criteria/{criterion_id}",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def save_criterion(
    request: Request,
    session: SessionDep,
    user: OrganizerPage,
    form: PageForm,
    process_id: int,
    criterion_id: int,
):
    """Save one criterion's words and weight, and move it to the position asked for."""
    process = processes.get_process(session=session, process_id=process_id)
    items = _current(session, process.id)
    index = _index(items, process.id, criterion_id)
    try:
        position = optional_count(form.get("position", ""))
    except ValueError:
        position = 0
    if position is not None and not 1 <= position <= len(items):
        error = form_refusal(
            request,
            said(request, "people.criterion.bad_position", n=len(items)),
            session=session,
            field="position",
        )
        return flash.redirect(request, _page_address(process.id), error=error, status=422)
    items.pop(index)
    item = _typed_item(form, process.languages[1:], criterion_id)
    items.insert((position or index + 1) - 1, item)
    done = said(request, "people.criterion.saved", name=item["name"])
    return _replace(request, session, user, process.id, items, done)


@router.post(
    "/organize/processes/{process_id}/criteria/{criterion_id}/remove",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def remove_criterion(
    request: Request,
    session: SessionDep,
    user: OrganizerPage,
    process_id: int,
    criterion_id: int,
):
    items = _current(session, process_id)
    if not any(item["id"] == criterion_id for item in items):
        # Removed already (Back + send, a reload): nothing more to remove.
        gone = said(request, "people.criterion.removed_already")
        return flash.redirect(request, _page_address(process_id), message=gone)
    gone = items.pop(_index(items, process_id, criterion_id))
    done = said(request, "people.criterion.removed", name=gone["name"])
    return _replace(request, session, user, process_id, items, done)
