"""What the organizers' per-process pages share: who may open them and their words.

A page answers a visitor who is not a signed-in organizer with a redirect to the sign-in
at /station (as /organize does); the services still check the role themselves."""

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse

from app.errors import DomainError
from app.users.models import Role, User
from app.web import i18n
from app.web.render import form_refusal, refusal, staff_language


def organizer_of(staff: User | None) -> User | None:
    """The signed-in staff member when an organizer, else None."""
    return staff if staff is not None and staff.role == Role.organizer.value else None


def to_sign_in() -> RedirectResponse:
    return RedirectResponse("/station", status_code=303)


def said(request: Request, key: str, **values: object) -> str:
    """A text of a staff page in the organizer's language."""
    return i18n.translate(i18n.pick_language(request), key, **values)


def refused(request: Request, exc: DomainError, *, session: Any, page: Callable[..., Any]) -> Any:
    """The page again with a service's refusal (rolled back, audited), in its 4xx status.
    `page(error=..., status_code=...)` renders the form that was sent."""
    error = refusal(request, exc, staff_language(request), session=session)
    return page(error=error, status_code=exc.status_code)


def bad_form(
    request: Request, key: str, *, session: Any, page: Callable[..., Any], **values: object
) -> Any:
    """The page again, 422, when the form itself is wrong: `key` says how, in words."""
    error = form_refusal(request, said(request, key, **values), session=session)
    return page(error=error, status_code=422)
