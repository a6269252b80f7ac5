"""Typed domain errors and the one JSON error shape every 4xx uses.

Shape: {"error": code, "message": a sentence a person can act on, "field": where at fault}.
"""

import logging
import threading
import time
from collections import Counter
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("pbvote")


class SignInFirst(Exception):
    """A staff page opened by someone who is not signed in with the role it needs: the
    answer is the sign-in page (app/web/deps.py OrganizerPage), not an error. Someone
    signed in with another role carries the API's refusal (`refused`), which is audited
    as the API's would be."""

    def __init__(self, refused: "DomainError | None" = None) -> None:
        super().__init__(refused.message if refused is not None else "sign in first")
        self.refused = refused


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
        audit: tuple[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.headers = headers
        self.extra = extra or {}
        # (action, target): the refusal goes in the audit log, in its own transaction,
        # because the request's own transaction is rolled back.
        self.audit = audit
        if code:
            self.code = code

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        body.update(self.extra)
        return body


class BadInput(DomainError):
    status_code = 422
    code = "invalid"


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not_authenticated"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class TooManyRequests(DomainError):
    status_code = 429
    code = "too_many_requests"


def error_responses(*errors: type[DomainError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the errors a route can raise."""
    return {e.status_code: {"description": e.__name__, "model": None} for e in errors}


def _wants_page(request: Request) -> bool:
    """A person's browser on a page address, not an API client."""
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get(
        "accept", ""
    )


def _page(request: Request, status: int, body: dict[str, Any]) -> Any:
    from app.web.render import render

    # Its language links reload this address: a form's (POST-only) address would answer 405.
    again = request.url.path if request.method in ("GET", "HEAD") else "/"
    context = {"status": status, "message": body["message"], "lang_path": again}
    return render(request, "error.html", context, status_code=status)


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content=body, headers=headers)


def error_response(
    request: Request, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Any:
    """The error page for a person's browser, the JSON error shape for everyone else."""
    if _wants_page(request):
        response = _page(request, status, body)
        response.headers.update(headers or {})
        return response
    return _json(status, body, headers)


def _last_resort(
    request: Request, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Any:
    """A failure of ours, said as a page to a browser (never a raw JSON text to a person);
    if even the page cannot be drawn, the JSON shape."""
    try:
        return error_response(request, status, body, headers)
    except Exception:  # the page itself broke: say it plainly rather than fail twice
        log.exception("the error page could not be drawn")
        return _json(status, body, headers)


def _field_of(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or None


def audit_refusal(request: Request, exc: Exception, *, session: Any = None) -> None:
    """Every refusal leaves a trace; every 4xx handler and page refusal comes here.

    A signed-in staff member's refusal (role, phase, another process's object, bad
    input) goes in the audit chain: who, what, why. An anonymous one is only counted,
    per kind and hour (`RefusalCount`), in memory first and written at most every
    REFUSAL_FLUSH_SECONDS per app instance: a flood of bad requests from anyone must
    not flood the chain nor turn each bad request into a disk write.

    With `session` (a page, inside its request's database slot, its own work rolled
    back) the entry goes in that transaction, which the session dependency commits.
    Without it the entry is written in a session of its own: the caller holds a
    database slot for it (see `record_refusal`).
    """
    from app import audit
    from app.db import open_session

    facts = _refusal_kind(request, exc)
    status, code, message, action, target, route, kind = facts
    actor = getattr(request.state, "actor", None)
    staff_id = actor.user_id if actor is not None else signed_staff_id(request)
    if staff_id is None:
        if _count_anonymous(request, kind):
            flush_refusals(request.app, session=session)
        return
    own = session is None
    if own:
        session = open_session(request.app.state.session_factory, write=True)
    try:
        if actor is None or actor.user_id is None:
            actor = _staff_actor(session, staff_id)
        if actor is None:
            _count_anonymous(request, kind)
            return
        audit.append(
            session=session,
            actor=actor,
            action=action,
            target=target,
            outcome="refused",
            detail={"status": status, "error": code, "message": message[:500], "route": route},
        )
        if own:
            session.commit()
    except Exception:
        if own:
            session.rollback()
        log.exception("could not audit a refusal of %s on %s", action, target)
    finally:
        if own:
            session.close()


def _refusal_kind(request: Request, exc: Exception) -> tuple[Any, ...]:
    status, code, message = _refusal_facts(exc)
    route = getattr(request.scope.get("route"), "path", "unrouted")
    exc_audit = getattr(exc, "audit", None)
    action, target = exc_audit or ("request.refused", f"{request.method} {request.url.path}")
    # The kind of an anonymous refusal: the domain's action when it names one, else the route.
    kind = f"{action if exc_audit else f'{request.method} {route}'} {status} {code}"
    return status, code, message, action, target, route, kind


async def record_refusal(request: Request, exc: Exception) -> None:
    """audit_refusal from an error handler: the route's own slot is given back by now, so
    a database write takes a slot of its own; an anonymous refusal is only counted."""
    from app.db import database_slot

    actor = getattr(request.state, "actor", None)
    staff = actor is not None and actor.user_id is not None
    if not staff and signed_staff_id(request) is None:
        if _count_anonymous(request, _refusal_kind(request, exc)[-1]):
            async with database_slot(request, write=True):
                await run_in_threadpool(flush_refusals, request.app)
        return
    async with database_slot(request, write=True):
        await run_in_threadpool(audit_refusal, request, exc)


REFUSAL_FLUSH_SECONDS = 10.0
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 401: "not_authenticated"}
_tally_lock = threading.Lock()


def _refusal_facts(exc: Exception) -> tuple[int, str, str]:
    if isinstance(exc, DomainError):
        return exc.status_code, exc.code, exc.message
    if isinstance(exc, RequestValidationError):
        first = next(iter(exc.errors()), {})
        return 422, "invalid", str(first.get("msg", "Invalid request."))
    status = getattr(exc, "status_code", 400)
    return status, _HTTP_CODES.get(status, "http_error"), str(getattr(exc, "detail", ""))


def signed_staff_id(request: Request) -> int | None:
    """The account id in the sender's staff token (bearer or page cookie), if we signed it;
    only then is a refusal worth a database round trip."""
    from app.auth import STAFF_COOKIE
    from app.security import TokenError, read_access_token

    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else request.cookies.get(STAFF_COOKIE)
    if not token:
        return None
    try:
        return read_access_token(secret_key=request.app.state.settings.secret_key, token=token)
    except TokenError:
        return None


def _staff_actor(session: Any, user_id: int) -> Any:
    from app.audit import Actor
    from app.users.models import User

    user = session.get(User, user_id)
    return Actor(role=user.role, user_id=user.id) if user is not None else None


def _count_anonymous(request: Request, kind: str) -> bool:
    """Counts it in memory; True when the counts are due to be written."""
    from app.db import utcnow

    hour = utcnow().replace(minute=0, second=0, microsecond=0)
    state = request.app.state
    with _tally_lock:
        tally = getattr(state, "refusal_tally", None)
        if tally is None:
            tally = state.refusal_tally = {"counts": Counter(), "flushed": 0.0}
        tally["counts"][(hour, kind[:120])] += 1
        return time.monotonic() - tally["flushed"] >= REFUSAL_FLUSH_SECONDS


def flush_refusals(app: FastAPI, *, session: Any = None) -> None:
    """Writes the anonymous refusal counts gathered so far (also at shutdown), in
    `session` when given (the caller commits), else in a session of its own."""
    from app import audit
    from app.db import open_session

    with _tally_lock:
        tally = getattr(app.state, "refusal_tally", None)
        if not tally or not tally["counts"]:
            return
        counts, tally["counts"], tally["flushed"] = tally["counts"], Counter(), time.monotonic()
    if session is not None:
        try:
            with session.begin_nested():
                audit.count_refusals(session=session, counts=dict(counts))
        except Exception:
            log.exception("could not count %d anonymous refusals", sum(counts.values()))
        return
    session = open_session(app.state.session_factory, write=True)
    try:
        audit.count_refusals(session=session, counts=dict(counts))
        session.commit()
    except Exception:
        session.rollback()
        log.exception("could not count %d anonymous refusals", sum(counts.values()))
    finally:
        session.close()


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SignInFirst)
    async def _sign_in_first(request: Request, exc: SignInFirst) -> RedirectResponse:
        if exc.refused is not None:
            await record_refusal(request, exc.refused)
        return RedirectResponse("/station", status_code=303)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Any:
        await record_refusal(request, exc)
        return error_response(request, exc.status_code, exc.body(), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        await record_refusal(request, exc)
        errors = exc.errors()
        first = errors[0] if errors else {}
        field = _field_of(tuple(first.get("loc", ())))
        if first.get("type") == "json_invalid":
            message = "The request body is not valid JSON."
        elif first.get("type") == "missing" and field is None:
            message = "The request needs a JSON body; none was sent."
        else:
            message = first.get("msg", "Invalid request.")
            if field:
                message = f"{field}: {message}"
        details = [
            {"field": _field_of(tuple(e.get("loc", ()))), "message": e.get("msg")} for e in errors
        ]
        body = {"error": "invalid", "message": message, "field": field, "details": details}
        return _json(422, body)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Any:
        if 400 <= exc.status_code < 500:
            await record_refusal(request, exc)
        message = exc.detail if isinstance(exc.detail, str) else "Request refused."
        if exc.status_code == 404 and message == "Not Found":
            message = "There is nothing at this address."
        body = {"error": _HTTP_CODES.get(exc.status_code, "http_error"), "message": message}
        return error_response(request, exc.status_code, body, getattr(exc, "headers", None))

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        # Services check what they can first; this is the database's last word on a race.
        log.warning("integrity error: %s", exc.orig)
        body = {"error": "conflict", "message": "This conflicts with data already stored."}
        return _json(409, body)

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError) -> Any:
        log.error("database unavailable: %s", exc.orig)
        body = {
            "error": "unavailable",
            "message": "The database is busy or unreachable; nothing was changed. Try again.",
        }
        return _last_resort(request, 503, body, {"Retry-After": "2"})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Any:
        log.exception("unexpected error", exc_info=exc)
        body = {
            "error": "internal",
            "message": "Something went wrong on our side; nothing was changed.",
        }
        return _last_resort(request, 500, body)
