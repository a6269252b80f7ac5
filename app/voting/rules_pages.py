"""Organizers' rules page (/organize/processes/{id}/rules): who may vote and how they
prove it, how paper ballots are read, and the per-address limit on online ideas; and the
published paper-marking rules as a printable public page (/processes/{id}/paper-rules).
Every POST answers 303 to the rules page (app/web/flash.py), a refused one with what was
typed; each form states the whole rule, so sending it again only says the same again."""

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.audit import Actor
from app.db import SessionDep
from app.ideas import service as ideas
from app.paper import service as paper
from app.paper.interpret import OvervoteRule, SkippedRankRule
from app.processes import service as processes
from app.processes.phases import KIOSK_TICKET_LENGTH, VOTING_RULES
from app.voting import service
from app.voting.models import CredentialKind
from app.voting.schemas import VotingRulesIn
from app.web import flash
from app.web.deps import OrganizerPage, PageForm, SameOrigin
from app.web.render import form_refusal, render
from app.web.staff import attempt, optional_count, said

router = APIRouter(include_in_schema=False, dependencies=[flash.ShowFlash])
LABELS = {
    "credential": "people.rules.credential",
    "min_age": "people.rules.min_age",
    "postal_codes": "people.rules.postal_codes",
}
_SEPARATORS = re.compile(r"[\s,;]+")


def _rules_page(
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
    rules = service.get_rules(session=session, process_id=process.id)
    return render(
        request,
        "people/rules.html",
        {
            "process": process,
            "tab": "rules",
            "rules": rules,
            "paper_rules": paper.get_rules(session=session, process_id=process.id),
            "credentials": [kind.value for kind in CredentialKind],
            "cast_limit": request.app.state.settings.online_casts_per_address_per_hour,
            "overvotes": [rule.value for rule in OvervoteRule],
            "skips": [rule.value for rule in SkippedRankRule],
            "in_design": VOTING_RULES.allows(process.phase),
            "kiosk_editable": KIOSK_TICKET_LENGTH.allows(process.phase),
            "form": form or {},
            "message": message,
            "error": error,
        },
        status_code=status_code,
    )


def _voting_rules(typed: dict[str, str]) -> VotingRulesIn:
    """The rules the form describes (ValidationError, naming the fields, if wrong)."""
    try:
        min_age: object = optional_count(typed["min_age"])
    except ValueError:
        min_age = typed["min_age"]  # the schema refuses it, naming the field
    return VotingRulesIn.model_validate(
        {
            "credential": typed["credential"],
            "min_age": min_age,
            "postal_codes": [c for c in _SEPARATORS.split(typed["postal_codes"]) if c],
        }
    )


def _address(process_id: int) -> str:
    return f"/organize/processes/{process_id}/rules"


@router.get("/organize/processes/{process_id}/rules", response_class=HTMLResponse)
def rules(request: Request, session: SessionDep, _: OrganizerPage, process_id: int):
    return _rules_page(request, session, process_id)


@router.post(
    "/organize/processes/{process_id}/rules/voting",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def save_voting_rules(
    request: Request, session: SessionDep, user: OrganizerPage, form: PageForm, process_id: int
):
    typed = {k: form.get(k, "").strip() for k in ("credential", "min_age", "postal_codes")}
    stored, refusal_page = attempt(
        request,
        session,
        lambda: service.put_rules(
            session=session, actor=Actor.of(user), process_id=process_id, data=_voting_rules(typed)
        ),
        page=flash.back(request, _address(process_id), session=session, sealed={"form": typed}),
        labels=LABELS,
    )
    if stored is None:
        return refusal_page
    saved = said(request, "people.rules.saved")
    return flash.redirect(request, _address(process_id), message=saved)


@router.post(
    "/organize/processes/{process_id}/rules/paper",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def save_paper_rules(
    request: Request, session: SessionDep, user: OrganizerPage, form: PageForm, process_id: int
):
    overvote, skipped = form.get("overvote", ""), form.get("skipped_rank", "")
    if overvote not in OvervoteRule.__members__ or skipped not in SkippedRankRule.__members__:
        fields = (
            said(request, "people.rules.overvote") + ", " + said(request, "people.rules.skipped")
        )
        error = form_refusal(
            request, said(request, "people.check_fields", fields=fields), session=session
        )
        return flash.redirect(request, _address(process_id), error=error, status=422)
    stored, refusal_page = attempt(
        request,
        session,
        lambda: paper.put_rules(
            session=session,
            user=user,
            process_id=process_id,
            overvote=OvervoteRule(overvote),
            skipped_rank=SkippedRankRule(skipped),
        ),
        page=flash.back(request, _address(process_id)),
    )
    if stored is None:
        return refusal_page
    message = said(request, "people.rules.paper_saved")
    return flash.redirect(request, _address(process_id), message=message)


@router.post(
    "/organize/processes/{process_id}/rules/ideas",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def save_idea_limit(
    request: Request, session: SessionDep, user: OrganizerPage, form: PageForm, process_id: int
):
    typed = {"idea_rate_limit": form.get("idea_rate_limit", "").strip()}
    try:
        per_hour = optional_count(typed["idea_rate_limit"])
    except ValueError:
        per_hour = -1  # refused by the service as any number out of range
    stored, refusal_page = attempt(
        request,
        session,
        lambda: ideas.set_idea_rate_limit(
            session=session, actor=Actor.of(user), process_id=process_id, per_hour=per_hour
        ),
        page=flash.back(request, _address(process_id), session=session, sealed={"form": typed}),
    )
    if stored is None:
        return refusal_page
    key = "people.rules.limit_saved" if per_hour is not None else "people.rules.limit_lifted"
    return flash.redirect(request, _address(process_id), message=said(request, key, n=per_hour))


@router.post(
    "/organize/processes/{process_id}/rules/kiosk",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def save_kiosk_minutes(
    request: Request, session: SessionDep, user: OrganizerPage, form: PageForm, process_id: int
):
    typed = {"kiosk_ticket_minutes": form.get("kiosk_ticket_minutes", "").strip()}
    try:
        minutes = optional_count(typed["kiosk_ticket_minutes"]) or -1
    except ValueError:
        minutes = -1  # refused by the service as any number out of range
    stored, refusal_page = attempt(
        request,
        session,
        lambda: service.set_kiosk_ticket_minutes(
            session=session, actor=Actor.of(user), process_id=process_id, minutes=minutes
        ),
        page=flash.back(request, _address(process_id), session=session, sealed={"form": typed}),
    )
    if stored is None:
        return refusal_page
    said_ = said(request, "people.rules.kiosk_saved", minutes=minutes)
    return flash.redirect(request, _address(process_id), message=said_)


@router.get("/processes/{process_id}/paper-rules", response_class=HTMLResponse)
def published_paper_rules(request: Request, session: SessionDep, process_id: int):
    """The paper-marking rules as published with the vote: printable, in the process's
    languages (?lang=)."""
    process = processes.get_process(session=session, process_id=process_id)
    return render(
        request,
        "people/paper_rules.html",
        {
            "process": process,
            "paper_rules": paper.get_rules(session=session, process_id=process.id),
            "lang_path": f"/processes/{process.id}/paper-rules",
        },
        offered=process.languages,
    )
