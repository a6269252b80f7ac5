"""The steps of a ballot, shared by the vote page (app/voting/pages.py) and the kiosk
(app/voting/station_pages.py), each a `BallotSurface`:

    form (GET) --POST step=review--> review (GET) --POST step=cast--> thank-you (GET)

Every POST answers 303 (post-redirect-get) while voting is open, and the fields travel to
the next GET in the draft cookie (app/voting/ballot_form.py): Back never meets a POST's
answer, a refused form is shown again at its GET with the refusal's status and an error
summary that links to each field to fix, and a language switch keeps everything typed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import segno
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature
from markupsafe import Markup
from pydantic import ValidationError

from app.db import utcnow
from app.digits import parse_count
from app.errors import DomainError
from app.processes.models import Process
from app.processes.phases import VotingState, voting_state
from app.proposals.service import ballot_of
from app.security import serializer
from app.voting.ballot_form import (
    DRAFT_SECONDS,
    Draft,
    FieldError,
    FormState,
    ballot_mistakes,
    clear_draft,
    credential_mistakes,
    form_state,
    read_draft,
    save_draft,
)
from app.web import i18n
from app.web.private import clear_flash, read_flash, set_flash
from app.web.render import form_refusal, refusal, render

RECEIPT_AGAIN_SECONDS = 10 * 60  # the thank-you page shows the receipt again this long
KIOSK_THANKS_SECONDS = 20  # the kiosk's thank-you page goes to the next voter (kiosk.js)


@dataclass
class BallotSurface:
    """Where a ballot is filled in: the online vote page or the kiosk."""

    process: Process
    credential: str  # code, identity, both (online) or kiosk
    form_path: str
    review_path: str
    done_path: str
    draft_path: str  # the draft cookie's path: covers form_path and review_path
    action: str  # where the form posts
    kiosk: bool = False

    @classmethod
    def online(cls, process: Process, credential: str) -> "BallotSurface":
        base = f"/processes/{process.id}/vote"
        return cls(process, credential, base, base + "/review", base + "/done", base, base)


def _closed_message(process: Process, t: Any) -> str | None:
    """Why the ballot cannot be cast now, in the reader's words, or None while voting is
    open: the one reading of the phase and window (phases.voting_state)."""
    state = voting_state(process, utcnow())
    if state == VotingState.before:
        opens = process.voting_opens_at
        # The day as the process's residents count days (a 20:00 opening is not tomorrow).
        day = opens.astimezone(ZoneInfo(process.time_zone)).date() if opens else None
        return t("vote.opens_at", when=day) if day else t("vote.not_open")
    return t("vote.ended") if state == VotingState.ended else None


def _proposals(session, process: Process, language: str) -> list[dict]:
    ballot = ballot_of(
        session=session, process_id=process.id, staff=False, asked=language, accept_language=None
    )
    return [{**p, "id": p["proposal_id"]} for p in ballot["proposals"]]


def ballot_page(
    request: Request,
    session,
    surface: BallotSurface,
    *,
    review: bool = False,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The form (or its review) with the draft's fields and mistakes, if any."""
    process = surface.process
    language = i18n.pick_language(request, process.languages)
    t = partial(i18n.translate, language)
    closed = _closed_message(process, t)
    draft = read_draft(request, path=surface.draft_path)
    # Left idle (the draft expired, or idle.js came here after warning): emptied for the
    # next person on this device, and the voter told why.
    idle = request.query_params.get("idle") == "1" and not review
    if idle or (draft is not None and draft.expired):
        said = FieldError(None, t("vote.draft_expired", minutes=DRAFT_SECONDS // 60))
        draft = Draft(form=FormState(), errors=[said], status=200)
    if review and (draft is None or closed or draft.errors or not draft.form.ranking):
        response = RedirectResponse(surface.form_path, status_code=303)
        if draft is not None and draft.errors:  # e.g. "emptied after 20 minutes": said there
            save_draft(
                request, response, path=surface.draft_path, form=draft.form, errors=draft.errors
            )
        return response
    form, errors = (draft.form, draft.errors) if draft else (FormState(), [])
    if error:
        errors = [FieldError(None, error)]
    elif errors:
        status_code = draft.status
    proposals = [] if closed else _proposals(session, process, language)
    by_id = {p["id"]: p for p in proposals}
    response = render(
        request,
        "vote_review.html" if review else "vote.html",
        {
            "process": process,
            "proposals": proposals,
            "chosen": [by_id[c] for c in form.ranking if c in by_id],
            "credential": surface.credential,
            "form": form,
            "errors": errors,
            "invalid": {e.field: e for e in errors if e.field},
            "closed_message": closed,
            "kiosk": surface.kiosk,
            "action": surface.action,
            "form_path": surface.form_path,
            "switch_form": None if closed else "ballot",
            "switch_default": None if review else "review",
            "idle_seconds": DRAFT_SECONDS,
        },
        offered=process.languages,
        status_code=status_code,
    )
    if idle or form == FormState():
        clear_draft(request, response, path=surface.draft_path)  # nothing left to keep
    elif draft:  # renewed while the voter is at it; a refusal is said once
        save_draft(request, response, path=surface.draft_path, form=form)
    return response


def ballot_post(
    request: Request,
    session,
    surface: BallotSurface,
    fields: dict[str, str],
    *,
    cast: Callable[[FormState], str],
    refused_elsewhere: Callable[[DomainError, str], Response | None] = lambda exc, said: None,
) -> Response:
    """One POST of the ballot form: a language switch, the review step, or the cast."""
    process = surface.process
    language = i18n.pick_language(request, process.languages)
    t = partial(i18n.translate, language)
    form = form_state(fields, process.ballot_size)
    step = fields.get("step", "cast")
    if step == "thanks":
        return _thanks_again(request, surface, fields)
    switch = fields.get("switch_lang", "")
    if switch in process.languages and switch in i18n.available():
        back = surface.review_path if fields.get("page") == "review" else surface.form_path
        return _to(request, surface, back + "?" + urlencode({"lang": switch}), form)
    more = parse_count(fields.get("more"))
    if step == "more" and more is not None and not surface.kiosk:
        # "Read more" (ballot.js posts the form first): everything typed kept in the draft,
        # then the project's page; Back shows the form as it was.
        return _to(request, surface, f"/processes/{process.id}/proposals/{more}", form)
    if _closed_message(process, t) is not None:
        # Nothing to correct any more: the refusal is said on the form's page, at once.
        return _cast_now(request, session, surface, form, cast, refused_elsewhere)
    titles = {p["id"]: p["title"] for p in _proposals(session, process, language)}
    mistakes = ballot_mistakes(form, titles, t) + credential_mistakes(form, surface.credential, t)
    if mistakes:
        form_refusal(request, mistakes[0].message, session=session, field=mistakes[0].field)
        return _to(request, surface, surface.form_path, form, mistakes, 422)
    if step == "review":
        return _to(request, surface, surface.review_path, form)
    return _cast_now(request, session, surface, form, cast, refused_elsewhere)


def _to(request, surface, where: str, form, errors=(), status=200) -> RedirectResponse:
    response = RedirectResponse(where, status_code=303)
    save_draft(request, response, path=surface.draft_path, form=form, errors=errors, status=status)
    return response


def _cast_now(request, session, surface, form, cast, refused_elsewhere):
    language = i18n.pick_language(request, surface.process.languages)
    try:
        receipt = cast(form)
    except ValidationError as exc:
        mistakes = _validation_mistakes(exc, language)
        form_refusal(request, mistakes[0].message, session=session, field=mistakes[0].field)
        status = 422
    except DomainError as exc:
        # cast_in_session rolled the cast back and kept a wrong code's guess: commit that.
        said = refusal(request, exc, language, session=session, rollback=False)
        if surface.kiosk and exc.code == "already_voted":
            said = i18n.translate(language, "error.ticket_used")
        elsewhere = refused_elsewhere(exc, said)
        if elsewhere is not None:
            return elsewhere
        # Everything typed stays on the form, the field at fault marked: a used code or an
        # under-age birth date is corrected in place, the ranking kept.
        mistakes, status = [FieldError(FORM_FIELDS.get(exc.field or ""), said)], exc.status_code
    else:
        response = RedirectResponse(surface.done_path, status_code=303)
        seconds = 60 if surface.kiosk else RECEIPT_AGAIN_SECONDS
        set_flash(
            request, response, path=surface.done_path, value={"receipt": receipt}, seconds=seconds
        )
        clear_draft(request, response, path=surface.draft_path)
        return response
    return _to(request, surface, surface.form_path, form, mistakes, status)


# A refusal's field (the API's name) -> the form field to fix (ballot and check-in forms).
FORM_FIELDS = {
    "credential.access_code": "access_code",
    "access_code": "access_code",
    "identity.name": "name",
    "identity.birth_date": "birth_date",
    "identity.postal_code": "postal_code",
    "credential.name": "name",
    "credential.birth_date": "birth_date",
    "credential.postal_code": "postal_code",
    "ranking": "rank_1",
    "name": "name",
    "birth_date": "birth_date",
    "postal_code": "postal_code",
}


def _validation_mistakes(exc: ValidationError, language: str) -> list[FieldError]:
    """The API's validation errors as the form's fields, each with its rule's words
    (`error.invalid.<field>`: a birth date in the future is not "some answers")."""
    mistakes = []
    for e in exc.errors():
        named = [str(part) for part in e["loc"] if isinstance(part, str)]
        field = FORM_FIELDS.get(".".join(named)) or FORM_FIELDS.get(".".join(named[-2:]))
        key = "error.code_typo" if e["type"] == "code_typo" else f"error.invalid.{field}"
        said = i18n.translate(language, key)
        if said == key:
            said = i18n.translate(language, "error.invalid")
        mistakes.append(FieldError(field, said))
    return mistakes or [FieldError(None, i18n.translate(language, "error.invalid"))]


def qr_svg(link: str, title: str) -> Markup:
    """The QR code of `link` as inline SVG (segno; medium error correction, 4 px modules)."""
    svg = segno.make(link, error="m").svg_inline(
        scale=4, border=2, title=title, svgclass="qr", lineclass=None
    )
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


def receipt_once(
    request: Request, process: Process, *, path: str, elsewhere: str, action: str, kiosk=False
):
    """The thank-you page with the receipt that casting left in a flash for `path`. Online,
    a reload shows it again on that device for RECEIPT_AGAIN_SECONDS (the flash expires by
    itself; a receipt says nothing of how one voted); at a kiosk it is shown once, the next
    voter is sent `elsewhere`. Its language buttons post the receipt back (signed, for a
    few minutes) to be shown again."""
    shown = read_flash(request, path=path)
    if shown is None:
        response = RedirectResponse(elsewhere, status_code=303)
    else:
        receipt = shown.get("receipt") or ""
        language = i18n.pick_language(request, process.languages)
        check = f"/processes/{process.id}/receipt?{urlencode({'code': receipt})}"
        # To take home from a kiosk: a link tapped there would leave it on screen. From the
        # site's set address when there is one: the Host header is whatever the sender says.
        site = request.app.state.settings.public_url or str(request.base_url).rstrip("/")
        check_address = site + check
        expires = int(utcnow().timestamp()) + RECEIPT_AGAIN_SECONDS
        response = render(
            request,
            "vote_done.html",
            {
                "process": process,
                "receipt": receipt,
                "kiosk": kiosk,
                "check": check,
                "check_address": check_address,
                "qr": qr_svg(check_address, i18n.translate(language, "vote.qr_title")),
                "action": action,
                "receipt_token": _receipt_signer(request).dumps({"r": receipt, "exp": expires}),
                "switch_form": "thanks",
                "reset_seconds": KIOSK_THANKS_SECONDS,
            },
            offered=process.languages,
        )
    if kiosk or shown is None:
        clear_flash(request, response, path=path)
    return response


def _receipt_signer(request: Request):
    return serializer(request.app.state.settings.secret_key, "receipt-again")


def _thanks_again(request: Request, surface: BallotSurface, fields: dict[str, str]) -> Response:
    """The thank-you page's language switch: the same receipt, in the language asked."""
    try:
        token = _receipt_signer(request).loads(fields.get("receipt_token", ""))
    except BadSignature:
        token = None
    fresh = isinstance(token, dict) and token.get("exp", 0) > utcnow().timestamp()
    switch = fields.get("switch_lang", "")
    if not fresh or not isinstance(token.get("r"), str):
        return RedirectResponse(surface.form_path, status_code=303)
    query = f"?{urlencode({'lang': switch})}" if switch in surface.process.languages else ""
    response = RedirectResponse(surface.done_path + query, status_code=303)
    seconds = max(1, int(token["exp"] - utcnow().timestamp()))
    value = {"receipt": token["r"]}
    set_flash(request, response, path=surface.done_path, value=value, seconds=seconds)
    return response
