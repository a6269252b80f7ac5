"""The answers to errors: the error page for a person's browser, the JSON error shape
for everyone else (app/errors.py has the types); installed by app/main.py."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import HTTP_CODES, DomainError, SignInFirst
from app.refusals import record_refusal
from app.web.render import render

log = logging.getLogger("pbvote")


def _wants_page(request: Request) -> bool:
    """A person's browser on a page address, not an API client."""
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get(
        "accept", ""
    )


def _page(request: Request, status: int, body: dict[str, Any]) -> Any:
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
        body = {"error": HTTP_CODES.get(exc.status_code, "http_error"), "message": message}
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
