"""The criteria delegates score ideas against: seeded with RMAPI's four, editable in design."""

from sqlalchemy import select
from sqlmodel import Session

from app import audit
from app.audit import Actor
from app.errors import BadInput
from app.ideas.models import Criterion
from app.ideas.schemas import CriterionIn
from app.processes.models import Process
from app.processes.phases import CRITERIA, get_process, process_for_change

# RMAPI's delegate criteria (PRODUCT.md), each of weight 1.
DEFAULT_CRITERIA: tuple[tuple[str, str], ...] = (
    ("Need", "Is the need high?"),
    ("Feasibility", "How feasible is the project?"),
    ("Equity", "How equitable is the project?"),
    (
        "Guiding principles",
        "How well does it fit the guiding principles (addressing structural racism, "
        "addressing trauma, building community)?",
    ),
)


def seed_default_criteria(*, session: Session, process: Process) -> list[Criterion]:
    """Give a new process RMAPI's four criteria. Called from processes.create_process."""
    criteria = [
        Criterion(process_id=process.id, position=n, name=name, description=description, weight=1)
        for n, (name, description) in enumerate(DEFAULT_CRITERIA, start=1)
    ]
    session.add_all(criteria)
    session.flush()
    return criteria


def criteria_of(*, session: Session, process_id: int) -> list[Criterion]:
    return list(
        session.execute(
            select(Criterion)
            .where(Criterion.process_id == process_id)
            .order_by(Criterion.position, Criterion.id)
        ).scalars()
    )


def list_criteria(*, session: Session, process_id: int) -> list[Criterion]:
    get_process(session=session, process_id=process_id)
    return criteria_of(session=session, process_id=process_id)


def replace_criteria(
    *, session: Session, actor: Actor, process_id: int, criteria: list[CriterionIn]
) -> list[Criterion]:
    """Set the process's criteria to `criteria`, in that order.

    An item with an `id` edits that criterion; one without adds a criterion; a criterion
    left out is removed. Only in design: delegates score against them later.
    """
    target = f"process:{process_id}"
    process = process_for_change(
        session=session,
        process_id=process_id,
        allowed=CRITERIA,
        action="criteria.update",
        target=target,
    )
    existing = {c.id: c for c in criteria_of(session=session, process_id=process.id)}
    for index, item in enumerate(criteria):
        if item.id is not None and item.id not in existing:
            raise BadInput(
                f"Criterion {item.id} is not one of process {process.id}'s criteria; "
                "leave id out to add a new criterion.",
                field=f"criteria.{index}.id",
                code="unknown_criterion",
            )
    kept = {item.id for item in criteria if item.id is not None}
    for criterion_id, criterion in existing.items():
        if criterion_id not in kept:
            session.delete(criterion)
    # Move kept rows out of the way first, so reordering never trips the unique position.
    for criterion_id in kept:
        existing[criterion_id].position += 1000
        session.add(existing[criterion_id])
    session.flush()
    result = []
    for position, item in enumerate(criteria, start=1):
        criterion = existing[item.id] if item.id is not None else Criterion(process_id=process.id)
        criterion.position = position
        criterion.name = item.name
        criterion.description = item.description
        criterion.weight = item.weight
        criterion.translations = {
            language: text.model_dump() for language, text in item.translations.items()
        }
        session.add(criterion)
        result.append(criterion)
    session.flush()
    audit.append(
        session=session,
        actor=actor,
        action="criteria.update",
        target=target,
        detail={"criteria": [{"id": c.id, "name": c.name, "weight": c.weight} for c in result]},
    )
    return result
