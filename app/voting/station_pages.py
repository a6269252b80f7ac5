"""The polling station in a browser: poll workers check voters in, and open a shared
tablet as the site's kiosk, where checked-in voters cast with a one-time ticket.

Staff and kiosk sessions are signed cookies (HttpOnly, SameSite=Strict); every POST
here must also come from this site (Origin or Referer), so another page cannot submit
these forms in a poll worker's name. Every POST answers 303 (app/web/flash.py): a check-in
is a one-time form (app/web/form_token.py), its kiosk ticket reaches the station page sealed
and is shown once, and a refused one comes back with what was typed.
"""

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select

from app.auth import SettingsDep
from app.db import SessionDep, utcnow
from app.errors import DomainError, Forbidden
from app.paper.models import PaperBatch
from app.processes.models import Process
from app.processes.phases import VOTING
from app.security import STAFF_COOKIE, is_sign_out_token
from app.sites.models import Site
from app.users import service as users
from app.users import tokens
from app.users.models import User
from app.voting import service as voting
from app.voting import ticket_desk
from app.voting.ballot_form import DRAFT_COOKIE, FormState
from app.voting.ballot_steps import (
    FORM_FIELDS,
    BallotSurface,
    ballot_page,
    ballot_post,
    receipt_once,
)
from app.voting.casting import cast_in_session
from app.voting.kiosk_device import KIOSK_COOKIE, kiosk_session
from app.voting.kiosks import open_kiosk_of
from app.voting.models import Channel, PollWorkerSite
from app.voting.schemas import AccessCodeText, CredentialIn, IdentityIn
from app.web import flash, form_token, i18n
from app.web.deps import PageForm, SameOrigin, StaffFromCookie
from app.web.private import clear_cookie, set_cookie
from app.web.render import form_refusal, refusal, render
from app.web.staff import refused, set_staff_cookie

_CODE = TypeAdapter(AccessCodeText)
router = APIRouter(include_in_schema=False, dependencies=[flash.ShowFlash])
STATION = "/station"
KIOSK = "/kiosk"
VOTER_COOKIE = "pbvote_kiosk_voter"  # the ticket of the voter now at the kiosk (path /kiosk)


def station_page(
    request: Request,
    session,
    user: User | None,
    *,
    message: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    sites = []
    if user is not None:
        rows = session.execute(
            select(Site, Process.name)
            .join(PollWorkerSite, PollWorkerSite.site_id == Site.id)
            .join(Process, Process.id == Site.process_id)
            .where(PollWorkerSite.user_id == user.id, Process.phase.in_(VOTING.phases))
            .order_by(Site.name)
        ).all()
        batches = (
            session.execute(
                select(PaperBatch)
                .where(PaperBatch.site_id.in_([site.id for site, _ in rows]))
                .order_by(PaperBatch.id)
            )
            .scalars()
            .all()
        )
        tickets = ticket_desk.open_check_ins(
            session=session,
            process_ids={site.process_id for site, _ in rows},
            site_ids=[site.id for site, _ in rows],
            now=utcnow(),
        )
        sites = [
            {
                "id": site.id,
                "name": site.name,
                "translations": site.translations,
                "process_name": name,
                "batches": [b for b in batches if b.site_id == site.id],
                "tickets": tickets[site.id],
            }
            for site, name in rows
        ]
    kiosk_device = user is None and kiosk_session(request)[0] is not None
    return render(
        request,
        "station.html",
        {"user": user, "sites": sites, "message": message, "error": error, "kiosk": kiosk_device},
        status_code=status_code,
    )


@router.get("/station", response_class=HTMLResponse)
def station(request: Request, session: SessionDep, user: StaffFromCookie):
    if user is not None and (instance := form_token.form_page(request)):
        return instance  # its check-in and new-batch forms are one-time forms
    return station_page(request, session, user)


@router.post("/station/login", response_class=HTMLResponse, dependencies=[SameOrigin])
def station_login(request: Request, session: SessionDep, settings: SettingsDep, form: PageForm):
    # A refusal keeps the email typed (sealed: it is personal), never the password.
    typed = {"email": form.get("email", "").strip()[:254]}
    back = flash.back(request, STATION, session=session, sealed=typed)
    try:
        user = users.authenticate(
            session=session,
            settings=settings,
            email=form.get("email", "")[:254],
            password=form.get("password", "")[:1024],
            client_address=request.client.host if request.client else None,
        )
    except DomainError as exc:  # locked out for a while
        session.rollback()
        wait = (exc.headers or {}).get("Retry-After", "60")
        said = i18n.translate(i18n.pick_language(request), "station.locked_out", seconds=wait)
        return back(error=said, status_code=exc.status_code)
    if user is None:  # the failure is counted: the session dependency commits it
        wrong = i18n.translate(i18n.pick_language(request), "station.wrong_password")
        return back(error=wrong, status_code=401)
    home = {"organizer": "/organize", "delegate": "/delegate"}.get(user.role, "/station")
    response = RedirectResponse(home, status_code=303)
    set_staff_cookie(request, response, settings=settings, user=user)
    clear_cookie(request, response, KIOSK_COOKIE)  # a device is a kiosk or staff's, not both
    clear_cookie(request, response, VOTER_COOKIE, path=KIOSK)
    return response


@router.post("/station/logout", dependencies=[SameOrigin])
def station_logout(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: StaffFromCookie,
    form: PageForm,
):
    """Sign-out, from every staff page's header: this sign-in ends on the server (a copy of
    the cookie opens nothing any more, on any app instance) and the cookie is cleared.
    Its form carries a token tied to this sign-in; one without it ends nothing."""
    token = request.cookies.get(STAFF_COOKIE, "")
    said = partial(i18n.translate, i18n.pick_language(request))
    if user is not None and not is_sign_out_token(
        secret_key=settings.secret_key, staff_token=token, sent=form.get("form_token", "")
    ):
        error = form_refusal(
            request, said("station.sign_out_foreign"), session=session, field="form_token"
        )
        return flash.redirect(request, STATION, error=error, status=403)
    tokens.revoke_token(session=session, secret_key=settings.secret_key, token=token)
    response = flash.redirect(request, STATION, message=said("station.signed_out"))
    clear_cookie(request, response, STAFF_COOKIE)
    return response


@router.post(
    "/station/sites/{site_id}/check-in", response_class=HTMLResponse, dependencies=[SameOrigin]
)
def station_check_in(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: StaffFromCookie,
    form: PageForm,
    site_id: int,
):
    if user is None:
        return RedirectResponse("/station", status_code=303)
    site = session.get(Site, site_id)
    mode = Channel.paper if form.get("mode") == "paper" else Channel.kiosk
    names = ("name", "birth_date", "postal_code", "access_code", "mode")
    typed = {"site": site_id, **{k: form.get(k, "")[:200] for k in names}}
    back = flash.back(
        request,
        form_token.same(request, STATION, form),
        session=session,
        sealed={"check_in": typed},
    )
    try:
        identity = IdentityIn(
            name=form.get("name", "")[:200],
            birth_date=form.get("birth_date") or None,
            postal_code=form.get("postal_code", "")[:20],
        )
        code = form.get("access_code", "").strip()[:40]
        access_code = _CODE.validate_python(code) if code else None
        if site is None:
            raise Forbidden("There is no such voting site.", field="site_id")
        form_token.claim(request, session, form, page=STATION)
        result = voting.check_in(
            session=session,
            settings=settings,
            user=user,
            process_id=site.process_id,
            site_id=site_id,
            mode=mode,
            identity=identity,
            access_code=access_code,
        )
    except ValidationError as exc:
        # The identity is read first: an error without a field is the access code's.
        fields = list(
            dict.fromkeys(
                FORM_FIELDS.get(".".join(str(p) for p in e["loc"])) or "access_code"
                for e in exc.errors()
            )
        )
        said = " ".join(
            _field_said(
                request, f, "error.code_typo" if f == "access_code" else f"error.invalid.{f}"
            )
            for f in fields
        )
        error = form_refusal(request, said, session=session, field=", ".join(fields))
        return back(error=error, status_code=422, invalid=fields)
    except DomainError as exc:
        field = FORM_FIELDS.get(exc.field or "")
        if field is None or field.startswith("rank_"):
            return refused(request, exc, session=session, page=back)
        # The voter's rule (age, area, a used code), in the words the voter is read.
        said = refusal(request, exc, i18n.pick_language(request), session=session)
        if exc.code == "credential_missing":  # the form's own words for an empty field
            said = f"vote.err_{field}"
        return back(
            error=_field_said(request, field, said), status_code=exc.status_code, invalid=field
        )
    language = i18n.pick_language(request)
    fresh = form_token.fresh(request, STATION)
    if result.kiosk_ticket:
        return ticket_desk.show_ticket(
            request, session, fresh, result.kiosk_ticket, site.process_id
        )
    message = i18n.translate(language, "station.checked_in_paper")
    return flash.redirect(request, fresh, message=message)


_LABELS = {
    "name": "vote.name",
    "birth_date": "vote.birth_date",
    "postal_code": "vote.postal_code",
    "access_code": "station.access_code",
}


def _field_said(request: Request, field: str, rule: str) -> str:
    """ "Date of birth: you must be at least 16 …": the field by its label, then its rule
    (`rule` a catalog key or words already said)."""
    language = i18n.pick_language(request)
    label = i18n.translate(language, _LABELS[field])
    words = i18n.translate(language, rule)
    return i18n.translate(language, "station.check_in_field", label=label, rule=words)


@router.post(
    "/station/tickets/{handle}/release", response_class=HTMLResponse, dependencies=[SameOrigin]
)
def station_release(
    request: Request, session: SessionDep, user: StaffFromCookie, form: PageForm, handle: str
):
    """Withdraws a kiosk check-in that never became a ballot (reason required, audited)."""
    if user is None:
        return RedirectResponse(STATION, status_code=303)
    reason = form.get("reason", "")
    return ticket_desk.release(
        request, session, user=user, handle=handle, reason=reason, to=STATION
    )


@router.post(
    "/station/tickets/{handle}/reissue", response_class=HTMLResponse, dependencies=[SameOrigin]
)
def station_reissue(
    request: Request, session: SessionDep, settings: SettingsDep, user: StaffFromCookie, handle: str
):
    """A new kiosk code for the same check-in, in one step; the old code stops working."""
    if user is None:
        return RedirectResponse(STATION, status_code=303)
    return ticket_desk.reissue(
        request, session, settings=settings, user=user, handle=handle, to=STATION
    )


@router.post("/station/sites/{site_id}/kiosk", dependencies=[SameOrigin])
def station_open_kiosk(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: StaffFromCookie,
    site_id: int,
):
    """Turns this device into the site's kiosk, and signs its staff session out: voters use
    it next, and a kiosk must not open the polling station."""
    site = session.get(Site, site_id)
    if user is None or site is None:
        return RedirectResponse("/station", status_code=303)
    try:
        token, expires_at = voting.open_kiosk(
            session=session,
            settings=settings,
            user=user,
            process_id=site.process_id,
            site_id=site_id,
        )
        tokens.revoke_token(
            session=session,
            secret_key=settings.secret_key,
            token=request.cookies.get(STAFF_COOKIE, ""),
        )
    except DomainError as exc:
        return refused(request, exc, session=session, page=flash.back(request, STATION))
    response = RedirectResponse("/kiosk", status_code=303)
    seconds = int((expires_at - utcnow()).total_seconds())
    set_cookie(request, response, KIOSK_COOKIE, token, max_age=max(seconds, 60))
    clear_cookie(request, response, STAFF_COOKIE)
    clear_cookie(request, response, VOTER_COOKIE, path=KIOSK)
    return response


# --- the kiosk: ticket -> ballot -> thanks, each a GET after a POST (see app/web/private.py)


# Idle reset (WCAG 2.2.1 warns first): with JavaScript (static/kiosk.js) the ballot and
# review pages ask "Are you still voting?" after IDLE_WARN_AFTER without a touch or a key,
# and go back to the ticket screen IDLE_WARNING later without an answer. Without it, the
# server does: a voter cookie not renewed by a kiosk page for IDLE_SERVER is dropped (the
# ballot page does its ranking in the browser, so this must outlast a slow reader).
IDLE_WARN_AFTER = 90
IDLE_WARNING = 30
IDLE_SERVER = 600


def _voter_signer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.settings.secret_key, "pbvote.kiosk-voter")


def _voter_ticket(request: Request) -> str | None:
    """The ticket of the voter now at the kiosk, from the cookie set when they typed it and
    renewed by each kiosk page since; None after IDLE_SERVER without one."""
    try:
        ticket = _voter_signer(request).loads(
            request.cookies.get(VOTER_COOKIE, ""), max_age=IDLE_SERVER
        )
    except BadSignature:  # also SignatureExpired: the kiosk was left alone
        return None
    return ticket if isinstance(ticket, str) and ticket else None


def _keep_voter(request: Request, response, ticket: str, expires_at) -> None:
    """(Re)sets the voter cookie: lives while the ticket does, idle for IDLE_SERVER at most."""
    seconds = max(int((expires_at - utcnow()).total_seconds()), 1)
    signed = _voter_signer(request).dumps(ticket)
    set_cookie(request, response, VOTER_COOKIE, signed, max_age=seconds, path=KIOSK)


def _idle(request: Request) -> bool:
    """A voter cookie was sent but has gone stale: the kiosk was left alone."""
    return bool(request.cookies.get(VOTER_COOKIE)) and _voter_ticket(request) is None


def _language(request: Request, session, kiosk) -> str:
    process = session.get(Process, kiosk.process_id) if kiosk else None
    return i18n.pick_language(request, process.languages if process else None)


def _kiosk_home(request: Request, session, error: str | None = None, status_code: int = 200):
    kiosk = open_kiosk_of(request, session)  # closed by an organizer: says so, takes nothing
    process = session.get(Process, kiosk.process_id) if kiosk else None
    site = session.get(Site, kiosk.site_id) if kiosk else None
    response = render(
        request,
        "kiosk.html",
        {
            "process": process,
            "site": site,
            "error": error,
            "kiosk": process is not None,
            "clear_after": IDLE_WARN_AFTER,
        },
        offered=process.languages if process else None,
        status_code=status_code,
    )
    clear_cookie(request, response, VOTER_COOKIE, path=KIOSK)  # each voter starts afresh
    clear_cookie(request, response, DRAFT_COOKIE, path=KIOSK)
    return response


def _said(request: Request, exc: DomainError, language: str, **audit: Any) -> str:
    """A refusal in the voter's words; at a kiosk "already voted" means a spent ticket, and
    a ticket of another site names that site."""
    text = refusal(request, exc, language, **audit)
    if exc.code == "ticket_wrong_site":
        site = audit["session"].get(Site, exc.extra.get("site_id"))
        if site is not None:
            name = (site.translations or {}).get(language, {}).get("name") or site.name
            return i18n.translate(language, "kiosk.ticket_other_site", site=name)
    return i18n.translate(language, "error.ticket_used") if exc.code == "already_voted" else text


def _to_kiosk(request: Request) -> RedirectResponse:
    lang = request.query_params.get("lang", "")
    return RedirectResponse(KIOSK + (f"?lang={lang}" if lang.isalpha() else ""), status_code=303)


@router.get(KIOSK, response_class=HTMLResponse)
def kiosk(request: Request, session: SessionDep):
    return _kiosk_home(request, session)


@router.post(KIOSK + "/ballot", response_class=HTMLResponse, dependencies=[SameOrigin])
def kiosk_start(request: Request, session: SessionDep, form: PageForm):
    """Checks the typed ticket before the voter ranks anything; the ballot itself is a GET,
    so a language switch keeps the ticket and Back never resends a form."""
    ticket = form.get("kiosk_ticket", "").strip()[:40]
    expires_at, problem = _ticket_problem(request, session, ticket, start=True)
    if problem is not None:  # the kiosk's start again, saying why, with what was typed
        error, status = problem
        # The ticket is the voter's credential: sealed (never in an address or readable in a
        # cookie), shown by that one answer only; kiosk.js empties it if left alone.
        typed = {"typed_ticket": ticket} if ticket and error else None
        return flash.redirect(
            request,
            _kiosk_address(request),
            session=session,
            sealed=typed,
            error=error,
            status=status,
        )
    response = RedirectResponse(KIOSK + "/ballot", status_code=303)
    _keep_voter(request, response, ticket, expires_at)
    clear_cookie(request, response, DRAFT_COOKIE, path=KIOSK)  # nothing of the last voter
    return response


@router.post(KIOSK + "/release", response_class=HTMLResponse, dependencies=[SameOrigin])
def kiosk_release(request: Request, session: SessionDep):
    """Back to the ticket screen when the voter walked away (static/kiosk.js posts this after
    its warning): nothing is cast or spent, the same voter may type the ticket again."""
    kiosk = open_kiosk_of(request, session)
    language = _language(request, session, kiosk)
    said = i18n.translate(language, "kiosk.idle_reset")
    response = flash.redirect(request, _kiosk_address(request), message=said)
    clear_cookie(request, response, VOTER_COOKIE, path=KIOSK)
    clear_cookie(request, response, DRAFT_COOKIE, path=KIOSK)
    return response


def _ticket_problem(
    request: Request, session, ticket: str, *, start: bool = False
) -> tuple[Any, tuple[str | None, int] | None]:
    """(when the ticket expires, None), or (None, why it cannot vote here: words, status).
    `start`: the voter opens the ballot now, and the ticket's clock starts."""
    kiosk, token = kiosk_session(request)
    if kiosk is None:
        return None, (None, 401)
    language = _language(request, session, kiosk)
    try:
        expires_at = voting.check_kiosk_ticket(
            session=session,
            settings=request.app.state.settings,
            process_id=kiosk.process_id,
            kiosk_token=token,
            ticket=ticket,
            start=start,
        )
    except DomainError as exc:
        return None, (_said(request, exc, language, session=session), exc.status_code)
    return expires_at, None


def _kiosk_address(request: Request) -> str:
    """The kiosk's start page, in the language the voter chose."""
    return _to_kiosk(request).headers["location"]


def _surface(process: Process) -> BallotSurface:
    return BallotSurface(
        process,
        "kiosk",
        form_path=KIOSK + "/ballot",
        review_path=KIOSK + "/review",
        done_path=KIOSK + "/done",
        draft_path=KIOSK,
        action=KIOSK + "/cast",
        kiosk=True,
    )


def _idle_home(request: Request, session):
    """The ticket screen after the server found the kiosk left alone (no JavaScript)."""
    kiosk = open_kiosk_of(request, session)
    said = i18n.translate(_language(request, session, kiosk), "kiosk.idle_reset")
    return flash.redirect(request, _kiosk_address(request), message=said)


def _kiosk_ballot(request: Request, session, *, review: bool):
    ticket = _voter_ticket(request)
    if ticket is None:  # no voter at the kiosk (e.g. Back after casting): start again
        return _idle_home(request, session) if _idle(request) else _to_kiosk(request)
    expires_at, problem = _ticket_problem(request, session, ticket)
    if problem is not None:
        error, status = problem
        return _kiosk_home(request, session, error=error, status_code=status)
    kiosk, _ = kiosk_session(request)
    process = session.get(Process, kiosk.process_id)
    # The time left and the idle warning (templates/_kiosk_clock.html, static/kiosk.js).
    request.state.kiosk_clock = {
        "expires_at": expires_at,
        "seconds": max(int((expires_at - utcnow()).total_seconds()), 0),
        "warn_after": IDLE_WARN_AFTER,
        "warning": IDLE_WARNING,
    }
    response = ballot_page(request, session, _surface(process), review=review)
    if response.status_code < 300:
        _keep_voter(request, response, ticket, expires_at)  # renewed: the voter is here
    return response


@router.get(KIOSK + "/ballot", response_class=HTMLResponse)
def kiosk_ballot(request: Request, session: SessionDep):
    return _kiosk_ballot(request, session, review=False)


@router.get(KIOSK + "/review", response_class=HTMLResponse)
def kiosk_review(request: Request, session: SessionDep):
    return _kiosk_ballot(request, session, review=True)


@router.post(KIOSK + "/cast", response_class=HTMLResponse, dependencies=[SameOrigin])
def kiosk_cast(request: Request, session: SessionDep, fields: PageForm):
    kiosk, token = kiosk_session(request)
    if kiosk is None:
        return flash.redirect(request, _kiosk_address(request), status=401)
    process = session.get(Process, kiosk.process_id)
    ticket = _voter_ticket(request)
    if ticket is None and fields.get("step") != "thanks":
        if _idle(request):  # left alone longer than IDLE_SERVER: nothing is cast
            return _idle_home(request, session)
        return _to_kiosk(request)  # sent again after casting (Back, reload): nothing to cast

    def cast(form: FormState) -> str:
        return cast_in_session(
            request=request,
            session=session,
            settings=request.app.state.settings,
            process_id=process.id,
            ranking=form.ranking,
            credential=CredentialIn(kiosk_ticket=ticket, kiosk_token=token),
        )

    def refused_elsewhere(exc: DomainError, said: str):
        """A ticket that cannot vote (spent, expired): back to the kiosk's start."""
        if exc.code in ("bad_ranking", "invalid"):
            return None
        return flash.redirect(request, _kiosk_address(request), error=said, status=exc.status_code)

    response = ballot_post(
        request, session, _surface(process), fields, cast=cast, refused_elsewhere=refused_elsewhere
    )
    if response.headers.get("location") == KIOSK + "/done":
        clear_cookie(request, response, VOTER_COOKIE, path=KIOSK)
    return response


@router.get(KIOSK + "/done", response_class=HTMLResponse)
def kiosk_done(request: Request, session: SessionDep):
    kiosk, _ = kiosk_session(request)
    if kiosk is None:
        return _to_kiosk(request)
    process = session.get(Process, kiosk.process_id)
    elsewhere = _to_kiosk(request).headers["location"]
    response = receipt_once(
        request,
        process,
        path=KIOSK + "/done",
        elsewhere=elsewhere,
        action=KIOSK + "/cast",
        kiosk=True,
    )
    response.delete_cookie("lang")  # the next voter starts in the kiosk's own language
    return response
