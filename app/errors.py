"""Typed domain errors and the one JSON error shape every 4xx uses.

Shape: {"error": code, "message": a sentence a person can act on, "field": where at fault}.
This module imports nothing of the app: every layer may raise these. The handlers that
answer them are in app/handlers.py; the audit trace of a refusal in app/refusals.py.
"""

from typing import Any


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


class Gone(DomainError):
    status_code = 410
    code = "gone"


class TooManyRequests(DomainError):
    status_code = 429
    code = "too_many_requests"


def error_responses(*errors: type[DomainError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the errors a route can raise."""
    return {e.status_code: {"description": e.__name__, "model": None} for e in errors}


# The error code of an HTTP status Starlette raised itself (no route, wrong method, ...).
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 401: "not_authenticated"}
