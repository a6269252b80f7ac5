"""What the organizers' pages share: their words and how they say a refusal. Who may open
them is the `OrganizerPage` dependency (app/web/deps.py): anyone but a signed-in organizer
is sent to the sign-in at /station; the services still check the role themselves."""

from collections.abc import Callable
from typing import Any

from fastapi import Request

from app.errors import DomainError
from app.web import i18n
from app.web.render import form_refusal, refusal, staff_language


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
