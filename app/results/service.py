"""Results: the count of a process's stored ballots with its rules, frozen at funding,
and public once an organizer publishes it (now or at a set moment).

Project ids in a count are the proposals' ballot numbers (as text): the numbers voters
saw on paper, and the ids in the published ballots.pb. Ballots are published in an
order drawn from the tie-break seed and each ballot's random key, so the file is the
same every time it is made (its SHA-256 is stored with the official result) and says
nothing about when or where anyone voted.
"""

import copy
import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app import audit
from app.audit import SYSTEM
from app.db import read_for_change, utcnow
from app.errors import BadInput, Conflict, Forbidden
from app.exports.pabulib import PbProject, write_pabulib
from app.paper.service import paper_ballots
from app.processes.models import Process
from app.processes.phases import (
    COUNTING,
    RESULT_PUBLISHING,
    Phase,
    local_time,
    on_enter,
    process_for_change,
)
from app.proposals.models import Proposal
from app.proposals.service import ballot_proposals
from app.results.models import OfficialResult
from app.tally import Rules, TallyError, TallyResult, TieBreak, tally
from app.tally.rules import SUPPORT_METHODS, MinSupport
from app.users.models import Role, User
from app.voting.service import ballots_of


@dataclass(frozen=True)
class CountInput:
    process: Process
    proposals: list[Proposal]  # the ballot, in ballot-number order
    ballots: list[tuple[tuple[str, ...], str]]  # (ballot numbers best first, channel)
    rules: Rules


def tie_break_of(process: Process) -> TieBreak:
    if process.tie_break == "lexicographic":
        return TieBreak.lexicographic()
    if not process.tie_break_seed:
        raise Conflict(
            "The tie-break seed is drawn when voting opens; there is no count before that.",
            code="no_seed",
        )
    return TieBreak(seed=process.tie_break_seed)


def count_input(*, session: Session, process: Process) -> CountInput:
    COUNTING.require(process, action=None)
    proposals = ballot_proposals(session=session, process_id=process.id)
    number = {p.id: str(p.ballot_number) for p in proposals}
    keyed: list[tuple[str, tuple[str, ...], str]] = [
        (ballot.id, tuple(number[pid] for pid in ballot.ranking), ballot.channel)
        for ballot in ballots_of(session=session, process_id=process.id)
    ]
    keyed += [
        (f"paper:{b.key}", tuple(number[pid] for pid in b.ranking), "paper")
        for b in paper_ballots(session=session, process=process)
    ]
    seed = process.tie_break_seed or ""
    keyed.sort(key=lambda k: hashlib.sha256(f"{seed}:{k[0]}".encode()).hexdigest())
    try:
        rules = Rules(
            budget=process.budget_cents,
            costs={number[p.id]: p.cost_cents for p in proposals},
            tie_break=tie_break_of(process),
            method=process.count_method,
            ballot_size=process.ballot_size,
            seats=process.count_seats if process.count_method == "stv" else None,
            fill=process.count_fill,
            min_support=min_support_of(process),
            exclusive=tuple(tuple(map(str, group)) for group in process.count_exclusive),
        )
    except TallyError as exc:
        raise _refused(exc) from exc
    return CountInput(
        process=process,
        proposals=proposals,
        ballots=[(ranking, channel) for _, ranking, channel in keyed],
        rules=rules,
    )


def run_count(source: CountInput) -> TallyResult:
    if not source.ballots:
        raise Conflict("No ballots have been cast yet.", code="no_ballots")
    try:
        return tally(ballots=Counter(source.ballots), rules=source.rules)
    except TallyError as exc:
        raise _refused(exc) from exc


def _refused(exc: TallyError) -> Conflict:
    return Conflict(f"The ballots cannot be counted with these rules: {exc}", code="count_refused")


def ballots_file(source: CountInput, result: TallyResult | None) -> str:
    """The anonymised ballots as pabulib .pb, with the result when there is one."""
    process = source.process
    scores = {line.project: line.score for line in result.projects} if result else {}
    selected = set(result.selected) if result else set()
    projects = [
        PbProject(
            project_id=str(p.ballot_number),
            cost_cents=p.cost_cents,
            name=p.title,
            votes=_whole(scores.get(str(p.ballot_number))) if result else None,
            selected=(str(p.ballot_number) in selected) if result else None,
        )
        for p in source.proposals
    ]
    meta = {
        "description": process.name,
        "unit": process.name,
        "instance": str(process.id),
        "currency": process.currency,
        "language": process.languages[0] if process.languages else "en",
        "rule": process.count_method,
        "tie_break": source.rules.tie_break.label(),
        # Read back by pbvote tally, as the default of --min-support.
        "min_support": process.count_min_support,
        "comment": (
            "Recount: pbvote tally FILE.pb --method "
            f"{process.count_method} --tie-break {source.rules.tie_break.label()}"
            + (f" --seats {process.count_seats}" if process.count_method == "stv" else "")
            + (f" --fill {process.count_fill}" if process.count_fill != "skip" else "")
            + (
                f" --min-support {process.count_min_support}"
                if min_support_of(process) != MinSupport()
                else ""
            )
        ),
    }
    return write_pabulib(
        meta=meta,
        budget_cents=process.budget_cents,
        projects=projects,
        ballots=source.ballots,
        ballot_size=process.ballot_size,
        exclusive=source.rules.exclusive,
    )


def min_support_of(process: Process) -> MinSupport:
    """The process's minimum support; irv and stv count without one."""
    if process.count_method not in SUPPORT_METHODS:
        return MinSupport()
    return MinSupport.parse(process.count_min_support)


def _whole(score: Any) -> int | None:
    return int(score) if score is not None and int(score) == score else None


def result_view(
    *,
    process: Process,
    proposals: list[Proposal],
    result: dict[str, Any],
    official: OfficialResult | None,
    preview: bool,
) -> dict[str, Any]:
    """The result as served: the count's dict with the proposals' titles added."""
    titles = {str(p.ballot_number): p for p in proposals}
    body = copy.deepcopy(result)
    for line in body["projects"]:  # type: ignore[union-attr]
        proposal = titles[line["project"]]
        line.update(
            ballot_number=proposal.ballot_number, proposal_id=proposal.id, title=proposal.title
        )
    view: dict[str, Any] = {
        "process_id": process.id,
        "official": official is not None,
        "preview": preview,
        "result": body,
    }
    if preview:
        view["message"] = (
            "Preview while voting is open: it will change, and paper batches "
            "that are not closed yet are not in it."
        )
    if official is not None:
        view["computed_at"] = official.computed_at.isoformat()
        view["ballots_sha256"] = official.ballots_sha256
        if official.audit_head is not None:
            view["audit_head"] = official.audit_head
            view["audit_head_seq"] = official.audit_head_seq
    return view


def official_of(*, session: Session, process_id: int) -> OfficialResult | None:
    return session.get(OfficialResult, process_id)


@on_enter(Phase.funding)
def _freeze_official_result(session: Session, process: Process, now: datetime) -> None:
    """The count becomes official with the move to funding, in the same transaction."""
    session.flush()
    source = count_input(session=session, process=process)
    result = run_count(source)
    published = ballots_file(source, result).encode()
    official = OfficialResult(
        process_id=process.id,
        result=result.to_dict(),
        ballots_counted=result.ballots_counted,
        ballots_sha256=hashlib.sha256(published).hexdigest(),
        ballots_file=published.decode(),
        computed_at=now,
    )
    session.add(official)
    session.flush()
    entry = audit.append(
        session=session,
        actor=SYSTEM,
        action="results.official",
        target=f"process:{process.id}",
        detail={
            "ballots": result.ballots_counted,
            "selected": list(result.selected),
            "sha256": hashlib.sha256(published).hexdigest(),
        },
    )
    official.audit_head, official.audit_head_seq = entry.hash, entry.seq
    session.add(official)
    session.flush()


def is_published(official: OfficialResult | None, now: datetime) -> bool:
    """The official result is public: published, and its moment has come. Read against
    the clock every time, so a publication set for 9:00 needs no job to run at 9:00 and
    every app instance agrees."""
    return official is not None and official.publish_at is not None and official.publish_at <= now


def not_published(process: Process, official: OfficialResult | None) -> Forbidden:
    """The refusal of an official result not public yet, saying when it will be."""
    if official is None:
        message = "Results are published when the process enters funding."
    elif official.publish_at is not None:
        message = (
            f"The official result will be published at {local_time(process, official.publish_at)}."
        )
    else:
        message = "The official result is counted but not published yet."
    return Forbidden(message, code="not_published")


def official_for(
    *, session: Session, process: Process, user: User | None, now: datetime | None = None
) -> OfficialResult | None:
    """The official result as this reader may have it: None before the count; refused
    (403, saying when) while not published, except to organizers."""
    official = official_of(session=session, process_id=process.id)
    if (
        official is not None
        and not _organizer(user)
        and not is_published(official, now or utcnow())
    ):
        raise not_published(process, official)
    return official


def _organizer(user: User | None) -> bool:
    return user is not None and user.role == Role.organizer.value


def results_for(
    *, session: Session, process: Process, user: User | None, now: datetime | None = None
) -> dict[str, Any]:
    """The official result once published (before that, for organizers only); before
    funding a preview, for organizers only."""
    now = now or utcnow()
    official = official_for(session=session, process=process, user=user, now=now)
    if official is not None:
        # The stored count needs only the proposals' names, not the ballots again.
        proposals = ballot_proposals(session=session, process_id=process.id)
        view = result_view(
            process=process,
            proposals=proposals,
            result=official.result,
            official=official,
            preview=False,
        )
        view["published"] = is_published(official, now)
        view["publish_at"] = official.publish_at.isoformat() if official.publish_at else None
        return view
    COUNTING.require(process, action=None)
    if not _organizer(user):
        raise not_published(process, None)
    source = count_input(session=session, process=process)
    view = result_view(
        process=process,
        proposals=source.proposals,
        result=run_count(source).to_dict(),
        official=None,
        preview=True,
    )
    view["published"], view["publish_at"] = False, None
    return view


def publish_result(
    *,
    session: Session,
    actor: audit.Actor,
    process_id: int,
    at: datetime | None = None,
    now: datetime | None = None,
) -> OfficialResult:
    """Publish the official result now (`at=None`) or at a set moment, audited. A moment
    set earlier may be moved, or brought forward to now, until it has come; a published
    result stays published."""
    target = f"process:{process_id}"
    now = now or utcnow()
    process = process_for_change(
        session=session,
        process_id=process_id,
        allowed=RESULT_PUBLISHING,
        action="results.publish",
        target=target,
    )
    official = read_for_change(session, OfficialResult, process.id)
    if official is None:
        raise Conflict(
            "There is no official result yet: it is counted when the process enters funding.",
            code="not_counted",
            audit=("results.publish", target),
        )
    if is_published(official, now):
        raise Conflict(
            f"The official result was published at {local_time(process, official.publish_at)}.",
            code="already_published",
            audit=("results.publish", target),
        )
    if at is not None and at < now:
        raise BadInput(
            f"The moment to publish ({local_time(process, at)}) is in the past; "
            "choose a later time, or publish now.",
            field="publish_at",
            code="publish_in_past",
            audit=("results.publish", target),
        )
    official.publish_at = at or now
    session.add(official)
    session.flush()
    audit.append(
        session=session,
        actor=actor,
        action="results.publish",
        target=target,
        detail={"at": official.publish_at.isoformat(), "scheduled": at is not None},
    )
    return official
