"""Voting routes: rules, access codes, poll workers, kiosks, check-in, ballots, turnout.

The JSON cast opens its own session instead of using SessionDep: a code with a typo is
refused by validation before any database work, and a wrong code's throttle entry must be
committed although the refusal is raised to the error handler. The ballot page and the
kiosk cast through the same `cast_in_session` in their request's session.
"""


from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from app import audit
from app.auth import CurrentOrganizer, CurrentStaff, SettingsDep, actor_of
from app.db import DbSlot, SessionDep, open_session, utcnow
from app.errors import (
    BadInput,
    Conflict,
    DomainError,
    Forbidden,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
    error_responses,
)
from app.exports.csv_files import write_csv
from app.paper.service import reconciliation
from app.processes.router import ProcessId
from app.users import service as users
from app.voting import service
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
SiteId = Path(ge=1, le=2**31 - 1, description="The site id")
UserId = Path(ge=1, le=2**31 - 1, description="The staff account's id")


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
        session=session, actor=actor_of(organizer), process_id=process_id, data=body
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
        actor=actor_of(organizer),
        process_id=process_id,
        count=body.count,
        label=body.label,
    )
    if "text/csv" in request.headers.get("accept", ""):
        return access_codes_csv(batch, codes)
    return AccessCodesOut(batch_id=batch.id, label=batch.label, codes=codes)


def access_codes_csv_text(batch, codes: list[str]) -> str:
    """The codes of a new batch as CSV text: batch label, number in the batch, code."""
    rows = ((batch.label, n, code) for n, code in enumerate(codes, 1))
    return write_csv(["batch", "number", "access_code"], rows)


def access_codes_csv(batch, codes: list[str]) -> Response:
    """The codes of a new batch as a printable CSV: shown this once, never cached."""
    return Response(
        access_codes_csv_text(batch, codes),
        status_code=201,
        media_type="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="access-codes-{batch.id}.csv"',
            "Cache-Control": "no-store",
        },
    )


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
        actor=actor_of(organizer),
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
        session=session, actor=actor_of(organizer), site_id=site_id, user_id=body.user_id
    )
    return PollWorkerOut(site_id=site_id, user_id=body.user_id)


@router.delete("/api/sites/{site_id}/poll-workers/{user_id}", status_code=204, responses=_staff)
def unassign_poll_worker(
    session: SessionDep, organizer: CurrentOrganizer, site_id: int = SiteId, user_id: int = UserId
):
    """Take a poll worker off a site: they no longer see it at the polling station."""
    service.unassign_poll_worker(
        session=session, actor=actor_of(organizer), site_id=site_id, user_id=user_id
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


def cast_from_request(
    *, request: Request, settings, process_id: int, credential, ranking: list[int]
) -> str:
    """Cast one ballot for the JSON API in a session of its own (the route holds the
    request's database slot, `DbSlot`): a refusal is raised to the error handler, which
    the session dependency would answer by rolling back, and a wrong code's guess must
    stay on disk."""
    with open_session(request.app.state.session_factory, write=True) as session:
        try:
            receipt = cast_in_session(
                request=request,
                session=session,
                settings=settings,
                process_id=process_id,
                credential=credential,
                ranking=ranking,
            )
        except DomainError:
            session.commit()  # what cast_in_session kept of the refusal: the guess
            raise
        session.commit()
    return receipt


def cast_in_session(
    *, request: Request, session, settings, process_id: int, credential, ranking: list[int]
) -> str:
    """Cast one ballot in `session` (the API's own, or a page's request session); the
    one casting path of the API, the ballot page and the kiosk. Guesses of access codes
    are throttled per address. A refusal rolls the cast's work back, then records a wrong
    code's guess in `session`, for whoever commits it, and is raised."""
    request.state.actor = audit.PUBLIC
    client = request.client.host if request.client else "unknown"
    throttle_keys = [f"ballot-code:{client}"]
    session.info.update(_frozen_caches(request.app))
    try:
        if credential.access_code is not None:
            _not_throttled(session=session, keys=throttle_keys, process_id=process_id)
        return service.cast_ballot(
            session=session,
            settings=settings,
            process_id=process_id,
            credential=credential,
            ranking=ranking,
        )
    except DomainError as refusal:
        session.rollback()
        if isinstance(refusal, service.CredentialRefused) and refusal.guess:
            _record_guess(request=request, session=session, keys=throttle_keys)
        raise


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


def _frozen_caches(app) -> dict:
    """Ballot and rules of voting processes, shared by this app's requests (see
    service.BALLOT_CACHE for why they cannot go stale)."""
    caches = getattr(app.state, "voting_caches", None)
    if caches is None:
        caches = app.state.voting_caches = {service.BALLOT_CACHE: {}, service.RULES_CACHE: {}}
    return caches


def _not_throttled(*, session, keys: list[str], process_id: int) -> None:
    try:
        users.check_not_locked(session=session, keys=keys, now=utcnow())
    except TooManyRequests as exc:
        raise TooManyRequests(
            "Too many wrong access codes were tried from this address. "
            f"Wait {exc.headers.get('Retry-After', 'a few') if exc.headers else 'a few'} "
            "seconds, then try again.",
            code="ballot_throttled",
            headers=exc.headers,
            audit=("ballot.credential", f"process:{process_id}"),
        ) from None


def _record_guess(*, request: Request, session, keys: list[str]) -> None:
    """In a fresh write transaction of `session`: the refused cast's is rolled back."""
    session.connection(execution_options={"pbvote_write": True})
    settings = request.app.state.settings
    users.record_failure(session=session, keys=keys, settings=settings, now=utcnow())


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
