"""What the organizers' pages share: their words and how they say a refusal. Who may open
them is the `OrganizerPage` dependency (app/web/deps.py): anyone but a signed-in organizer
is sent to the sign-in at /station; the services still check the role themselves."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.config import Settings
from app.digits import parse_count
from app.errors import DomainError
from app.security import STAFF_COOKIE, issue_access_token
from app.users.models import User
from app.web import i18n
from app.web.private import set_cookie
from app.web.render import form_refusal, refusal, staff_language

T = TypeVar("T")


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


def invalid_fields(request: Request, exc: ValidationError, labels: dict[str, str]) -> str:
    """A form the schema refused, in words: which fields to look at again."""
    names = []
    for error in exc.errors():
        # The innermost field the page has words for: ("criteria", 2, "name") -> "name".
        known = [str(part) for part in error["loc"] if str(part) in labels]
        field = known[-1] if known else ".".join(map(str, error["loc"]))
        key = labels.get(field)
        # A check with no place (a model validator not yet located with
        # app.inputs.field_problem) is said in its own words rather than as nothing.
        name = said(request, key) if key else field or str(error.get("msg", ""))
        if name and name not in names:
            names.append(name)
    return said(request, "people.check_fields", fields=", ".join(names))


def optional_count(text: str) -> int | None:
    """A whole number typed into a form, None when left empty; ValueError otherwise."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    value = parse_count(text)
    if value is None:
        raise ValueError(text)
    return value


def attempt(
    request: Request,
    session,
    action: Callable[[], T],
    *,
    page: Callable[..., Response],
    labels: dict[str, str] | None = None,
    explain: Callable[[ValidationError], str | None] | None = None,
) -> tuple[T | None, Response | None]:
    """Run `action` (a service call, or a schema reading the form); a refusal is rolled
    back, audited and answered by `page(error=..., status_code=...)` instead (mostly
    `flash.back(...)`: the form's page again, with what was typed): (result, None) or
    (None, the answer that says why). `explain` may word a schema's refusal better than the
    list of fields to look at."""
    try:
        return action(), None
    except ValidationError as exc:
        words = (explain and explain(exc)) or invalid_fields(request, exc, labels or {})
        error = form_refusal(request, words, session=session)
        return None, page(error=error, status_code=422)
    except DomainError as exc:
        return None, refused(request, exc, session=session, page=page)


def set_staff_cookie(request: Request, response: Response, *, settings: Settings, user: User):
    """Signs `user` in on this browser: a new sign-in, at the account's generation now
    (the polling station's sign-in, and an organizer's reset of their own password)."""
    token = issue_access_token(
        secret_key=settings.secret_key,
        user_id=user.id,
        generation=user.session_generation,
        ttl=timedelta(minutes=settings.token_ttl_minutes),
    )
    set_cookie(
        request, response, STAFF_COOKIE, token.token, max_age=settings.token_ttl_minutes * 60
    )
