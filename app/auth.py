"""Who is calling: bearer-token dependencies and role checks."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from app.audit import PUBLIC, Actor
from app.config import Settings
from app.db import SessionDep
from app.errors import Forbidden, NotAuthenticated
from app.security import STAFF_COOKIE, TokenError
from app.users.models import Role, User
from app.users.tokens import signed_in_user
from app.voting.kiosk_device import is_kiosk_device

_bearer = HTTPBearer(auto_error=False)


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def optional_user(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User | None:
    if credentials is None:
        request.state.actor = PUBLIC
        if request.method in ("GET", "HEAD"):
            # The signed-in staff pages' cookie (HttpOnly, SameSite=Strict) reads, never
            # writes: so an organizer's browser can download previews, and no other site can act.
            return staff_cookie_user(request, session)
        return None
    try:
        user = signed_in_user(
            session=session, secret_key=settings.secret_key, token=credentials.credentials
        )
    except TokenError as exc:
        raise NotAuthenticated(exc.reason, headers={"WWW-Authenticate": "Bearer"}) from exc
    request.state.actor = Actor.of(user)
    return user


def staff_cookie_user(request: Request, session: Session) -> User | None:
    """The staff member signed in by the pages' cookie; a stale or foreign cookie, a
    disabled account, or a sign-in ended since, reads as nobody signed in."""
    token = request.cookies.get(STAFF_COOKIE)
    if not token or is_kiosk_device(request):
        return None  # a kiosk holds no staff session, even if its browser kept the cookie
    try:
        user = signed_in_user(
            session=session, secret_key=request.app.state.settings.secret_key, token=token
        )
    except TokenError:
        return None
    request.state.actor = Actor.of(user)  # for audited refusals
    # The page's header names them and offers to sign out: plain values, as an error page
    # may be drawn after the request's session has closed.
    request.state.staff = {"name": user.display_name, "role": user.role}
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]


def current_user(user: OptionalUser) -> User:
    if user is None:
        raise NotAuthenticated(
            "Log in first: send `Authorization: Bearer <token>` from POST /api/auth/token.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


CurrentUser = Annotated[User, Depends(current_user)]


ROLE_NAMES = {"organizer": "an organizer", "delegate": "a delegate", "poll_worker": "a poll worker"}


def require_role(*roles: Role):
    allowed = {r.value for r in roles}
    names = " or ".join(ROLE_NAMES[role] for role in sorted(allowed))

    def check(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise Forbidden(
                f"Only {names} may do this; you are signed in as {ROLE_NAMES[user.role]}."
            )
        return user

    return check


CurrentOrganizer = Annotated[User, Depends(require_role(Role.organizer))]
CurrentStaff = Annotated[
    User, Depends(require_role(Role.organizer, Role.delegate, Role.poll_worker))
]
