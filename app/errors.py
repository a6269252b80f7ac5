"""Typed domain errors and the one JSON error shape every 4xx uses.

Shape: {"error": code, "message": a sentence a person can act on, "field": where at fault}.
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("pbvote")


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

    return render(
        request, "error.html", {"status": status, "message": body["message"]}, status_code=status
    )


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


def _field_of(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or None


def audit_refusal(request: Request, exc: DomainError) -> None:
    from app import audit
    from app.db import open_session

    action, target = exc.audit or ("", "")
    session = open_session(request.app.state.session_factory, write=True)
    try:
        audit.append(
            session=session,
            actor=getattr(request.state, "actor", audit.PUBLIC),
            action=action,
            target=target,
            outcome="refused",
            detail={"error": exc.code, "message": exc.message[:500]},
        )
        session.commit()
    except Exception:
        session.rollback()
        log.exception("could not audit a refusal of %s on %s", action, target)
    finally:
        session.close()


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Any:
        if exc.audit:
            # The route's own slot is already given back: the entry takes one of its own.
            from app.db import database_slot

            async with database_slot(request, write=True):
                await run_in_threadpool(audit_refusal, request, exc)
        return error_response(request, exc.status_code, exc.body(), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
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
        codes = {404: "not_found", 405: "method_not_allowed", 401: "not_authenticated"}
        message = exc.detail if isinstance(exc.detail, str) else "Request refused."
        if exc.status_code == 404 and message == "Not Found":
            message = "There is nothing at this address."
        body = {"error": codes.get(exc.status_code, "http_error"), "message": message}
        return error_response(request, exc.status_code, body, getattr(exc, "headers", None))

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        # Services check what they can first; this is the database's last word on a race.
        log.warning("integrity error: %s", exc.orig)
        body = {"error": "conflict", "message": "This conflicts with data already stored."}
        return _json(409, body)

    @app.exception_handler(OperationalError)
    async def _operational(_: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable: %s", exc.orig)
        body = {
            "error": "unavailable",
            "message": "The database is busy or unreachable; nothing was changed. Try again.",
        }
        return _json(503, body, {"Retry-After": "2"})

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        body = {
            "error": "internal",
            "message": "Something went wrong on our side; nothing was changed.",
        }
        return _json(500, body)
