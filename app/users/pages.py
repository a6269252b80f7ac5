"""Organizers' staff-accounts page (/organize/staff): create accounts, deactivate and
reactivate them, reset a password (a new one is shown once). Also the few helpers the
organizers' set-up pages of sites, criteria and rules share.

Every POST answers 303 to the page (app/web/flash.py). A new password rides there sealed
and is shown once; creating an account and resetting a password are one-time forms
(app/web/form_token.py), so Back + send makes no second account and no second password."""

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from app.audit import Actor
from app.auth import STAFF_COOKIE, SettingsDep
from app.config import Settings
from app.db import SessionDep
from app.digits import parse_count
from app.errors import DomainError
from app.security import issue_access_token
from app.users import service
from app.users.models import Role, User
from app.web import flash, form_token
from app.web.deps import OrganizerPage, PageForm, SameOrigin
from app.web.private import set_cookie
from app.web.render import form_refusal, refusal, render, staff_language
from app.web.staff import said

router = APIRouter(include_in_schema=False, dependencies=[flash.ShowFlash])
T = TypeVar("T")


def actor(user: User) -> Actor:
    return Actor(role=user.role, user_id=user.id)


def set_staff_cookie(request: Request, response: Response, *, settings: Settings, user: User):
    """Signs `user` in on this browser: a new sign-in, at the account's generation now."""
    token = issue_access_token(
        secret_key=settings.secret_key,
        user_id=user.id,
        generation=user.session_generation,
        ttl=timedelta(minutes=settings.token_ttl_minutes),
    )
    set_cookie(
        request, response, STAFF_COOKIE, token.token, max_age=settings.token_ttl_minutes * 60
    )


def invalid_fields(request: Request, exc: ValidationError, labels: dict[str, str]) -> str:
    """A form the schema refused, in words: which fields to look at again."""
    names = []
    for error in exc.errors():
        # The innermost field the page has words for: ("criteria", 2, "name") -> "name".
        known = [str(part) for part in error["loc"] if str(part) in labels]
        field = known[-1] if known else ".".join(map(str, error["loc"]))
        key = labels.get(field)
        name = said(request, key) if key else field
        if name and name not in names:
            names.append(name)
    return said(request, "people.check_fields", fields=", ".join(names) or "—")


def optional_count(text: str) -> int | None:
    """A whole number typed into a form, None when left empty; ValueError otherwise."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    value = parse_count(text)
    if value is None:
        raise ValueError(text)
    return value


def refused(request: Request, exc: DomainError, session) -> str:
    return refusal(request, exc, staff_language(request), session=session)


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
        return None, page(error=refused(request, exc, session), status_code=exc.status_code)


# --- the staff accounts page ------------------------------------------------------------

# The least power first, so the form does not make an organizer unless asked to.
ROLES = [Role.poll_worker.value, Role.delegate.value, Role.organizer.value]
ACCOUNT_LABELS = {
    "email": "people.email",
    "display_name": "people.display_name",
    "role": "people.role",
    "password": "people.password",
}
PAGE = "/organize/staff"


@router.get(PAGE, response_class=HTMLResponse)
def accounts(request: Request, session: SessionDep, user: OrganizerPage):
    if instance := form_token.form_page(request):
        return instance
    return render(
        request,
        "people/staff.html",
        {
            "user": user,
            "accounts": service.list_users(session=session),
            "roles": ROLES,
            "message": None,
            "error": None,
            "password": None,
            "form": {},
        },
    )


def _shown_once(account: User, password: str) -> dict[str, dict[str, str]]:
    """The new password, for the page's next GET only (sealed: app/web/flash.py)."""
    return {"password": {"name": account.display_name, "email": account.email, "value": password}}


@router.post(PAGE, response_class=HTMLResponse, dependencies=[SameOrigin])
def create_account(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: OrganizerPage,
    form: PageForm,
):
    fields = {k: form.get(k, "").strip() for k in ("email", "display_name", "role", "password")}
    password = fields["password"] or service.new_password()
    typed = {k: v for k, v in fields.items() if k != "password"}  # a password never comes back
    page = flash.back(
        request, form_token.same(request, PAGE, form), session=session, sealed={"form": typed}
    )
    if fields["role"] not in ROLES:
        error = form_refusal(
            request,
            said(request, "people.check_fields", fields=said(request, "people.role")),
            session=session,
            field="role",
        )
        return page(error=error, status_code=422)
    use = form_token.claim(request, session, form, page=PAGE)
    created, refusal_page = attempt(
        request,
        session,
        lambda: service.create_user(
            session=session,
            settings=settings,
            actor=actor(user),
            email=fields["email"],
            role=Role(fields["role"]),
            password=password,
            display_name=fields["display_name"][:120],
        ),
        page=page,
    )
    if created is None:
        return refusal_page
    use.made_id = created.id
    message = said(request, "people.created", name=created.display_name)
    shown = _shown_once(created, password) if not fields["password"] else None
    return flash.redirect(
        request, form_token.fresh(request, PAGE), session=session, sealed=shown, message=message
    )


@router.post(PAGE + "/{user_id}/active", response_class=HTMLResponse, dependencies=[SameOrigin])
def set_active(
    request: Request, session: SessionDep, user: OrganizerPage, form: PageForm, user_id: int
):
    """`active` is the state the form asks for: sent again, it finds it so and says so."""
    active = form.get("active") == "yes"
    page = flash.back(request, PAGE)
    account = service.get_user(session=session, user_id=user_id)
    if account.is_active == active:
        key = "people.active_already" if active else "people.inactive_already"
        return flash.redirect(request, PAGE, message=said(request, key, name=account.display_name))
    account, refusal_page = attempt(
        request,
        session,
        lambda: service.set_active(
            session=session, actor=actor(user), user_id=user_id, active=active
        ),
        page=page,
    )
    if account is None:
        return refusal_page
    key = "people.reactivated" if active else "people.deactivated"
    return flash.redirect(request, PAGE, message=said(request, key, name=account.display_name))


@router.post(PAGE + "/{user_id}/password", response_class=HTMLResponse, dependencies=[SameOrigin])
def reset_password(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: OrganizerPage,
    form: PageForm,
    user_id: int,
):
    account = service.get_user(session=session, user_id=user_id)
    try:
        form_token.claim(request, session, form, page=PAGE)
    except form_token.FormRepeat:
        again = said(request, "people.password_reset_already", name=account.display_name)
        return form_token.sent_already(request, PAGE, again)
    password = service.new_password()
    account, refusal_page = attempt(
        request,
        session,
        lambda: service.reset_password(
            session=session,
            settings=settings,
            actor=actor(user),
            user_id=user_id,
            password=password,
        ),
        page=flash.back(request, form_token.fresh(request, PAGE)),
    )
    if account is None:
        return refusal_page
    message = said(request, "people.password_reset", name=account.display_name)
    response = flash.redirect(
        request,
        form_token.fresh(request, PAGE),
        session=session,
        sealed=_shown_once(account, password),
        message=message,
    )
    if account.id == user.id:  # the reset ended this browser's sign-in too: a new one
        set_staff_cookie(request, response, settings=settings, user=account)
    return response
