"""PB processes: create, change the rules, move through the phases."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from app import audit
from app.audit import Actor
from app.db import utcnow
from app.errors import BadInput, Conflict, NotFound
from app.ideas.criteria import seed_default_criteria
from app.ideas.models import Criterion, Idea
from app.paper.models import PaperRules
from app.processes.models import PhaseTransition, Process, WindowChange
from app.processes.phases import (
    ARCHIVING,
    ON_ENTER,
    PROCESS_EDIT,
    PROCESS_RULES,
    TIME_ZONE,
    VOTING_WINDOW_CHANGE,
    VOTING_WINDOW_SET,
    Phase,
    differences,
    differences_key,
    get_process,
    guard_problems,
    local_time,
    process_for_change,
    step_problem,
)
from app.processes.schemas import (
    RULE_FIELDS,
    SUPPORT_REFUSED,
    WINDOW_FIELDS,
    ZONE_FIELD,
    ProcessCreate,
    ProcessUpdate,
    support_applies,
)
from app.proposals.models import Proposal
from app.sites.models import Site, SiteKind
from app.voting.models import VotingRules
from app.web.i18n import format_moment


def list_processes(
    *, session: Session, archived: bool | None = None, published: bool | None = None
) -> list[Process]:
    """Every process; `archived=False` only those in use (what residents' and organizers'
    lists show), `archived=True` only the archived ones; `published=True` only those
    residents may see (not drafts)."""
    query = select(Process).order_by(Process.id)
    if archived is not None:
        query = query.where(
            Process.archived_at.is_not(None) if archived else Process.archived_at.is_(None)
        )
    if published is not None:
        query = query.where(
            Process.published_at.is_not(None) if published else Process.published_at.is_(None)
        )
    return list(session.execute(query).scalars())


# A window opening earlier today is no slip; one in 2019, or two years ahead, likely is.
_PAST_GRACE = timedelta(days=1)
_FAR_AHEAD = timedelta(days=366)


def check_window_plausible(
    moments: dict[str, datetime | None], *, confirmed: bool, zone: str, audit_as=None
) -> None:
    """Refuse (422, field `confirm_window`) a voting window set in the past or more than a
    year ahead unless the organizer confirms they mean it: a typo in a year is silent
    otherwise, and residents would read that date."""
    if confirmed:
        return
    now = utcnow()
    for field in ("voting_opens_at", "voting_closes_at"):
        at = moments.get(field)
        if at is None:
            continue
        problem = "past" if at < now - _PAST_GRACE else "far" if at > now + _FAR_AHEAD else None
        if problem is None:
            continue
        said = "is in the past" if problem == "past" else "is more than a year ahead"
        raise BadInput(
            f"{field} ({format_moment('en', at, zone)} in {zone}) {said}. Check the date; "
            "if it is meant, send it again with confirm_window: true.",
            field="confirm_window",
            code="window_unusual",
            extra={"problem": problem, "window_field": field},
            audit=audit_as,
        )


def past_cycles(*, session: Session) -> list[Process]:
    """Published processes that are over: archived, or closed. Newest first."""
    query = (
        select(Process)
        .where(Process.published_at.is_not(None))
        .where((Process.archived_at.is_not(None)) | (Process.phase == Phase.closed.value))
        .order_by(Process.id.desc())
    )
    return list(session.execute(query).scalars())


def visible_process(*, session: Session, process_id: int, staff: bool) -> Process:
    """The process as a reader may see it: a draft (not published) is there for staff
    only; to anyone else it does not exist (404), on the API and on the pages."""
    process = get_process(session=session, process_id=process_id)
    if process.published_at is None and not staff:
        raise NotFound(f"There is no PB process {process_id}.", field="process_id")
    return process


def publish_process(
    *, session: Session, actor: Actor, process_id: int, now: datetime | None = None
) -> Process:
    """Make a draft public: residents see it on the home page from now on. Audited; a
    published process stays published (archive it to take it off the list)."""
    target = f"process:{process_id}"
    process = process_for_change(
        session=session, process_id=process_id, action="process.publish", target=target
    )
    if process.published_at is not None:
        raise Conflict(
            "The process is published already.",
            code="already_published",
            audit=("process.publish", target),
        )
    process.published_at = now or utcnow()
    process.updated_at = process.published_at
    session.add(process)
    audit.append(
        session=session,
        actor=actor,
        action="process.publish",
        target=target,
        detail={"at": process.published_at.isoformat()},
    )
    return process


def create_process(*, session: Session, actor: Actor, data: ProcessCreate) -> Process:
    values = data.model_dump(exclude={"confirm_window"})
    check_window_plausible(
        {k: values[k] for k in WINDOW_FIELDS}, confirmed=data.confirm_window, zone=data.time_zone
    )
    process = Process(**values, phase=Phase.design.value, created_by_id=actor.user_id)
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
    target = f"process:{process_id}"
    process = process_for_change(
        session=session,
        process_id=process_id,
        allowed=PROCESS_EDIT,
        action="process.update",
        target=target,
    )
    fields: dict[str, Any] = changes.model_dump(exclude_unset=True)
    confirmed = bool(fields.pop("confirm_window", False))
    for field in sorted(fields):
        rule = (
            PROCESS_RULES
            if field in RULE_FIELDS
            else VOTING_WINDOW_SET
            if field in WINDOW_FIELDS
            else TIME_ZONE
            if field == ZONE_FIELD and fields[field] != process.time_zone
            else None
        )
        if rule is not None and not rule.allows(process.phase):
            refusal = rule.refusal(process, action="process.update", target=target)
            refusal.field = field
            raise refusal
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
    moved = {k: v for k, v in fields.items() if k in WINDOW_FIELDS and v != getattr(process, k)}
    check_window_plausible(
        moved,
        confirmed=confirmed,
        zone=fields.get("time_zone", process.time_zone),
        audit_as=("process.update", target),
    )
    method = fields.get("count_method", process.count_method)
    if method == "stv" and not fields.get("count_seats", process.count_seats):
        raise Conflict(
            "count_seats (how many projects stv elects) is needed for stv.",
            field="count_seats",
            code="invalid_rules",
        )
    if not support_applies(method, fields.get("count_min_support", process.count_min_support)):
        raise Conflict(SUPPORT_REFUSED + ".", field="count_min_support", code="invalid_rules")
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


def _acknowledged(
    process: Process, to: Phase, found: list[str], note: str, seen: str | None, target: str
) -> None:
    """A move with differences (phases.differences) goes ahead only with a written note,
    and only for the differences the organizer was shown (`seen`, when the form says)."""
    action = f"process.transition.{to.value}"
    extra = {"differences": [str(f) for f in found]}
    if seen is not None and seen != differences_key(found):
        raise Conflict(
            "The count's differences have changed since this page was made: read them "
            "again before acknowledging them."
            + (f" Now: {' '.join(found)}" if found else " There are none now."),
            field="note",
            code="differences_changed",
            extra=extra,
            audit=(action, target),
        )
    if found and not note:
        raise BadInput(
            f"note: moving process {process.id} to {to.value} needs a written note "
            f"acknowledging {'this difference' if len(found) == 1 else 'these differences'}, "
            f"kept with the results: {' '.join(found)}",
            field="note",
            code="note_needed",
            extra=extra,
            audit=(action, target),
        )


def transition(
    *,
    session: Session,
    actor: Actor,
    process_id: int,
    to: Phase,
    reason: str,
    note: str = "",
    seen: str | None = None,
) -> PhaseTransition:
    """One step forward. A move with differences to acknowledge (the count's, before
    funding) needs `note`; `seen` is the fingerprint of the differences the page showed."""
    # Row lock: two organizers pressing the button at once make one transition, not two;
    # and a move to funding waits for the ballots being cast (their shared lock).
    process = process_for_change(session=session, process_id=process_id)
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
    # Read after the lock, so sheets, check-ins and casts committed before it are counted.
    found = differences(session, process, to)
    note = note.strip()[:4000]
    _acknowledged(process, to, found, note, seen, target)
    note = note if found else ""  # a note acknowledges differences: none, nothing to keep
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
        note=note or None,
        differences=[{"text": str(f), "key": f.key, "values": f.values} for f in found] or None,
    )
    session.add_all([process, record])
    session.flush()
    acknowledged = {"note": note, "differences": [str(f) for f in found]} if note else {}
    audit.append(
        session=session,
        actor=actor,
        action=f"process.transition.{to.value}",
        target=target,
        detail={"from": current.value, "reason": reason[:500], **acknowledged},
    )
    return record


def acknowledgement_of(*, session: Session, process_id: int) -> PhaseTransition | None:
    """The move to funding, where it carries a note acknowledging the count's differences:
    shown with the results."""
    return session.execute(
        select(PhaseTransition).where(
            PhaseTransition.process_id == process_id,
            PhaseTransition.to_phase == Phase.funding.value,
            PhaseTransition.note.is_not(None),  # type: ignore[union-attr]
        )
    ).scalar_one_or_none()


def transitions_of(*, session: Session, process_id: int) -> list[PhaseTransition]:
    get_process(session=session, process_id=process_id)
    return list(
        session.execute(
            select(PhaseTransition)
            .where(PhaseTransition.process_id == process_id)
            .order_by(PhaseTransition.at, PhaseTransition.id)
        ).scalars()
    )


def window_of(process: Process) -> str:
    """The voting window as a form carries it: what the form was made for."""
    moments = (process.voting_opens_at, process.voting_closes_at)
    return "/".join(str(int(at.timestamp())) if at else "" for at in moments)


def change_window(
    *,
    session: Session,
    actor: Actor,
    process_id: int,
    closes_at: datetime | None,
    reason: str,
    opens_at: datetime | None = None,
    now: datetime | None = None,
    made_for: str | None = None,
    move_site_hours: bool = False,
) -> WindowChange:
    """Extend or shorten the voting window while voting is open, with a reason that
    residents read; `closes_at=None` ends voting now. A counted process (funding, closed)
    never reopens, and the new close cannot be in the past. The opening moves only while
    it is still ahead (a process put in voting months before its window), never once
    ballots may exist. `move_site_hours`: on an extension, the voting sites that closed
    with the old window close with the new one (audited as `site.hours`)."""
    target = f"process:{process_id}"
    process = process_for_change(
        session=session,
        process_id=process_id,
        allowed=VOTING_WINDOW_CHANGE,
        action="process.window",
        target=target,
    )
    now = now or utcnow()
    reason = reason.strip()

    def refuse(message: str, code: str, field: str = "voting_closes_at") -> Conflict:
        return Conflict(message, field=field, code=code, audit=("process.window", target))

    if made_for is not None and made_for != window_of(process):
        # A form made for another window (Back, reload, a second tab): it changes nothing.
        raise refuse(
            "The voting window has changed since this form was made; "
            f"voting now closes at {local_time(process, process.voting_closes_at)}."
            if process.voting_closes_at
            else "The voting window has changed since this form was made.",
            "window_changed",
        )
    if not reason:
        raise BadInput(
            "Say why the voting window moves: residents read the reason.",
            field="reason",
            audit=("process.window", target),
        )
    opened = process.voting_opens_at is None or process.voting_opens_at <= now
    if opens_at is not None and opens_at != process.voting_opens_at and opened:
        raise refuse(
            "Voting has opened already: its opening cannot move, only its close.",
            "window_started",
            "voting_opens_at",
        )
    new_opens = process.voting_opens_at if opens_at is None else opens_at
    closes_at = now if closes_at is None else closes_at
    if closes_at < now:
        raise refuse(
            f"The new close ({local_time(process, closes_at)}) is in the past; "
            "voting cannot end before now.",
            "window_in_past",
        )
    if new_opens and closes_at <= new_opens:
        raise refuse("voting_closes_at must be after voting_opens_at.", "invalid_window")
    if closes_at == process.voting_closes_at and new_opens == process.voting_opens_at:
        raise Conflict(
            f"Voting already closes at {local_time(process, closes_at)}.",
            field="voting_closes_at",
            code="window_unchanged",
        )
    change = WindowChange(
        process_id=process.id,
        old_closes_at=process.voting_closes_at,
        new_closes_at=closes_at,
        old_opens_at=process.voting_opens_at,
        new_opens_at=new_opens,
        actor_id=actor.user_id,
        reason=reason[:2000],
        at=now,
    )
    moved = []
    old_close = process.voting_closes_at
    if move_site_hours and old_close is not None and closes_at > old_close:
        moved = sites_closing_at(session=session, process_id=process.id, at=old_close)
        for site in moved:
            site.closes_at = closes_at
    process.voting_opens_at, process.voting_closes_at = new_opens, closes_at
    process.updated_at = now
    session.add_all([process, change, *moved])
    session.flush()
    if moved:
        audit.append(
            session=session,
            actor=actor,
            action="site.hours",
            target=target,
            detail={
                "sites": [site.id for site in moved],
                "closes": [old_close.isoformat(), closes_at.isoformat()],
                "why": "the voting window was extended",
            },
        )

    def said(at: datetime | None) -> str | None:
        return at.isoformat() if at else None

    audit.append(
        session=session,
        actor=actor,
        action="process.window",
        target=target,
        detail={
            "closes": [said(change.old_closes_at), said(closes_at)],
            "opens": [said(change.old_opens_at), said(new_opens)],
            "reason": reason[:500],
        },
    )
    return change


def sites_closing_at(*, session: Session, process_id: int, at: datetime) -> list[Site]:
    """The voting sites whose hours end at `at` (the window's close): those an extension
    of the window may take along."""
    return list(
        session.execute(
            select(Site)
            .where(
                Site.process_id == process_id,
                Site.kind == SiteKind.voting_site.value,
                Site.closes_at == at,
            )
            .order_by(Site.id)
        ).scalars()
    )


def window_changes(*, session: Session, process_id: int) -> list[WindowChange]:
    """The moves of the voting window, oldest first."""
    return list(
        session.execute(
            select(WindowChange)
            .where(WindowChange.process_id == process_id)
            .order_by(WindowChange.at, WindowChange.id)
        ).scalars()
    )


def archive_process(
    *, session: Session, actor: Actor, process_id: int, archived: bool, reason: str = ""
) -> Process:
    """Archive (or bring back) a process: no longer listed for residents or organizers,
    kept for the record and reachable by its address. Never while voting is open."""
    target = f"process:{process_id}"
    action = "process.archive" if archived else "process.unarchive"
    process = process_for_change(
        session=session,
        process_id=process_id,
        allowed=ARCHIVING if archived else None,
        action=action,
        target=target,
    )
    if (process.archived_at is not None) == archived:
        raise Conflict(
            "The process is already archived." if archived else "The process is not archived.",
            code="archive_unchanged",
        )
    if archived and not reason.strip():
        raise BadInput(
            "Say why the process is archived: the reason is recorded in the audit log.",
            field="reason",
            code="archive_reason_missing",
            audit=(action, target),
        )
    process.archived_at = utcnow() if archived else None
    session.add(process)
    audit.append(
        session=session,
        actor=actor,
        action=action,
        target=target,
        detail={"reason": reason.strip()[:500]},
    )
    return process


# Columns a copy never takes from the old process's rows: its own identity and times.
_NOT_COPIED = frozenset({"id", "process_id", "created_at", "updated_at"})


def _copy_rows(session: Session, model: Any, source_id: int, copy_id: int, **reset: Any) -> int:
    rows = session.execute(select(model).where(model.process_id == source_id)).scalars().all()
    columns = [c.key for c in model.__table__.columns if c.key not in _NOT_COPIED]
    for row in rows:
        values = {key: getattr(row, key) for key in columns}
        session.add(model(**{**values, **reset}, process_id=copy_id))
    session.flush()
    return len(rows)


def copied_translations(
    old: dict[str, dict[str, str]], names: dict[str, str]
) -> dict[str, dict[str, str]]:
    """The copy's name and description in other languages: only where the organizer gave
    the new name. Last cycle's translated name carries last cycle's year ("…2027" in a 2028
    process), and no rule can rewrite a year in every language reliably, so a language
    left without a new name has none (its readers see the main name) until it is added."""
    kept = {}
    for code, name in names.items():
        if name.strip():
            own = old.get(code, {})
            kept[code] = {"name": name.strip(), "description": own.get("description", "")}
    return kept


def copy_process(
    *,
    session: Session,
    actor: Actor,
    process_id: int,
    name: str,
    names: dict[str, str] | None = None,
) -> Process:
    """A new process in design with an old one's set-up: its rules, count, languages,
    time zone, sites, criteria, voting and paper rules, and its name in the other
    languages given in `names` (see `copied_translations`). Not its voting window, ideas,
    proposals, ballots or access codes."""
    source = get_process(session=session, process_id=process_id)
    data = ProcessCreate(
        name=name,
        description=source.description,
        budget_cents=source.budget_cents,
        currency=source.currency,
        ballot_size=source.ballot_size,
        languages=list(source.languages),
        translations=copied_translations(source.translations or {}, names or {}),
        time_zone=source.time_zone,
        count_method=source.count_method,
        count_seats=source.count_seats,
        count_fill=source.count_fill,
        count_min_support=source.count_min_support,
        count_exclusive=source.count_exclusive,
        tie_break=source.tie_break,
    )
    copy = create_process(session=session, actor=actor, data=data)
    # The old process's criteria replace the defaults a new process starts with.
    for seeded in session.execute(select(Criterion).where(Criterion.process_id == copy.id)):
        session.delete(seeded[0])
    session.flush()
    copied = {
        "criteria": _copy_rows(session, Criterion, source.id, copy.id),
        # An event's or a site's dates were the old cycle's.
        "sites": _copy_rows(session, Site, source.id, copy.id, opens_at=None, closes_at=None),
        "voting_rules": _copy_rows(session, VotingRules, source.id, copy.id),
        "paper_rules": _copy_rows(session, PaperRules, source.id, copy.id),
    }
    audit.append(
        session=session,
        actor=actor,
        action="process.copy",
        target=f"process:{copy.id}",
        detail={"from": source.id, **copied},
    )
    return copy


def counts_of(*, session: Session, process_id: int) -> dict[str, int]:
    """What a process holds so far, for its organizers' overview."""

    def n(model: Any, *where: Any) -> int:
        query = select(func.count()).select_from(model).where(model.process_id == process_id)
        return session.execute(query.where(*where)).scalar_one()

    return {
        "sites": n(Site),
        "criteria": n(Criterion),
        "ideas": n(Idea, Idea.status == "visible"),
        "proposals": n(Proposal),
        "on_ballot": n(Proposal, Proposal.status == "approved"),
    }
