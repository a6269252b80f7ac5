"""Organizers' staff-accounts page (/organize/staff): create accounts, deactivate and
reactivate them, reset a password (a new one is shown once). Also the few helpers the
organizers' set-up pages of sites, criteria and rules share.

Also the first-run setup page (/setup/<token>, the address the server prints while no
staff account exists): it makes the first organizer, signs them in, then answers 410.

Every POST answers 303 to the page (app/web/flash.py). A new password rides there sealed
and is shown once; creating an account and resetting a password are one-time forms
(app/web/form_token.py), so Back + send makes no second account and no second password."""

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.audit import Actor
from app.auth import SettingsDep
from app.config import Settings
from app.db import SessionDep
from app.errors import DomainError, Gone, NotFound
from app.security import first_run_token
from app.users import service
from app.users.models import Role, User
from app.web import flash, form_token
from app.web.confirm import Confirmation, confirm_page
from app.web.deps import OrganizerPage, PageForm, SameOrigin
from app.web.render import form_refusal, refusal, render, staff_language
from app.web.staff import attempt, said, set_staff_cookie

router = APIRouter(include_in_schema=False, dependencies=[flash.ShowFlash])


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
            actor=Actor.of(user),
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


def _ask(request: Request, user: User, account: User, *, what: str, action: str, **hidden: str):
    """The confirmation page of an action on `account` that cannot be undone, said with
    `people.<what>_confirm_title`, `people.<what>_confirm` and `people.<what>_button`."""
    name = account.display_name
    return confirm_page(
        request,
        Confirmation(
            heading=said(request, f"people.{what}_confirm_title", name=name),
            consequence=said(request, f"people.{what}_confirm", name=name),
            action=f"{PAGE}/{account.id}/{action}",
            button=said(request, f"people.{what}_button", name=name),
            back=PAGE,
            hidden=hidden,
        ),
        staff=True,
        context={"user": user},
    )


@router.get(PAGE + "/{user_id}/deactivate", response_class=HTMLResponse)
def deactivate_page(request: Request, session: SessionDep, user: OrganizerPage, user_id: int):
    """Are you sure? Deactivating signs the person out everywhere at once."""
    account = service.get_user(session=session, user_id=user_id)
    if not account.is_active:
        done = said(request, "people.inactive_already", name=account.display_name)
        return flash.redirect(request, PAGE, message=done)
    return _ask(request, user, account, what="deactivate", action="active", active="no")


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
            session=session, actor=Actor.of(user), user_id=user_id, active=active
        ),
        page=page,
    )
    if account is None:
        return refusal_page
    key = "people.reactivated" if active else "people.deactivated"
    return flash.redirect(request, PAGE, message=said(request, key, name=account.display_name))


@router.get(PAGE + "/{user_id}/password", response_class=HTMLResponse)
def reset_password_page(request: Request, session: SessionDep, user: OrganizerPage, user_id: int):
    """Are you sure? A new password replaces the old one for good and signs the person out."""
    if instance := form_token.form_page(request):  # the reset is a one-time form
        return instance
    account = service.get_user(session=session, user_id=user_id)
    token = {form_token.FIELD: request.query_params.get(form_token.QUERY, "")}
    return _ask(request, user, account, what="reset", action="password", **token)


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
            actor=Actor.of(user),
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


# --- the first-run setup page ---------------------------------------------------------

SETUP = "/setup/{token}"
SETUP_FIELDS = {
    "display_name": "first_run.name",
    "email": "first_run.email",
    "password": "first_run.password",
}


def _setup_address(settings: Settings, token: str) -> str:
    """The page's own address; any other token is a page that does not exist."""
    if not hmac.compare_digest(first_run_token(settings.secret_key), token[:100]):
        raise NotFound("There is no such page.")
    return SETUP.format(token=token)


@router.get(SETUP, response_class=HTMLResponse)
def first_run_page(request: Request, session: SessionDep, settings: SettingsDep, token: str):
    _setup_address(settings, token)
    done = not service.needs_first_run(session=session)
    response = render(
        request,
        "people/first_run.html",
        {"done": done, "form": {}, "errors": []},
        status_code=410 if done else 200,
    )
    response.headers["Cache-Control"] = "no-store"  # it answers 410 once used
    return response


@router.post(SETUP, response_class=HTMLResponse, dependencies=[SameOrigin])
def first_run(
    request: Request, session: SessionDep, settings: SettingsDep, form: PageForm, token: str
):
    """Makes the first organizer and signs them in; once one exists, the page says so."""
    page = _setup_address(settings, token)
    fields = {k: form.get(k, "").strip()[:254] for k in ("display_name", "email")}
    password = form.get("password", "")[:1024]
    back = flash.back(request, page, session=session, sealed={"form": fields})

    def refused(field: str, words: str, status_code: int = 422):
        return back(
            error=words, errors=[{"field": field, "message": words}], status_code=status_code
        )

    if not fields["display_name"]:
        words = form_refusal(
            request, said(request, "first_run.name_missing"), session=session, field="display_name"
        )
        return refused("display_name", words)
    if password != form.get("password_again", "")[:1024]:
        words = form_refusal(
            request, said(request, "first_run.passwords_differ"), session=session, field="password"
        )
        return refused("password_again", words)
    try:
        user = service.create_first_organizer(
            session=session,
            settings=settings,
            email=fields["email"],
            display_name=fields["display_name"][:120],
            password=password,
        )
    except Gone as exc:
        refusal(request, exc, session=session)
        return flash.redirect(request, page)  # the page now answers 410 and says why
    except DomainError as exc:
        words = refusal(request, exc, staff_language(request), session=session)
        if exc.field in SETUP_FIELDS:
            words = said(request, f"{SETUP_FIELDS[exc.field]}_refused")
        return refused(exc.field or "email", words, exc.status_code)
    message = said(request, "first_run.done", name=user.display_name)
    response = flash.redirect(request, "/organize", message=message)
    set_staff_cookie(request, response, settings=settings, user=user)
    return response
