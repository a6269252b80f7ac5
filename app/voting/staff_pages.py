"""Organizers' voting pages: access codes (made, printed as cut-out cards, withdrawn), the
printable paper ballot, live turnout, and every site's open kiosk check-ins. The same
services as the JSON API and the polling station.

Codes are stored only as keyed hashes, so a new batch can be shown once: "make codes" (a
one-time form, app/web/form_token.py) answers 303 to the printable page of cards, the codes
sealed in the flash (app/web/flash.py: never in an address, never readable in a cookie or
in the database alone), with the same codes as a CSV inside the page (a `data:` link). A
reload or Back finds them gone and says so; the page is never cached (`no-store`).
"""

import base64

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
from app.sites.service import list_sites
from app.voting import cast_rate, ticket_desk
from app.voting import service as voting
from app.voting.casting import access_codes_csv_text
from app.voting.models import AccessCodeBatch
from app.web import flash, form_token, i18n
from app.web.deps import OrganizerPage, PageForm, SameOrigin
from app.web.render import render
from app.web.staff import bad_form, refused, said

router = APIRouter(include_in_schema=False, dependencies=[flash.ShowFlash])
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
    if instance := form_token.form_page(request):
        return instance
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
    processes.get_process(session=session, process_id=process_id)  # 404 for no process
    base = f"/organize/processes/{process_id}"
    # The process overview's form says so: a refusal is shown on the overview again.
    form_page = base if form.get("back") == "overview" else base + "/codes"
    typed = {"count": form.get("count", "")[:20], "label": form.get("label", "")[:100]}
    page = flash.back(request, form_token.same(request, form_page, form), form=typed)
    number = parse_count(form.get("count", "")) or 0
    label = form.get("label", "").strip()[:100]
    if not 1 <= number <= MAX_PRINTED or not label:
        # Said in the words of the form that was sent.
        key = "organize.codes_needed" if form_page == base else "codes.form_needed"
        return bad_form(request, key, session=session, page=page, most=MAX_PRINTED)
    try:
        use = form_token.claim(request, session, form, page=form_page)
        batch, made = voting.generate_access_codes(
            session=session,
            settings=request.app.state.settings,
            actor=Actor.of(user),
            process_id=process_id,
            count=number,
            label=label,
        )
    except form_token.FormRepeat:
        again = said(request, "codes.made_already", label=label)
        return form_token.sent_already(request, base + "/codes", again)
    except DomainError as exc:
        return refused(request, exc, session=session, page=page)
    use.made_id = batch.id
    cards = {"batch_id": batch.id, "codes": made}
    return flash.redirect(request, base + "/codes/cards", session=session, sealed={"cards": cards})


@router.get("/organize/processes/{process_id}/codes/cards", response_class=HTMLResponse)
def code_cards(request: Request, session: SessionDep, _: OrganizerPage, process_id: int):
    """The cards of the batch just made, once; after that (a reload, Back) the codes page
    says they were shown once."""
    process = processes.get_process(session=session, process_id=process_id)
    cards = flash.shown(request)[0].get("cards")
    batch = session.get(AccessCodeBatch, cards["batch_id"]) if cards else None
    if batch is None or batch.process_id != process.id:
        gone = flash.redirect(
            request,
            f"/organize/processes/{process_id}/codes",
            message=said(request, "codes.shown_already"),
        )
        flash.forget(request, gone)
        return gone
    made = cards["codes"]
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
    processes.get_process(session=session, process_id=process_id)  # 404 for no process
    codes_page = form_token.fresh(request, f"/organize/processes/{process_id}/codes")
    label = form.get("label", "").strip()[:100]
    reason = form.get("reason", "").strip()[:2000]
    # A refusal keeps what was typed and marks the field to fix.
    wrong = [name for name, bad in (("label", not label), ("reason", len(reason) < 3)) if bad]
    typed = {"label": label, "reason": reason, "invalid": wrong or ["label"]}
    page = flash.back(request, codes_page, session=session, sealed={"void": typed})
    if wrong:
        return bad_form(request, "codes.void_needed", session=session, page=page)
    try:
        voided = voting.void_access_codes(
            session=session,
            settings=request.app.state.settings,
            actor=Actor.of(user),
            process_id=process_id,
            label=label,
            reason=reason,
        )
    except DomainError as exc:
        return refused(request, exc, session=session, page=page)
    voided_said = said(request, "codes.voided", n=voided, label=label)
    return flash.redirect(request, codes_page, message=voided_said)


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
        remember_language=False,
    )


@router.get("/organize/processes/{process_id}/turnout", response_class=HTMLResponse)
def turnout(request: Request, session: SessionDep, _: OrganizerPage, process_id: int):
    process = processes.get_process(session=session, process_id=process_id)
    settings = request.app.state.settings
    credential = voting.get_rules(session=session, process_id=process.id).credential
    return render(
        request,
        "staff/turnout.html",
        {
            "process": process,
            "tab": "turnout",
            "turnout": voting.turnout_summary(session=session, process_id=process.id),
            "paper": paper.reconciliation(session=session, process_id=process.id),
            "rate": cast_rate.cast_rate_view(
                session=session,
                settings=settings,
                process_id=process.id,
                credential=credential,
                now=utcnow(),
            ),
            "credential": credential,
            "now": utcnow(),
        },
    )


def _check_ins_path(process_id: int) -> str:
    return f"/organize/processes/{process_id}/check-ins"


@router.get("/organize/processes/{process_id}/check-ins", response_class=HTMLResponse)
def check_ins(request: Request, session: SessionDep, _: OrganizerPage, process_id: int):
    """Every site's kiosk check-ins that have not become a ballot, with their time left, and
    the station's release and reissue (app/voting/ticket_desk.py): an organizer acts at any
    site without being assigned to it."""
    process = processes.get_process(session=session, process_id=process_id)
    shown = list_sites(session=session, process_id=process.id)
    tickets = ticket_desk.open_check_ins(
        session=session,
        process_ids={process.id},
        site_ids=[site.id for site in shown],
        now=utcnow(),
    )
    return render(
        request,
        "staff/check_ins.html",
        {
            "process": process,
            "tab": "turnout",
            "sites": [(site, tickets[site.id]) for site in shown if tickets[site.id]],
        },
    )


@router.post(
    "/organize/processes/{process_id}/check-ins/{handle}/release",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def release_check_in(
    request: Request,
    session: SessionDep,
    user: OrganizerPage,
    form: PageForm,
    process_id: int,
    handle: str,
):
    reason = form.get("reason", "")
    to = _check_ins_path(process_id)
    return ticket_desk.release(request, session, user=user, handle=handle, reason=reason, to=to)


@router.post(
    "/organize/processes/{process_id}/check-ins/{handle}/reissue",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def reissue_ticket(
    request: Request, session: SessionDep, user: OrganizerPage, process_id: int, handle: str
):
    settings = request.app.state.settings
    to = _check_ins_path(process_id)
    return ticket_desk.reissue(request, session, settings=settings, user=user, handle=handle, to=to)
