"""Organizers' staff-accounts page (/organize/staff): create accounts, deactivate and
reactivate them, reset a password (a new one is shown once). Also the few helpers the
organizers' set-up pages of sites, criteria and rules share.

Every POST answers 303 to the page (app/web/flash.py). A new password rides there sealed
and is shown once; creating an account and resetting a password are one-time forms
(app/web/form_token.py), so Back + send makes no second account and no second password."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.audit import Actor
from app.auth import SettingsDep
from app.db import SessionDep
from app.users import service
from app.users.models import Role, User
from app.web import flash, form_token
from app.web.confirm import Confirmation, confirm_page
from app.web.deps import OrganizerPage, PageForm, SameOrigin
from app.web.render import form_refusal, render
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
