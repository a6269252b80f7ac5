"""Which kiosk this browser was opened as: the kiosk cookie and its reader.

Below app/auth.py (a kiosk holds no staff session) and the pages that treat a kiosk
differently; the kiosk's pages themselves are in app/voting/station_pages.py.
"""

from fastapi import Request

from app.db import utcnow
from app.voting import credentials as cred

KIOSK_COOKIE = "pbvote_kiosk"


def kiosk_session(request: Request):
    """(the kiosk this device was opened as, its token), or (None, None)."""
    token = request.cookies.get(KIOSK_COOKIE)
    if not token:
        return None, None
    try:
        return cred.read_kiosk_token(
            request.app.state.settings.secret_key, token, now=utcnow()
        ), token
    except cred.KioskTokenError:
        return None, None


def is_kiosk_device(request: Request) -> bool:
    """This browser was opened as a site's kiosk (its kiosk cookie is valid)."""
    return kiosk_session(request)[0] is not None
