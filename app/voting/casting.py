"""What casting a ballot is, wherever it is cast: the JSON API (app/voting/router.py), the
ballot page (app/voting/pages.py) and the kiosk (app/voting/station_pages.py) all go
through `cast_in_session`; and the access-code sheet the API and the codes page print."""

from fastapi import Request
from fastapi.responses import Response

from app import audit
from app.db import open_session, utcnow
from app.errors import DomainError, TooManyRequests
from app.exports.csv_files import write_csv
from app.users import service as users
from app.voting import service


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
            client=client,
        )
    except DomainError as refusal:
        session.rollback()
        if isinstance(refusal, service.CredentialRefused) and refusal.guess:
            _record_guess(request=request, session=session, keys=throttle_keys)
        raise


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
