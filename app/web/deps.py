"""Dependencies of the pages, beside the API's (app/auth.py, app/db.py).

StaffFromCookie: the signed-in staff member of the pages' cookie, or None.
OrganizerPage: the signed-in organizer; anyone not signed in is sent to the sign-in (303
/station), a signed-in poll worker or delegate refused (403, audited).
SameOrigin: a page POST must come from this site's own page (the CSRF guard: the staff
cookie is SameSite=Strict as well).
PageForm: the fields of a page's form, as text.
Lang: the visitor's language among all the pages speak.
"""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request

from app.auth import require_role, staff_cookie_user
from app.db import SessionDep
from app.errors import Forbidden, SignInFirst
from app.users.models import Role, User
from app.web import i18n


def staff_from_cookie(request: Request, session: SessionDep) -> User | None:
    return staff_cookie_user(request, session)


def same_origin(request: Request) -> None:
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    if urlsplit(source).netloc != request.url.netloc:
        raise Forbidden("This form must be sent from this site's own page.", code="cross_site")


async def page_form(request: Request) -> dict[str, str]:
    """The page's form fields (the body is whole already: app/bodylimit.py)."""
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


def page_language(request: Request) -> str:
    return i18n.pick_language(request, None)


StaffFromCookie = Annotated[User | None, Depends(staff_from_cookie)]
SameOrigin = Depends(same_origin)
PageForm = Annotated[dict[str, str], Depends(page_form)]
Lang = Annotated[str, Depends(page_language)]


_organizer_only = require_role(Role.organizer)  # the API's check, and its refusal


def organizer_from_cookie(request: Request, staff: StaffFromCookie) -> User:
    """The organizer an organizer's page needs; anyone not signed in goes to the sign-in.
    Another staff member is refused (403, audited as the API's refusal is), in words that
    say who they are signed in as; their header offers to sign out. The services still
    check the role themselves."""
    if staff is None:
        raise SignInFirst
    try:
        return _organizer_only(staff)
    except Forbidden as exc:
        language = i18n.pick_language(request)
        role = i18n.translate(language, f"role.{staff.role}")
        exc.message = i18n.translate(language, "staff.organizers_only", role=role)
        raise


OrganizerPage = Annotated[User, Depends(organizer_from_cookie)]
