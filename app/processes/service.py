"""PB processes: create, change the rules, move through the phases."""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app import audit
from app.audit import Actor
from app.db import utcnow
from app.errors import Conflict, NotFound
from app.ideas.criteria import seed_default_criteria
from app.processes.models import PhaseTransition, Process
from app.processes.phases import ON_ENTER, Phase, guard_problems, step_problem
from app.processes.schemas import RULE_FIELDS, WINDOW_FIELDS, ProcessCreate, ProcessUpdate


def get_process(*, session: Session, process_id: int, for_update: bool = False) -> Process:
    process = session.get(Process, process_id, with_for_update=for_update)
    if process is None:
        raise NotFound(f"There is no PB process {process_id}.", field="process_id")
    return process


def list_processes(*, session: Session) -> list[Process]:
    return list(session.execute(select(Process).order_by(Process.id)).scalars())


def create_process(*, session: Session, actor: Actor, data: ProcessCreate) -> Process:
    process = Process(**data.model_dump(), phase=Phase.design.value, created_by_id=actor.user_id)
    session.add(process)
    session.flush()
    seed_default_criteria(session=session, process=process)
    audit.append(
        session=session,
        actor=actor,
        action="process.create",
        target=f"process:{process.id}",
        detail={"name": process.name},
    )
    return process


def update_process(
    *, session: Session, actor: Actor, process_id: int, changes: ProcessUpdate
) -> Process:
    process = get_process(session=session, process_id=process_id, for_update=True)
    fields: dict[str, Any] = changes.model_dump(exclude_unset=True)
    target = f"process:{process.id}"
    phase = Phase(process.phase)
    if phase == Phase.closed:
        raise Conflict(
            "The process is closed: it is a read-only archive.",
            code="process_closed",
            audit=("process.update", target),
        )
    for field in sorted(fields):
        frozen = (field in RULE_FIELDS and phase != Phase.design) or (
            field in WINDOW_FIELDS and phase not in _WINDOW_EDITABLE
        )
        if frozen:
            raise Conflict(
                f"{field} is a voting rule and is fixed once the process leaves "
                f"{'design' if field in RULE_FIELDS else 'proposal_development'}; "
                f"the process is in {phase.value}.",
                field=field,
                code="rules_frozen",
                audit=("process.update", target),
            )
        if fields[field] is None and field not in WINDOW_FIELDS:
            fields.pop(field)
    opens = fields.get("voting_opens_at", process.voting_opens_at)
    closes = fields.get("voting_closes_at", process.voting_closes_at)
    if opens and closes and opens >= closes:
        raise Conflict(
            "voting_closes_at must be after voting_opens_at.",
            field="voting_closes_at",
            code="invalid_window",
        )
    method = fields.get("count_method", process.count_method)
    if method == "stv" and not fields.get("count_seats", process.count_seats):
        raise Conflict(
            "count_seats (how many projects stv elects) is needed for stv.",
            field="count_seats",
            code="invalid_rules",
        )
    for field, value in fields.items():
        setattr(process, field, value)
    process.updated_at = utcnow()
    session.add(process)
    audit.append(
        session=session,
        actor=actor,
        action="process.update",
        target=target,
        detail={"fields": sorted(fields)},
    )
    return process


_WINDOW_EDITABLE = frozenset({Phase.design, Phase.idea_collection, Phase.proposal_development})


def transition(
    *, session: Session, actor: Actor, process_id: int, to: Phase, reason: str
) -> PhaseTransition:
    # Row lock: two organizers pressing the button at once make one transition, not two.
    process = get_process(session=session, process_id=process_id, for_update=True)
    current = Phase(process.phase)
    target = f"process:{process.id}"
    now = utcnow()
    problem = step_problem(current, to)
    problems = [problem] if problem else guard_problems(session, process, to, now)
    if problems:
        raise Conflict(
            " ".join(problems),
            code="transition_refused",
            extra={"from": current.value, "to": to.value, "problems": problems},
            audit=(f"process.transition.{to.value}", target),
        )
    for hook in ON_ENTER[to]:
        hook(session, process, now)
    process.phase = to.value
    process.updated_at = now
    record = PhaseTransition(
        process_id=process.id,
        from_phase=current.value,
        to_phase=to.value,
        actor_id=actor.user_id,
        reason=reason,
        at=now,
    )
    session.add_all([process, record])
    session.flush()
    audit.append(
        session=session,
        actor=actor,
        action=f"process.transition.{to.value}",
        target=target,
        detail={"from": current.value, "reason": reason[:500]},
    )
    return record


def transitions_of(*, session: Session, process_id: int) -> list[PhaseTransition]:
    get_process(session=session, process_id=process_id)
    return list(
        session.execute(
            select(PhaseTransition)
            .where(PhaseTransition.process_id == process_id)
            .order_by(PhaseTransition.at, PhaseTransition.id)
        ).scalars()
    )
