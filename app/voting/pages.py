"""The resident's ballot page: rank up to ballot_size proposals and cast, without JavaScript.

The form posts to the same casting code as the JSON API (one person, one ballot, the
same throttling and audit), and answers in the resident's language.
"""

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from app.db import SessionDep, utcnow
from app.digits import parse_count
from app.errors import DomainError
from app.processes import service as processes
from app.processes.models import Process
from app.processes.phases import ORDER, Phase
from app.proposals.service import ballot_of
from app.voting import service as voting
from app.voting.router import cast_in_session
from app.voting.schemas import CredentialIn, IdentityIn
from app.web import i18n
from app.web.deps import PageForm
from app.web.private import clear_flash, read_flash, set_flash
from app.web.render import form_refusal, refusal, render

router = APIRouter(include_in_schema=False)


@dataclass
class FormState:
    access_code: str = ""
    name: str = ""
    birth_date: str = ""
    postal_code: str = ""
    ranking: list[int] = field(default_factory=list)


def _closed_message(process: Process, t: Any) -> str | None:
    now = utcnow()
    phase = Phase(process.phase)
    opens, closes = process.voting_opens_at, process.voting_closes_at
    if ORDER.index(phase) < ORDER.index(Phase.voting) or (
        phase == Phase.voting and opens and now < opens
    ):
        # The day as the process's residents count days (a 20:00 opening is not tomorrow).
        day = opens.astimezone(ZoneInfo(process.time_zone)).date() if opens else None
        return t("vote.opens_at", when=day) if day else t("vote.not_open")
    if phase != Phase.voting or (closes and now >= closes):
        return t("vote.ended")
    return None


def _page(
    request: Request,
    session,
    process: Process,
    form: FormState,
    error: str | None,
    status_code: int = 200,
):
    language = i18n.pick_language(request, process.languages)
    t = lambda key, **kw: i18n.translate(language, key, **kw)  # noqa: E731
    closed = _closed_message(process, t)
    proposals = []
    if not closed:
        ballot = ballot_of(
            session=session,
            process_id=process.id,
            staff=False,
            asked=language,
            accept_language=None,
        )
        proposals = [{**p, "id": p["proposal_id"]} for p in ballot["proposals"]]
    rules = voting.get_rules(session=session, process_id=process.id)
    return render(
        request,
        "vote.html",
        {
            "process": process,
            "proposals": proposals,
            "credential": rules.credential,
            "form": form,
            "error": error,
            "closed_message": closed,
            "kiosk": False,
            "action": f"/processes/{process.id}/vote",
        },
        offered=process.languages,
        status_code=status_code,
    )


@router.get("/processes/{process_id}/vote", response_class=HTMLResponse)
def vote_page(request: Request, session: SessionDep, process_id: int):
    process = processes.get_process(session=session, process_id=process_id)
    return _page(request, session, process, FormState(), None)


@router.post("/processes/{process_id}/vote", response_class=HTMLResponse)
def vote_submit(request: Request, session: SessionDep, process_id: int, fields: PageForm):
    process = processes.get_process(session=session, process_id=process_id)
    kind = voting.get_rules(session=session, process_id=process_id).credential
    form = form_state(fields, process.ballot_size)
    language = i18n.pick_language(request, process.languages)
    try:
        receipt = cast_in_session(
            request=request,
            session=session,
            settings=request.app.state.settings,
            process_id=process_id,
            credential=_credential(form, kind),
            ranking=form.ranking,
        )
    except ValidationError as exc:
        code = "code_typo" if any(e["type"] == "code_typo" for e in exc.errors()) else "invalid"
        message = form_refusal(request, i18n.translate(language, f"error.{code}"), session=session)
        return _again(request, session, process_id, form, message, 422)
    except DomainError as exc:
        # cast_in_session rolled the cast back and kept a wrong code's guess: commit that.
        message = refusal(request, exc, language, session=session, rollback=False)
        return _again(request, session, process_id, form, message, exc.status_code)
    # Post-redirect-get: Back or a reload never sends the ballot again or shows its receipt.
    done = f"/processes/{process_id}/vote/done"
    response = RedirectResponse(done, status_code=303)
    set_flash(request, response, path=done, value={"receipt": receipt})
    return response


def form_state(fields: dict[str, str], ballot_size: int) -> FormState:
    ranking = []
    for n in range(1, ballot_size + 1):
        number = parse_count(fields.get(f"rank_{n}"))
        if number is not None:
            ranking.append(number)  # an empty choice between two others closes up
    return FormState(
        access_code=fields.get("access_code", "").strip()[:40],
        name=fields.get("name", "").strip()[:200],
        birth_date=fields.get("birth_date", "").strip()[:10],
        postal_code=fields.get("postal_code", "").strip()[:20],
        ranking=ranking,
    )


def _credential(form: FormState, kind: str) -> CredentialIn:
    identity = None
    if kind in ("identity", "both"):
        identity = IdentityIn(
            name=form.name, birth_date=form.birth_date or None, postal_code=form.postal_code
        )
    code = form.access_code if kind in ("code", "both") else None
    return CredentialIn(access_code=code or None, identity=identity)


@router.get("/processes/{process_id}/vote/done", response_class=HTMLResponse)
def vote_done(request: Request, session: SessionDep, process_id: int):
    process = processes.get_process(session=session, process_id=process_id)
    return receipt_once(
        request,
        process,
        path=f"/processes/{process_id}/vote/done",
        elsewhere=f"/processes/{process_id}",
    )


def receipt_once(request: Request, process: Process, *, path: str, elsewhere: str, kiosk=False):
    """The thank-you page with the receipt that casting left in a flash for `path`, shown
    once: a reload, Back or the next person on a shared device is sent `elsewhere`."""
    shown = read_flash(request, path=path)
    if shown is None:
        response = RedirectResponse(elsewhere, status_code=303)
    else:
        receipt = shown.get("receipt") or ""
        check = f"/processes/{process.id}/receipt?{urlencode({'code': receipt})}"
        response = render(
            request,
            "vote_done.html",
            {
                "process": process,
                "receipt": receipt,
                "kiosk": kiosk,
                "check": check,
                # To take home from a kiosk: a link tapped there would leave it on screen.
                "check_address": str(request.base_url).rstrip("/") + check,
            },
            offered=process.languages,
        )
    clear_flash(request, response, path=path)
    return response


def _again(
    request: Request, session, process_id: int, form: FormState, error: str, status: int
) -> HTMLResponse:
    if status == 409:  # already voted: nothing to correct, and nothing of it is shown again
        form = FormState()
    process = processes.get_process(session=session, process_id=process_id)
    return _page(request, session, process, form, error, status)


@router.get("/processes/{process_id}/receipt", response_class=HTMLResponse)
def receipt_page(request: Request, session: SessionDep, process_id: int, code: str = ""):
    process = processes.get_process(session=session, process_id=process_id)
    counted = None
    code = code.strip()[:64]
    if code:
        counted = voting.receipt_counted(
            session=session, settings=request.app.state.settings, process_id=process_id, code=code
        )
    return render(
        request,
        "receipt.html",
        {"process": process, "code": code, "counted": counted},
        offered=process.languages,
    )
