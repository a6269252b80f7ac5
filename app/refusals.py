"""Every refusal leaves a trace: a signed-in staff member's in the audit chain, an
anonymous one counted per kind and hour (see `audit_refusal`)."""

import logging
import threading
import time
from collections import Counter
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool

from app import audit
from app.audit import Actor
from app.db import database_slot, open_session, utcnow
from app.errors import HTTP_CODES, DomainError
from app.security import STAFF_COOKIE, TokenError, read_access_token
from app.users.models import User

log = logging.getLogger("pbvote")


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
_tally_lock = threading.Lock()


def _refusal_facts(exc: Exception) -> tuple[int, str, str]:
    if isinstance(exc, DomainError):
        return exc.status_code, exc.code, exc.message
    if isinstance(exc, RequestValidationError):
        first = next(iter(exc.errors()), {})
        return 422, "invalid", str(first.get("msg", "Invalid request."))
    status = getattr(exc, "status_code", 400)
    return status, HTTP_CODES.get(status, "http_error"), str(getattr(exc, "detail", ""))


def signed_staff_id(request: Request) -> int | None:
    """The account id in the sender's staff token (bearer or page cookie), if we signed it;
    only then is a refusal worth a database round trip."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else request.cookies.get(STAFF_COOKIE)
    if not token:
        return None
    try:
        return read_access_token(secret_key=request.app.state.settings.secret_key, token=token)
    except TokenError:
        return None


def _staff_actor(session: Any, user_id: int) -> Any:
    user = session.get(User, user_id)
    return Actor.of(user) if user is not None else None


def _count_anonymous(request: Request, kind: str) -> bool:
    """Counts it in memory; True when the counts are due to be written."""
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
