"""Open kiosk check-ins, as the pages that act on them show them: the polling station (a
poll worker, their own sites: app/voting/station_pages.py) and the organizers' check-in
page (every site of a process: app/voting/staff_pages.py). Both list the same rows and
answer release and reissue here, with the same service functions (voting.release_check_in,
voting.reissue_ticket), so the rule and its words live in one place.
"""

from datetime import datetime
from typing import Any

from fastapi import Request

from app.config import Settings
from app.errors import DomainError
from app.processes.models import Process
from app.users.models import User
from app.voting import service as voting
from app.web import flash, i18n
from app.web.staff import refused


def open_check_ins(
    *, session, process_ids: set[int], site_ids: list[int], now: datetime
) -> dict[int, list[dict[str, Any]]]:
    """The unused tickets of these sites as rows, by site, soonest to expire first; tickets
    expired past their grace are released first (voting.release_expired_tickets)."""
    for process_id in process_ids:
        voting.release_expired_tickets(session=session, process_id=process_id, now=now)
    rows: dict[int, list[dict[str, Any]]] = {site_id: [] for site_id in site_ids}
    for ticket in voting.open_tickets(session=session, site_ids=site_ids):
        rows[ticket.site_id].append(_row(ticket, now))
    return rows


def _row(ticket: voting.OpenTicket, now: datetime) -> dict[str, Any]:
    """An open ticket: waiting, or minutes left, or expired; nothing of its voter."""
    left = int((ticket.expires_at - now).total_seconds() // 60)
    state = "expired" if ticket.expires_at <= now else "open" if ticket.opened_at else "waiting"
    return {"handle": ticket.handle, "state": state, "minutes": max(left, 0)}


def release(request: Request, session, *, user: User, handle: str, reason: str, to: str):
    """Withdraws a kiosk check-in that never became a ballot (reason required, audited),
    then 303 to `to`, which says so or why not."""
    try:
        voting.release_check_in(session=session, user=user, handle=handle, reason=reason)
    except DomainError as exc:
        return refused(request, exc, session=session, page=flash.back(request, to))
    said = i18n.translate(i18n.pick_language(request), "station.released")
    return flash.redirect(request, to, message=said)


def reissue(request: Request, session, *, settings: Settings, user: User, handle: str, to: str):
    """A new kiosk code for the same check-in, shown once on `to`; the old one stops."""
    try:
        ticket, process_id = voting.reissue_ticket(
            session=session, settings=settings, user=user, handle=handle
        )
    except DomainError as exc:
        return refused(request, exc, session=session, page=flash.back(request, to))
    return show_ticket(request, session, to, ticket, process_id)


def show_ticket(request: Request, session, to: str, ticket: str, process_id: int):
    """The ticket is a voter's credential: sealed, never in an address, shown once."""
    process = session.get(Process, process_id)
    said = i18n.translate(
        i18n.pick_language(request),
        "station.checked_in_kiosk",
        minutes=process.kiosk_ticket_minutes,
    )
    return flash.redirect(request, to, session=session, sealed={"ticket": ticket}, message=said)
