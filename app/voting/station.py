"""The polling station in a browser: poll workers check voters in, and open a shared
tablet as the site's kiosk, where checked-in voters cast with a one-time ticket.

Staff and kiosk sessions are signed cookies (HttpOnly, SameSite=Strict); every POST
here must also come from this site (Origin or Referer), so another page cannot submit
these forms in a poll worker's name.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from app.audit import Actor
from app.auth import STAFF_COOKIE
from app.db import open_session, utcnow
from app.errors import DomainError, Forbidden
from app.processes.models import Process
from app.processes.phases import Phase
from app.security import TokenError, issue_access_token, read_access_token
from app.sites.models import Site
from app.users import service as users
from app.users.models import User
from app.voting import credentials as cred
from app.voting import service as voting
from app.voting.models import Channel, PollWorkerSite
from app.voting.pages import FormState, form_state
from app.voting.router import cast_from_request
from app.voting.schemas import AccessCodeText, CredentialIn, IdentityIn
from app.web import i18n
from app.web.router import refusal, render

_CODE = TypeAdapter(AccessCodeText)
router = APIRouter(include_in_schema=False)
KIOSK_COOKIE = "pbvote_kiosk"


def same_origin(request: Request) -> None:
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    if urlsplit(source).netloc != request.url.netloc:
        raise Forbidden("This form must be sent from this site's own page.", code="cross_site")


def _set_cookie(request: Request, response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def staff_from_cookie(request: Request, session) -> User | None:
    token = request.cookies.get(STAFF_COOKIE)
    if not token:
        return None
    try:
        user_id = read_access_token(secret_key=request.app.state.settings.secret_key, token=token)
    except TokenError:
        return None
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    request.state.actor = Actor(role=user.role, user_id=user.id)  # for audited refusals
    return user


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
            .where(PollWorkerSite.user_id == user.id, Process.phase == Phase.voting.value)
            .order_by(Site.name)
        ).all()
        from app.paper.models import PaperBatch

        batches = (
            session.execute(
                select(PaperBatch)
                .where(PaperBatch.site_id.in_([site.id for site, _ in rows]))
                .order_by(PaperBatch.id)
            )
            .scalars()
            .all()
        )
        sites = [
            {
                "id": site.id,
                "name": site.name,
                "process_name": name,
                "batches": [b for b in batches if b.site_id == site.id],
            }
            for site, name in rows
        ]
    return render(
        request,
        "station.html",
        {"user": user, "sites": sites, "message": message, "error": error},
        status_code=status_code,
    )


@router.get("/station", response_class=HTMLResponse)
def station(request: Request):
    with request.app.state.session_factory() as session:
        return station_page(request, session, staff_from_cookie(request, session))


@router.post("/station/login", response_class=HTMLResponse)
async def station_login(request: Request):
    form = await request.form()
    return await run_in_threadpool(
        _login, request, str(form.get("email", "")), str(form.get("password", ""))
    )


def _login(request: Request, email: str, password: str):
    same_origin(request)
    settings = request.app.state.settings
    with open_session(request.app.state.session_factory, write=True) as session:
        try:
            user = users.authenticate(
                session=session,
                settings=settings,
                email=email[:254],
                password=password[:1024],
                client_address=request.client.host if request.client else None,
            )
        except DomainError as exc:  # locked out for a while
            return station_page(request, session, None, error=exc.message, status_code=429)
        session.commit()
        if user is None:
            return station_page(
                request, session, None, error="The email or password is wrong.", status_code=401
            )
    token = issue_access_token(
        secret_key=settings.secret_key,
        user_id=user.id,
        ttl=timedelta(minutes=settings.token_ttl_minutes),
    )
    home = {"organizer": "/organize", "delegate": "/delegate"}.get(user.role, "/station")
    response = RedirectResponse(home, status_code=303)
    _set_cookie(request, response, STAFF_COOKIE, token.token, settings.token_ttl_minutes * 60)
    return response


@router.post("/station/logout")
def station_logout(request: Request):
    same_origin(request)
    response = RedirectResponse("/station", status_code=303)
    response.delete_cookie(STAFF_COOKIE)
    return response


@router.post("/station/sites/{site_id}/check-in", response_class=HTMLResponse)
async def station_check_in(request: Request, site_id: int):
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    return await run_in_threadpool(_check_in, request, site_id, form)


def _check_in(request: Request, site_id: int, form: dict[str, str]):
    same_origin(request)
    settings = request.app.state.settings
    with open_session(request.app.state.session_factory, write=True) as session:
        user = staff_from_cookie(request, session)
        if user is None:
            return RedirectResponse("/station", status_code=303)
        site = session.get(Site, site_id)
        mode = Channel.paper if form.get("mode") == "paper" else Channel.kiosk
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
            session.commit()
        except ValidationError as exc:
            session.rollback()
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
            )
            return station_page(request, session, user, error=problems, status_code=422)
        except DomainError as exc:
            session.rollback()
            return station_page(
                request, session, user, error=refusal(request, exc), status_code=exc.status_code
            )
        if result.kiosk_ticket:
            message = (
                "Checked in. Give the voter this kiosk ticket (valid 15 minutes): "
                f"<p class='receipt'><code>{result.kiosk_ticket}</code></p>"
            )
        else:
            message = "Checked in. Give the voter a paper ballot."
        return station_page(request, session, user, message=message, status_code=201)


@router.post("/station/sites/{site_id}/kiosk")
def station_open_kiosk(request: Request, site_id: int):
    same_origin(request)
    settings = request.app.state.settings
    with open_session(request.app.state.session_factory, write=True) as session:
        user = staff_from_cookie(request, session)
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
            session.commit()
        except DomainError as exc:
            session.rollback()
            return station_page(
                request, session, user, error=refusal(request, exc), status_code=exc.status_code
            )
    response = RedirectResponse("/kiosk", status_code=303)
    seconds = int((expires_at - utcnow()).total_seconds())
    _set_cookie(request, response, KIOSK_COOKIE, token, max(seconds, 60))
    return response


def _kiosk_session(request: Request):
    token = request.cookies.get(KIOSK_COOKIE)
    if not token:
        return None, None
    try:
        return cred.read_kiosk_token(
            request.app.state.settings.secret_key, token, now=utcnow()
        ), token
    except cred.KioskTokenError:
        return None, None


def _kiosk_home(request: Request, session, error: str | None = None, status_code: int = 200):
    kiosk, _ = _kiosk_session(request)
    process = session.get(Process, kiosk.process_id) if kiosk else None
    site = session.get(Site, kiosk.site_id) if kiosk else None
    return render(
        request,
        "kiosk.html",
        {"process": process, "site": site, "error": error},
        offered=process.languages if process else None,
        status_code=status_code,
    )


@router.get("/kiosk", response_class=HTMLResponse)
def kiosk(request: Request):
    with request.app.state.session_factory() as session:
        return _kiosk_home(request, session)


@router.post("/kiosk/ballot", response_class=HTMLResponse)
async def kiosk_ballot(request: Request):
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    return await run_in_threadpool(_kiosk_ballot, request, form)


def _kiosk_ballot(request: Request, form: dict[str, str]):
    """The ballot for the ticket's voter; the ticket is spent only when the ballot is cast."""
    same_origin(request)
    kiosk, _ = _kiosk_session(request)
    with request.app.state.session_factory() as session:
        if kiosk is None:
            return _kiosk_home(request, session, status_code=401)
        process = session.get(Process, kiosk.process_id)
        ticket = form.get("kiosk_ticket", "").strip()[:40]
        return _as_kiosk(request, session, process, ticket, None, 200)


def _as_kiosk(request, session, process, ticket, error, status_code, ranking=()):
    from app.proposals.service import ballot_of

    language = i18n.pick_language(request, process.languages)
    ballot = ballot_of(
        session=session, process_id=process.id, staff=False, asked=language, accept_language=None
    )
    proposals = [{**p, "id": p["proposal_id"]} for p in ballot["proposals"]]
    form = FormState(ranking=list(ranking), kiosk_ticket=ticket)
    return render(
        request,
        "vote.html",
        {
            "process": process,
            "proposals": proposals,
            "credential": "kiosk",
            "form": form,
            "error": error,
            "closed_message": None,
            "kiosk": True,
            "action": "/kiosk/cast",
        },
        offered=process.languages,
        status_code=status_code,
    )


@router.post("/kiosk/cast", response_class=HTMLResponse)
async def kiosk_cast(request: Request):
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    return await run_in_threadpool(_kiosk_cast, request, form)


def _kiosk_cast(request: Request, fields: dict[str, str]):
    same_origin(request)
    kiosk, token = _kiosk_session(request)
    factory = request.app.state.session_factory
    with factory() as session:
        if kiosk is None:
            return _kiosk_home(request, session, status_code=401)
        process = session.get(Process, kiosk.process_id)
    language = i18n.pick_language(request, process.languages)
    form = form_state(fields, process.ballot_size)
    ticket = fields.get("kiosk_ticket", "").strip()[:40]
    try:
        receipt = cast_from_request(
            request=request,
            settings=request.app.state.settings,
            process_id=process.id,
            ranking=form.ranking,
            credential=CredentialIn(kiosk_ticket=ticket or None, kiosk_token=token),
        )
    except (DomainError, ValidationError) as exc:
        if isinstance(exc, DomainError):
            code, message = exc.code, refusal(request, exc, language)
        else:
            code, message = "invalid", i18n.translate(language, "error.invalid")
        with factory() as session:
            if code in ("bad_ranking", "invalid"):
                return _as_kiosk(request, session, process, ticket, message, 422, form.ranking)
            return _kiosk_home(
                request, session, error=message, status_code=getattr(exc, "status_code", 422)
            )
    return render(
        request,
        "vote_done.html",
        {"process": process, "receipt": receipt, "kiosk": True, "kiosk_home": "/kiosk"},
        offered=process.languages,
    )
