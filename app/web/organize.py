"""The organizers' page: every process at a glance, the next phase, live turnout, paper
reconciliation, sheets to resolve, and the downloads. Signed in like the polling station;
every POST must come from this site."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from app.audit import Actor
from app.db import open_session
from app.digits import parse_count
from app.errors import DomainError
from app.paper import service as paper
from app.paper.csv_format import CsvProblem, parse_marks
from app.processes import service as processes
from app.processes.phases import Phase, next_phase
from app.proposals import service as proposals
from app.users.models import Role
from app.voting import service as voting
from app.voting.router import access_codes_csv
from app.voting.station import same_origin, staff_from_cookie
from app.web.router import refusal, render

router = APIRouter(include_in_schema=False)


def _organizer(request: Request, session):
    user = staff_from_cookie(request, session)
    return user if user is not None and user.role == Role.organizer.value else None


def _overview(request: Request, session, user, *, message=None, error=None, status_code=200):
    cards = []
    for process in processes.list_processes(session=session):
        phase = Phase(process.phase)
        card = {"process": process, "next": next_phase(phase) if phase != Phase.closed else None}
        if phase == Phase.proposal_development:
            card["proposals"] = proposals.list_proposals(
                session=session, process_id=process.id, staff=True
            )
        if phase in (Phase.voting, Phase.funding, Phase.closed):
            card["turnout"] = voting.turnout(session=session, process_id=process.id)
            card["paper"] = paper.reconciliation(session=session, process_id=process.id)
            card["batches"] = paper.list_batches(session=session, process_id=process.id)
        cards.append(card)
    return render(
        request,
        "organize.html",
        {"user": user, "cards": cards, "message": message, "error": error},
        status_code=status_code,
    )


@router.get("/organize", response_class=HTMLResponse)
def organize(request: Request):
    with request.app.state.session_factory() as session:
        user = _organizer(request, session)
        if user is None:
            return RedirectResponse("/station", status_code=303)
        return _overview(request, session, user)


@router.post("/organize/processes/{process_id}/transition", response_class=HTMLResponse)
async def move(request: Request, process_id: int):
    form = await request.form()
    return await run_in_threadpool(
        _move,
        request,
        process_id,
        str(form.get("to", "")),
        str(form.get("reason", "")).strip()[:2000],
    )


def _move(request: Request, process_id: int, to: str, reason: str):
    same_origin(request)
    with open_session(request.app.state.session_factory, write=True) as session:
        user = _organizer(request, session)
        if user is None:
            return RedirectResponse("/station", status_code=303)
        if not reason or to not in Phase.__members__:
            return _overview(
                request,
                session,
                user,
                status_code=422,
                error="Say why the process moves on: the reason is recorded.",
            )
        try:
            processes.transition(
                session=session,
                actor=Actor(role=user.role, user_id=user.id),
                process_id=process_id,
                to=Phase(to),
                reason=reason,
            )
            session.commit()
        except DomainError as exc:
            session.rollback()
            return _overview(
                request, session, user, error=refusal(request, exc), status_code=exc.status_code
            )
        return _overview(request, session, user, message=f"Process {process_id} is now in {to}.")


@router.get("/organize/batches/{batch_id}", response_class=HTMLResponse)
def batch(request: Request, batch_id: int):
    with request.app.state.session_factory() as session:
        user = _organizer(request, session)
        if user is None:
            return RedirectResponse("/station", status_code=303)
        return _batch(request, session, user, batch_id)


def _batch(
    request: Request, session, user, batch_id: int, *, message=None, error=None, status_code=200
):
    found = paper.get_batch(session=session, batch_id=batch_id)
    disputed = paper.discrepancies(session=session, user=user, batch_id=batch_id)
    return render(
        request,
        "organize_batch.html",
        {
            "batch": found,
            "disputed": disputed,
            "counts": paper.sheet_counts(session=session, batch=found),
            "message": message,
            "error": error,
        },
        status_code=status_code,
    )


@router.post("/organize/batches/{batch_id}/sheets/{sheet}", response_class=HTMLResponse)
async def resolve(request: Request, batch_id: int, sheet: int):
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    return await run_in_threadpool(_resolve, request, batch_id, sheet, form)


def _resolve(request: Request, batch_id: int, sheet: int, form: dict[str, str]):
    same_origin(request)
    with open_session(request.app.state.session_factory, write=True) as session:
        user = _organizer(request, session)
        if user is None:
            return RedirectResponse("/station", status_code=303)
        reason = form.get("reason", "").strip()[:2000]
        try:
            if len(reason) < 3:
                raise CsvProblem(None, "give the reason for this decision (it is published)")
            paper.resolve_sheet(
                session=session,
                user=user,
                batch_id=batch_id,
                sheet=sheet,
                marks=list(parse_marks(form.get("marks", "")[:400])),
                blank=form.get("flag") == "blank",
                unreadable=form.get("flag") == "unreadable",
                reason=reason,
            )
            session.commit()
        except CsvProblem as exc:
            session.rollback()
            return _batch(request, session, user, batch_id, error=str(exc), status_code=422)
        except DomainError as exc:
            session.rollback()
            return _batch(
                request,
                session,
                user,
                batch_id,
                error=refusal(request, exc),
                status_code=exc.status_code,
            )
        return _batch(request, session, user, batch_id, message=f"Sheet {sheet} is settled.")


@router.post("/organize/proposals/{proposal_id}/{decision}", response_class=HTMLResponse)
async def decide(request: Request, proposal_id: int, decision: str):
    form = await request.form()
    return await run_in_threadpool(
        _decide, request, proposal_id, decision, str(form.get("reason", "")).strip()[:2000]
    )


def _decide(request: Request, proposal_id: int, decision: str, reason: str):
    same_origin(request)
    with open_session(request.app.state.session_factory, write=True) as session:
        user = _organizer(request, session)
        if user is None:
            return RedirectResponse("/station", status_code=303)
        actor = Actor(role=user.role, user_id=user.id)
        try:
            if decision == "approve":
                done = proposals.approve_proposal(
                    session=session, actor=actor, proposal_id=proposal_id
                )
                message = f"“{done.title}” is on the ballot as number {done.ballot_number}."
            elif decision == "return" and len(reason) >= 3:
                done = proposals.return_proposal(
                    session=session, actor=actor, proposal_id=proposal_id, reason=reason
                )
                message = f"“{done.title}” went back to the delegates."
            else:
                return _overview(
                    request,
                    session,
                    user,
                    status_code=422,
                    error="Say why the proposal goes back to the delegates.",
                )
            session.commit()
        except DomainError as exc:
            session.rollback()
            return _overview(
                request, session, user, error=refusal(request, exc), status_code=exc.status_code
            )
        return _overview(request, session, user, message=message)


@router.post("/organize/processes/{process_id}/access-codes")
async def make_codes(request: Request, process_id: int):
    form = await request.form()
    return await run_in_threadpool(
        _make_codes,
        request,
        process_id,
        str(form.get("count", "")),
        str(form.get("label", "")).strip()[:100],
    )


def _make_codes(request: Request, process_id: int, count: str, label: str):
    """A batch of access codes, downloaded at once as a printable CSV (shown only this once)."""
    same_origin(request)
    with open_session(request.app.state.session_factory, write=True) as session:
        user = _organizer(request, session)
        if user is None:
            return RedirectResponse("/station", status_code=303)
        number = parse_count(count) or 0
        if not 1 <= number <= 10_000 or not label:
            return _overview(
                request,
                session,
                user,
                status_code=422,
                error="Give how many codes (1 to 10,000) and a label for the batch.",
            )
        try:
            batch, codes = voting.generate_access_codes(
                session=session,
                settings=request.app.state.settings,
                actor=Actor(role=user.role, user_id=user.id),
                process_id=process_id,
                count=number,
                label=label,
            )
            session.commit()
        except DomainError as exc:
            session.rollback()
            return _overview(
                request, session, user, error=refusal(request, exc), status_code=exc.status_code
            )
        return access_codes_csv(batch, codes)
