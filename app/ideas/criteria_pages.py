"""Organizers' criteria page (/organize/processes/{id}/criteria): the questions delegates
score ideas against, with weights, order, and their words in every language of the
process. Every change goes through replace_criteria (design only), as the API's PUT.
Every POST answers 303 (app/web/flash.py); adding one is a one-time form
(app/web/form_token.py); every criterion is changed, moved or removed in one form with one
Save, so an edit of one is never dropped by saving another."""

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from app.audit import Actor
from app.db import SessionDep
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


def _as_typed(item: dict, languages: list[str]) -> dict[str, str]:
    """A stored criterion as its fields in the form of every criterion show it."""
    typed = {
        "name": item["name"],
        "description": item["description"],
        "weight": str(item["weight"]),
    }
    for language in languages:
        own = item["translations"].get(language, {})
        typed[f"name_{language}"] = own.get("name", "")
        typed[f"description_{language}"] = own.get("description", "")
    return typed


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
    criteria = service.list_criteria(session=session, process_id=process.id)
    return render(
        request,
        "people/criteria.html",
        {
            "process": process,
            "tab": "criteria",
            "criteria": criteria,
            "editable": CRITERIA.allows(process.phase),
            "made_for": made_for([_as_item(c) for c in criteria]),
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
    page=None,
):
    """Validate the whole list as the API does, then store it; 303 to the page either way
    (`back` and `typed`: where a refusal goes, and the new criterion as typed; or `page`,
    the refusal's answer)."""
    sealed = {"typed_criterion": typed} if typed else None
    page = page or flash.back(
        request, back or _page_address(process_id), session=session, sealed=sealed
    )
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


def made_for(items: list[dict]) -> str:
    """The criteria a page's form was made for, in order: a form made for others (another
    organizer's change in between, Back) saves nothing rather than dropping theirs."""
    return ",".join(str(item["id"]) for item in items)


@router.post(
    "/organize/processes/{process_id}/criteria/save",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def save_criteria(
    request: Request, session: SessionDep, user: OrganizerPage, form: PageForm, process_id: int
):
    """Every criterion of the page at once (one Save): its words, weight and position, and
    those ticked to remove. Fields are suffixed with the criterion's id (`name-12`);
    `criteria` is the list the form was made for."""
    process = processes.get_process(session=session, process_id=process_id)
    items = _current(session, process.id)
    page_address = _page_address(process.id)
    typed = {k: v[:2000] for k, v in form.items()}
    page = flash.back(request, page_address, session=session, sealed={"typed_all": typed})
    if "criteria" in form and form["criteria"] != made_for(items):
        error = form_refusal(
            request, said(request, "people.criteria_changed"), session=session, field="criteria"
        )
        return flash.redirect(request, page_address, error=error, status=409)
    kept = []
    for index, item in enumerate(items):
        suffix = f"-{item['id']}"
        if form.get(f"remove{suffix}"):
            continue
        try:
            position = optional_count(form.get(f"position{suffix}", ""))
        except ValueError:
            position = 0
        if position is not None and not 1 <= position <= len(items):
            words = said(request, "people.criterion.bad_position", n=len(items))
            error = form_refusal(request, words, session=session, field=f"position{suffix}")
            return page(error=error, status_code=422)
        # A field not sent keeps what is stored (the page sends them all).
        sent = {k.removesuffix(suffix): v for k, v in form.items() if k.endswith(suffix)}
        own = _as_typed(item, process.languages[1:]) | sent
        changed = _typed_item(own, process.languages[1:], item["id"])
        # One moved to a position goes before the one that was there (which moves down).
        moved = position is not None and position != index + 1
        kept.append(((position or index + 1), not moved, index, changed))
    kept.sort(key=lambda entry: entry[:3])
    removed = len(items) - len(kept)
    done = said(request, "people.criteria_saved", n=len(kept), removed=removed)
    return _replace(
        request, session, user, process.id, [entry[3] for entry in kept], done, page=page
    )
