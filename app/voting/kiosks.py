"""Whether the kiosk this browser was opened as is still open: its poll worker may still
open it (`voting.kiosk_still_open`: not deactivated, reset or taken off the site since).
Shared by the kiosk's own pages and the idea form (a kiosk is not limited per address);
the cookie alone is read below app/auth.py, in app/voting/kiosk_device.py.
"""

from fastapi import Request

from app.voting import service as voting
from app.voting.kiosk_device import kiosk_session


def open_kiosk_of(request: Request, session):
    """The kiosk this device was opened as, if it is still open; else None."""
    kiosk, _ = kiosk_session(request)
    if kiosk is None or not voting.kiosk_still_open(session=session, kiosk=kiosk):
        return None
    return kiosk


def is_open_kiosk(request: Request, session) -> bool:
    """This browser was opened as a site's kiosk, and the kiosk is still open."""
    return open_kiosk_of(request, session) is not None
