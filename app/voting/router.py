"""Voting routes: rules, access codes, poll workers, kiosks, check-in, ballots, turnout.

The JSON cast opens its own session instead of using SessionDep: a code with a typo is
refused by validation before any database work, and a wrong code's throttle entry must be
committed although the refusal is raised to the error handler. The ballot page and the
kiosk cast through the same `cast_in_session` in their request's session.
"""

from fastapi import APIRouter, Path, Request

from app.audit import Actor
from app.auth import CurrentOrganizer, CurrentStaff, SettingsDep
from app.db import DbSlot, SessionDep
from app.errors import (
    BadInput,
    Conflict,
    Forbidden,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
    error_responses,
)
from app.ids import ProcessId, SiteId, UserId
from app.paper.service import reconciliation
from app.voting import service
from app.voting.casting import access_codes_csv, cast_from_request
from app.voting.models import Channel
from app.voting.schemas import (
    AccessCodesIn,
    AccessCodesOut,
    BallotIn,
    CheckInIn,
    CheckInOut,
    KioskIn,
    KioskOut,
    PollWorkerIn,
    PollWorkerOut,
    ReceiptOut,
    ReceiptStatus,
    TurnoutOut,
    VoidIn,
    VoidOut,
    VotingRulesIn,
    VotingRulesOut,
)

router = APIRouter(tags=["voting"])
_staff = error_responses(NotAuthenticated, Forbidden, NotFound, Conflict, BadInput)
_cast = error_responses(BadInput, NotAuthenticated, Forbidden, NotFound, Conflict, TooManyRequests)


@router.get(
    "/api/processes/{process_id}/voting-rules", response_model=VotingRulesOut, responses=_staff
)
def get_voting_rules(session: SessionDep, _: CurrentOrganizer, process_id: int = ProcessId):
    service.get_process(session=session, process_id=process_id)
    return service.get_rules(session=session, process_id=process_id)


@router.put(
    "/api/processes/{process_id}/voting-rules", response_model=VotingRulesOut, responses=_staff
)
def put_voting_rules(
    body: VotingRulesIn,
    session: SessionDep,
    organizer: CurrentOrganizer,
    process_id: int = ProcessId,
):
    return service.put_rules(
        session=session, actor=Actor.of(organizer), process_id=process_id, data=body
    )


@router.post(
    "/api/processes/{process_id}/access-codes",
    response_model=AccessCodesOut,
    status_code=201,
    responses={**_staff, 201: {"content": {"text/csv": {}}}},
)
def create_access_codes(
    body: AccessCodesIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    organizer: CurrentOrganizer,
    process_id: int = ProcessId,
):
    """Makes a batch of codes and shows them this once: they are stored only hashed."""
    batch, codes = service.generate_access_codes(
        session=session,
        settings=settings,
        actor=Actor.of(organizer),
        process_id=process_id,
        count=body.count,
        label=body.label,
    )
    if "text/csv" in request.headers.get("accept", ""):
        return access_codes_csv(batch, codes)
    return AccessCodesOut(batch_id=batch.id, label=batch.label, codes=codes)


@router.post(
    "/api/processes/{process_id}/access-codes/void", response_model=VoidOut, responses=_staff
)
def void_access_codes(
    body: VoidIn,
    session: SessionDep,
    settings: SettingsDep,
    organizer: CurrentOrganizer,
    process_id: int = ProcessId,
):
    voided = service.void_access_codes(
        session=session,
        settings=settings,
        actor=Actor.of(organizer),
        process_id=process_id,
        code=body.code,
        batch_id=body.batch_id,
        label=body.label,
        reason=body.reason,
    )
    return VoidOut(voided=voided)


@router.post(
    "/api/sites/{site_id}/poll-workers",
    response_model=PollWorkerOut,
    status_code=201,
    responses=_staff,
)
def assign_poll_worker(
    body: PollWorkerIn, session: SessionDep, organizer: CurrentOrganizer, site_id: int = SiteId
):
    service.assign_poll_worker(
        session=session, actor=Actor.of(organizer), site_id=site_id, user_id=body.user_id
    )
    return PollWorkerOut(site_id=site_id, user_id=body.user_id)


@router.delete("/api/sites/{site_id}/poll-workers/{user_id}", status_code=204, responses=_staff)
def unassign_poll_worker(
    session: SessionDep, organizer: CurrentOrganizer, site_id: int = SiteId, user_id: int = UserId
):
    """Take a poll worker off a site: they no longer see it at the polling station."""
    service.unassign_poll_worker(
        session=session, actor=Actor.of(organizer), site_id=site_id, user_id=user_id
    )


@router.post(
    "/api/processes/{process_id}/kiosks", response_model=KioskOut, status_code=201, responses=_staff
)
def open_kiosk(
    body: KioskIn,
    session: SessionDep,
    settings: SettingsDep,
    staff: CurrentStaff,
    process_id: int = ProcessId,
):
    token, expires_at = service.open_kiosk(
        session=session, settings=settings, user=staff, process_id=process_id, site_id=body.site_id
    )
    return KioskOut(kiosk_token=token, site_id=body.site_id, expires_at=expires_at)


@router.post(
    "/api/processes/{process_id}/check-ins",
    response_model=CheckInOut,
    status_code=201,
    responses=_staff,
)
def check_in(
    body: CheckInIn,
    session: SessionDep,
    settings: SettingsDep,
    staff: CurrentStaff,
    process_id: int = ProcessId,
):
    result = service.check_in(
        session=session,
        settings=settings,
        user=staff,
        process_id=process_id,
        site_id=body.site_id,
        mode=Channel(body.mode),
        identity=body.identity,
        access_code=body.access_code,
    )
    message = (
        "Checked in: give the voter this ticket for the kiosk."
        if result.kiosk_ticket
        else "Checked in: give the voter a paper ballot."
    )
    return CheckInOut(
        mode=body.mode,
        site_id=result.site_id,
        kiosk_ticket=result.kiosk_ticket,
        ticket_expires_at=result.ticket_expires_at,
        message=message,
    )


@router.post(
    "/api/processes/{process_id}/ballots",
    response_model=ReceiptOut,
    status_code=201,
    responses=_cast,
    dependencies=[DbSlot],
)
def cast_ballot(
    body: BallotIn, request: Request, settings: SettingsDep, process_id: int = ProcessId
):
    receipt = cast_from_request(
        request=request,
        settings=settings,
        process_id=process_id,
        credential=body.credential,
        ranking=body.ranking,
    )
    return ReceiptOut(
        receipt=receipt,
        message="Your ballot is cast. Keep this receipt to check, after the count, "
        "that your ballot was counted.",
    )


@router.get(
    "/api/processes/{process_id}/receipts/{receipt}",
    response_model=ReceiptStatus,
    responses=error_responses(NotFound),
)
def check_receipt(
    session: SessionDep,
    settings: SettingsDep,
    receipt: str = Path(min_length=1, max_length=40),
    process_id: int = ProcessId,
):
    if not service.receipt_counted(
        session=session, settings=settings, process_id=process_id, code=receipt
    ):
        raise NotFound(
            "No ballot with this receipt was counted in this process. Check the receipt.",
            code="receipt_not_found",
        )
    return ReceiptStatus(receipt=receipt, status="counted")


@router.get("/api/processes/{process_id}/turnout", response_model=TurnoutOut, responses=_staff)
def turnout(session: SessionDep, _: CurrentOrganizer, process_id: int = ProcessId):
    body = service.turnout(session=session, process_id=process_id)
    paper = reconciliation(session=session, process_id=process_id)
    body["paper"] = {
        "check_ins": paper["total_check_ins"],
        "sheets_entered": paper["total_sheets"],
        "sites_with_difference": paper["sites_with_difference"],
        "sites": paper["sites"],
    }
    return body
