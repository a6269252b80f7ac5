from typing import Annotated

from fastapi import APIRouter, Body, Path

from app.auth import CurrentOrganizer, CurrentStaff
from app.db import SessionDep
from app.errors import BadInput, Conflict, Forbidden, NotAuthenticated, NotFound, error_responses
from app.ids import BatchId, ProcessId
from app.paper import service
from app.paper.interpret import Mark
from app.paper.models import PaperBatch
from app.paper.schemas import (
    BatchIn,
    BatchOut,
    DiscrepancyOut,
    EntryIn,
    EntryOut,
    EntryView,
    ImportOut,
    MarkIn,
    PaperRulesIn,
    PaperRulesOut,
    ReasonIn,
    ReconciliationOut,
    ResolveIn,
)

router = APIRouter(prefix="/api", tags=["paper ballots"])
_errors = error_responses(NotAuthenticated, Forbidden, NotFound, Conflict, BadInput)
Sheet = Path(ge=1, le=10_000)


def _marks(marks: list[MarkIn]) -> list[Mark]:
    return [Mark(m.rank, m.ballot_number) for m in marks]


def _batch_out(session, batch: PaperBatch) -> BatchOut:
    counts = service.sheet_counts(session=session, batch=batch)
    return BatchOut(
        **batch.model_dump(include=set(BatchOut.model_fields)),
        sheets_pending=counts["pending"],
        sheets_settled=counts["settled"],
        sheets_disputed=counts["disputed"],
        sheets_missing=counts["missing"],
    )


def _rules_out(rules) -> PaperRulesOut:
    return PaperRulesOut(
        process_id=rules.process_id,
        overvote=rules.overvote,
        skipped_rank=rules.skipped_rank,
        description=service.describe_rules(rules),
    )


@router.get("/processes/{process_id}/paper-rules", response_model=PaperRulesOut)
def get_paper_rules(session: SessionDep, process_id: int = ProcessId):
    return _rules_out(service.get_rules(session=session, process_id=process_id))


@router.put("/processes/{process_id}/paper-rules", response_model=PaperRulesOut, responses=_errors)
def put_paper_rules(
    body: PaperRulesIn,
    session: SessionDep,
    organizer: CurrentOrganizer,
    process_id: int = ProcessId,
):
    return _rules_out(
        service.put_rules(
            session=session,
            user=organizer,
            process_id=process_id,
            overvote=body.overvote,
            skipped_rank=body.skipped_rank,
        )
    )


@router.post(
    "/processes/{process_id}/paper-batches",
    response_model=BatchOut,
    status_code=201,
    responses=_errors,
)
def create_batch(
    body: BatchIn, session: SessionDep, user: CurrentStaff, process_id: int = ProcessId
):
    batch = service.create_batch(
        session=session,
        user=user,
        process_id=process_id,
        site_id=body.site_id,
        declared_sheets=body.declared_sheets,
    )
    return _batch_out(session, batch)


@router.get(
    "/processes/{process_id}/paper-batches", response_model=list[BatchOut], responses=_errors
)
def list_batches(session: SessionDep, user: CurrentStaff, process_id: int = ProcessId):
    batches = service.list_batches(session=session, process_id=process_id, user=user)
    return [_batch_out(session, b) for b in batches]


@router.get("/paper-batches/{batch_id}", response_model=BatchOut, responses=_errors)
def get_batch(session: SessionDep, user: CurrentStaff, batch_id: int = BatchId):
    batch = service.readable_batch(session=session, user=user, batch_id=batch_id)
    return _batch_out(session, batch)


@router.post(
    "/paper-batches/{batch_id}/entries", response_model=EntryOut, status_code=201, responses=_errors
)
def enter_sheet(body: EntryIn, session: SessionDep, user: CurrentStaff, batch_id: int = BatchId):
    pass_number, state = service.enter_sheet(
        session=session,
        user=user,
        batch_id=batch_id,
        sheet=body.sheet,
        marks=_marks(body.marks),
        blank=body.blank,
        unreadable=body.unreadable,
    )
    return EntryOut(sheet=body.sheet, pass_number=pass_number, state=state.value)


@router.get(
    "/paper-batches/{batch_id}/discrepancies",
    response_model=list[DiscrepancyOut],
    responses=_errors,
)
def discrepancies(session: SessionDep, user: CurrentStaff, batch_id: int = BatchId):
    return [
        DiscrepancyOut(
            sheet=sheet,
            entries=[
                EntryView(
                    pass_number=e.pass_number,
                    blank=e.blank,
                    unreadable=e.unreadable,
                    entered_by_id=e.entered_by_id,
                    marks=[MarkIn(rank=r, ballot_number=n) for r, n in e.marks],
                )
                for e in entries
            ],
        )
        for sheet, entries in service.discrepancies(session=session, user=user, batch_id=batch_id)
    ]


@router.post(
    "/paper-batches/{batch_id}/sheets/{sheet}/resolve", response_model=EntryOut, responses=_errors
)
def resolve(
    body: ResolveIn,
    session: SessionDep,
    organizer: CurrentOrganizer,
    batch_id: int = BatchId,
    sheet: int = Sheet,
):
    row = service.resolve_sheet(
        session=session,
        user=organizer,
        batch_id=batch_id,
        sheet=sheet,
        marks=_marks(body.marks),
        blank=body.blank,
        unreadable=body.unreadable,
        reason=body.reason,
    )
    return EntryOut(sheet=row.sheet, pass_number=0, state=row.state)


@router.post("/paper-batches/{batch_id}/close", response_model=BatchOut, responses=_errors)
def close(session: SessionDep, user: CurrentStaff, batch_id: int = BatchId):
    return _batch_out(session, service.close_batch(session=session, user=user, batch_id=batch_id))


@router.post("/paper-batches/{batch_id}/exclude", response_model=BatchOut, responses=_errors)
def exclude(
    body: ReasonIn, session: SessionDep, organizer: CurrentOrganizer, batch_id: int = BatchId
):
    return _batch_out(
        session,
        service.exclude_batch(
            session=session, user=organizer, batch_id=batch_id, reason=body.reason
        ),
    )


@router.post("/paper-batches/{batch_id}/import", response_model=ImportOut, responses=_errors)
def import_csv(
    data: Annotated[bytes, Body(media_type="text/csv")] = b"",
    *,
    session: SessionDep,
    user: CurrentStaff,
    batch_id: int = BatchId,
):
    result = service.import_csv(session=session, user=user, batch_id=batch_id, data=data)
    message = (
        "This file was loaded before; nothing changed."
        if result.already_loaded
        else f"{result.entered} sheet entries stored, {result.already_entered} already there."
    )
    return ImportOut(
        rows=result.rows,
        entered=result.entered,
        already_entered=result.already_entered,
        already_loaded=result.already_loaded,
        message=message,
    )


@router.get(
    "/processes/{process_id}/paper-reconciliation",
    response_model=ReconciliationOut,
    responses=_errors,
)
def reconciliation(session: SessionDep, _: CurrentOrganizer, process_id: int = ProcessId):
    return service.reconciliation(session=session, process_id=process_id)
