"""Organizers' voting pages: access codes (made, printed as cut-out cards, withdrawn), the
printable paper ballot, and live turnout. The same services as the JSON API.

Codes are stored only as keyed hashes, so a new batch can be shown once: the answer to
"make codes" is the printable page of cards itself, with the same codes as a CSV inside
the page (a `data:` link), never stored and never cached (`no-store`, app/web/private.py).
"""

import base64
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.audit import Actor
from app.db import SessionDep, utcnow
from app.digits import parse_count
from app.errors import DomainError
from app.paper import service as paper
from app.processes import service as processes
from app.processes.models import Process
from app.processes.phases import ACCESS_CODES
from app.proposals.service import ballot_of
from app.voting import service as voting
from app.voting.router import access_codes_csv_text
from app.web import i18n
from app.web.deps import OrganizerPage, PageForm, SameOrigin
from app.web.render import render
from app.web.staff import bad_form, refused, said

router = APIRouter(include_in_schema=False)
MAX_PRINTED = 10_000  # as the API: AccessCodesIn


def _codes_page(
    request: Request,
    session,
    process: Process,
    *,
    message: str | None = None,
    error: str | None = None,
    status_code: int = 200,
):
    return render(
        request,
        "staff/codes.html",
        {
            "process": process,
            "tab": "codes",
            "batches": voting.code_batches(session=session, process_id=process.id),
            "can_change": ACCESS_CODES.allows(process.phase),
            "message": message,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/organize/processes/{process_id}/codes", response_class=HTMLResponse)
def codes(request: Request, session: SessionDep, _: OrganizerPage, process_id: int):
    process = processes.get_process(session=session, process_id=process_id)
    return _codes_page(request, session, process)


@router.post(
    "/organize/processes/{process_id}/codes",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def make_codes(
    request: Request, session: SessionDep, user: OrganizerPage, form: PageForm, process_id: int
):
    """A new batch, answered with its printable cards: the only time the codes exist."""
    process = processes.get_process(session=session, process_id=process_id)
    page = partial(_codes_page, request, session, process)
    number = parse_count(form.get("count", "")) or 0
    label = form.get("label", "").strip()[:100]
    if not 1 <= number <= MAX_PRINTED or not label:
        return bad_form(request, "codes.form_needed", session=session, page=page, most=MAX_PRINTED)
    try:
        batch, made = voting.generate_access_codes(
            session=session,
            settings=request.app.state.settings,
            actor=Actor(role=user.role, user_id=user.id),
            process_id=process_id,
            count=number,
            label=label,
        )
    except DomainError as exc:
        return refused(request, exc, session=session, page=page)
    csv_text = access_codes_csv_text(batch, made)
    return render(
        request,
        "staff/code_cards.html",
        {
            "process": process,
            "tab": "codes",
            "batch": batch,
            "codes": made,
            "vote_address": f"{str(request.base_url).rstrip('/')}/processes/{process.id}/vote",
            "card_texts": _card_texts(process),
            "csv_link": "data:text/csv;base64," + base64.b64encode(csv_text.encode()).decode(),
            "csv_name": f"access-codes-{process.id}-{batch.id}.csv",
        },
        status_code=201,
    )


def _card_texts(process: Process) -> list[dict[str, str]]:
    """The card's words in each of the process's languages, the first one first."""
    texts = []
    for language in process.languages or [i18n.DEFAULT]:
        if language not in i18n.available():
            continue
        name = (process.translations.get(language) or {}).get("name") or process.name
        texts.append(
            {
                "lang": language,
                "name": name,
                "how": i18n.translate(language, "codes.card.how", ballot_size=process.ballot_size),
                "once": i18n.translate(language, "codes.card.once"),
            }
        )
    return texts


@router.post(
    "/organize/processes/{process_id}/codes/void",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def void_codes(
    request: Request, session: SessionDep, user: OrganizerPage, form: PageForm, process_id: int
):
    process = processes.get_process(session=session, process_id=process_id)
    page = partial(_codes_page, request, session, process)
    label = form.get("label", "").strip()[:100]
    reason = form.get("reason", "").strip()[:2000]
    if not label or len(reason) < 3:
        return bad_form(request, "codes.void_needed", session=session, page=page)
    try:
        voided = voting.void_access_codes(
            session=session,
            settings=request.app.state.settings,
            actor=Actor(role=user.role, user_id=user.id),
            process_id=process_id,
            label=label,
            reason=reason,
        )
    except DomainError as exc:
        return refused(request, exc, session=session, page=page)
    return page(message=said(request, "codes.voided", n=voided, label=label))


@router.get("/organize/processes/{process_id}/paper-ballot", response_class=HTMLResponse)
def paper_ballot(request: Request, session: SessionDep, _: OrganizerPage, process_id: int):
    """The ballot to print for one of the process's languages (`?lang=`)."""
    process = processes.get_process(session=session, process_id=process_id)
    language = i18n.pick_language(request, process.languages)
    ballot = ballot_of(
        session=session,
        process_id=process.id,
        staff=True,
        asked=language,
        accept_language=None,
    )
    return render(
        request,
        "staff/paper_ballot.html",
        {
            "process": process,
            "tab": "paper",
            "proposals": ballot["proposals"],
            "ranks": list(range(1, process.ballot_size + 1)),
            "lang_path": request.url.path,
        },
        offered=process.languages,
    )


@router.get("/organize/processes/{process_id}/turnout", response_class=HTMLResponse)
def turnout(request: Request, session: SessionDep, _: OrganizerPage, process_id: int):
    process = processes.get_process(session=session, process_id=process_id)
    return render(
        request,
        "staff/turnout.html",
        {
            "process": process,
            "tab": "turnout",
            "turnout": voting.turnout_summary(session=session, process_id=process.id),
            "paper": paper.reconciliation(session=session, process_id=process.id),
            "now": utcnow(),
        },
    )
