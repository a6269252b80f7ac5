"""Paper ballots: batches per site, double entry, adjudication, closing, reconciliation.

Poll workers type each sheet in twice (two different people); agreeing passes settle
the sheet, differing ones wait for an organizer, who records the final raw marks with
a reason. Raw marks are never changed by the rules: the ranking is derived from the
settled marks at count time with the process's published rules (app.paper.interpret),
so the rules in force are always the ones applied to every sheet.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app import audit
from app.audit import Actor
from app.db import read_for_change, utcnow
from app.errors import BadInput, Conflict, Forbidden, NotFound
from app.paper.csv_format import CsvProblem, SheetPass, parse_csv
from app.paper.interpret import Mark, OvervoteRule, SkippedRankRule, interpret
from app.paper.interpret import PaperRules as Rules
from app.paper.models import (
    BatchStatus,
    PaperBatch,
    PaperEntry,
    PaperImport,
    PaperRules,
    PaperSheet,
    SheetState,
)
from app.processes.models import Process
from app.processes.phases import (
    PAPER_ENTRY,
    PAPER_RULES,
    Phase,
    Waiting,
    acknowledge,
    get_process,
    guard,
    process_for_change,
)
from app.proposals.service import ballot_proposals
from app.sites.models import Site, SiteKind
from app.users.models import Role, User
from app.voting.models import Ballot, Channel, Participation, PollWorkerSite
from app.web import i18n

# --- rules -------------------------------------------------------------------------


def get_rules(*, session: Session, process_id: int) -> PaperRules:
    get_process(session=session, process_id=process_id)
    return session.get(PaperRules, process_id) or PaperRules(process_id=process_id)


def put_rules(
    *,
    session: Session,
    user: User,
    process_id: int,
    overvote: OvervoteRule,
    skipped_rank: SkippedRankRule,
) -> PaperRules:
    process_for_change(
        session=session, process_id=process_id, allowed=PAPER_RULES, action="paper.rules"
    )
    rules = session.get(PaperRules, process_id) or PaperRules(process_id=process_id)
    rules.overvote, rules.skipped_rank, rules.updated_at = (
        overvote.value,
        skipped_rank.value,
        utcnow(),
    )
    audit.saved(
        session,
        rules,
        actor=Actor.of(user),
        action="paper.rules",
        target=f"process:{process_id}",
        detail={"overvote": overvote.value, "skipped_rank": skipped_rank.value},
    )
    return rules


def interpretation_rules(rules: PaperRules) -> Rules:
    return Rules(
        overvote=OvervoteRule(rules.overvote), skipped_rank=SkippedRankRule(rules.skipped_rank)
    )


def describe_rules(rules: PaperRules) -> list[str]:
    overvote = {
        "skip_rank": "Two or more proposals at one rank: that rank is passed over.",
        "end_ballot": "Two or more proposals at one rank: the ballot ends there.",
    }
    skipped = {
        "close_gap": "A rank left empty: the later ranks move up.",
        "end_ballot": "A rank left empty: the ballot ends there.",
    }
    return [
        overvote[rules.overvote],
        skipped[rules.skipped_rank],
        "A proposal ranked more than once keeps its best rank.",
        "A number that is not on the ballot is ignored.",
        "Only the first ranks, up to the ballot size, are counted.",
        "A blank or unreadable sheet counts in turnout, not in the tally.",
    ]


# --- batches -----------------------------------------------------------------------


def _may_work_at(session: Session, user: User, site_id: int, action: str) -> None:
    if user.role == Role.organizer.value:
        return
    if (
        user.role != Role.poll_worker.value
        or session.get(PollWorkerSite, (site_id, user.id)) is None
    ):
        raise Forbidden(
            "Only an organizer or a poll worker assigned to this site may do this.",
            code="not_assigned",
            audit=(action, f"site:{site_id}"),
        )


def create_batch(
    *, session: Session, user: User, process_id: int, site_id: int, declared_sheets: int
) -> PaperBatch:
    process_for_change(
        session=session,
        process_id=process_id,
        allowed=PAPER_ENTRY,
        action="paper.batch.create",
        shared=True,
    )
    site = session.get(Site, site_id)
    if site is None or site.process_id != process_id:
        raise NotFound("There is no such voting site in this process.", field="site_id")
    if site.kind != SiteKind.voting_site.value:
        raise BadInput(
            f"{site.name} is an idea-collection event, not a voting site.", field="site_id"
        )
    _may_work_at(session, user, site_id, "paper.batch.create")
    batch = PaperBatch(
        process_id=process_id,
        site_id=site_id,
        declared_sheets=declared_sheets,
        created_by_id=user.id,
    )
    audit.saved(
        session,
        batch,
        actor=Actor.of(user),
        action="paper.batch.create",
        target=f"paper_batch:{batch.id}",
        detail={"site_id": site_id, "declared_sheets": declared_sheets},
    )
    return batch


def get_batch(*, session: Session, batch_id: int) -> PaperBatch:
    batch = session.get(PaperBatch, batch_id)
    if batch is None:
        raise NotFound(f"There is no paper batch {batch_id}.", field="batch_id")
    return batch


def list_batches(
    *, session: Session, process_id: int, user: User | None = None
) -> list[PaperBatch]:
    """The process's batches; for a poll worker (`user`), those of their own sites only."""
    get_process(session=session, process_id=process_id)
    query = select(PaperBatch).where(PaperBatch.process_id == process_id)
    if user is not None and user.role != Role.organizer.value:
        if user.role != Role.poll_worker.value:
            raise Forbidden(
                "Paper batches are for organizers and the poll workers of their site.",
                audit=("paper.read", f"process:{process_id}"),
            )
        query = query.join(
            PollWorkerSite,
            (PollWorkerSite.site_id == PaperBatch.site_id) & (PollWorkerSite.user_id == user.id),
        )
    return list(session.execute(query.order_by(PaperBatch.id)).scalars())


def readable_batch(*, session: Session, user: User, batch_id: int) -> PaperBatch:
    """The batch, for an organizer or a poll worker of its site; 403 for anyone else."""
    batch = get_batch(session=session, batch_id=batch_id)
    _may_work_at(session, user, batch.site_id, "paper.read")
    return batch


def sheet_counts(*, session: Session, batch: PaperBatch) -> dict[str, int]:
    rows = session.execute(
        select(PaperSheet.state, func.count())
        .where(PaperSheet.batch_id == batch.id)
        .group_by(PaperSheet.state)
    ).all()
    counts = {state.value: 0 for state in SheetState} | {state: n for state, n in rows}
    counts["missing"] = batch.declared_sheets - sum(counts[s.value] for s in SheetState)
    return counts


def _open_batch(session: Session, user: User, batch_id: int, action: str) -> PaperBatch:
    """The batch read for a change: its process first (shared: a move to funding waits for
    the sheets being typed, and none is typed after it), then the batch itself, locked and
    re-read (entries, closing and excluding one batch happen one at a time, and a batch
    closed a moment ago by someone else reads as closed)."""
    seen = get_batch(session=session, batch_id=batch_id)  # its site and process never change
    _may_work_at(session, user, seen.site_id, action)
    process_for_change(
        session=session,
        process_id=seen.process_id,
        allowed=PAPER_ENTRY,
        action=action,
        target=f"paper_batch:{batch_id}",
        shared=True,
    )
    batch = read_for_change(session, PaperBatch, batch_id)
    if batch.status != BatchStatus.open.value:
        raise Conflict(
            f"Paper batch {batch.id} is {batch.status} and read-only.",
            code="batch_not_open",
            audit=(action, f"paper_batch:{batch.id}"),
        )
    return batch


# --- double entry ------------------------------------------------------------------


def _canonical(marks: Iterable[Mark]) -> list[list[int]]:
    return sorted([m.rank, m.ballot_number] for m in marks)


def enter_sheet(
    *,
    session: Session,
    user: User,
    batch_id: int,
    sheet: int,
    marks: list[Mark],
    blank: bool,
    unreadable: bool,
) -> tuple[int, SheetState]:
    batch = _open_batch(session, user, batch_id, "paper.entry")
    return _enter(session, user, batch, sheet, marks, blank, unreadable)


def _enter(
    session: Session,
    user: User,
    batch: PaperBatch,
    sheet: int,
    marks: list[Mark],
    blank: bool,
    unreadable: bool,
) -> tuple[int, SheetState]:
    target = f"paper_batch:{batch.id}"
    if not 1 <= sheet <= batch.declared_sheets:
        raise BadInput(
            f"Sheet {sheet} is beyond this batch: its sheets are numbered 1 to "
            f"{batch.declared_sheets}.",
            field="sheet",
        )
    earlier = list(
        session.execute(
            select(PaperEntry)
            .where(PaperEntry.batch_id == batch.id, PaperEntry.sheet == sheet)
            .order_by(PaperEntry.pass_number)
        ).scalars()
    )
    if len(earlier) >= 2:
        raise Conflict(
            f"Sheet {sheet} has been typed in twice already; if the two differ, an "
            "organizer resolves it.",
            code="third_pass",
            field="sheet",
            audit=("paper.entry", target),
        )
    if earlier and earlier[0].entered_by_id == user.id:
        raise Conflict(
            f"You typed in sheet {sheet} already; the second pass must be typed by another person.",
            code="same_person",
            field="sheet",
            audit=("paper.entry", target),
        )
    entry = PaperEntry(
        batch_id=batch.id,
        sheet=sheet,
        pass_number=len(earlier) + 1,
        marks=_canonical(marks),
        blank=blank,
        unreadable=unreadable,
        entered_by_id=user.id,
    )
    try:
        with session.begin_nested():
            session.add(entry)
    except IntegrityError:
        raise Conflict(
            f"Someone else typed in sheet {sheet} at the same moment; reload and try again.",
            code="entry_race",
            field="sheet",
        ) from None
    state = _settle(session, batch, sheet, earlier[0] if earlier else None, entry)
    audit.append(
        session=session,
        actor=Actor.of(user),
        action="paper.entry",
        target=target,
        detail={"sheet": sheet, "pass": entry.pass_number, "state": state.value},
    )
    return entry.pass_number, state


def _same(a: PaperEntry, b: PaperEntry) -> bool:
    return (a.marks, a.blank, a.unreadable) == (b.marks, b.blank, b.unreadable)


def _settle(
    session: Session,
    batch: PaperBatch,
    sheet: int,
    first: PaperEntry | None,
    second: PaperEntry,
) -> SheetState:
    row = session.get(PaperSheet, (batch.id, sheet)) or PaperSheet(
        batch_id=batch.id, sheet=sheet, state=""
    )
    if first is None:
        row.state = SheetState.pending.value
    elif _same(first, second):
        row.state = SheetState.settled.value
        row.marks, row.blank, row.unreadable = second.marks, second.blank, second.unreadable
    else:
        row.state = SheetState.disputed.value
    session.add(row)
    session.flush()
    return SheetState(row.state)


def discrepancies(
    *, session: Session, user: User, batch_id: int
) -> list[tuple[int, list[PaperEntry]]]:
    batch = get_batch(session=session, batch_id=batch_id)
    _may_work_at(session, user, batch.site_id, "paper.discrepancies")
    sheets = (
        session.execute(
            select(PaperSheet.sheet)
            .where(PaperSheet.batch_id == batch_id, PaperSheet.state == SheetState.disputed.value)
            .order_by(PaperSheet.sheet)
        )
        .scalars()
        .all()
    )
    entries = (
        session.execute(
            select(PaperEntry)
            .where(PaperEntry.batch_id == batch_id, PaperEntry.sheet.in_(sheets))
            .order_by(PaperEntry.sheet, PaperEntry.pass_number)
        )
        .scalars()
        .all()
    )
    by_sheet: dict[int, list[PaperEntry]] = {s: [] for s in sheets}
    for entry in entries:
        by_sheet[entry.sheet].append(entry)
    return list(by_sheet.items())


def resolve_sheet(
    *,
    session: Session,
    user: User,
    batch_id: int,
    sheet: int,
    marks: list[Mark],
    blank: bool,
    unreadable: bool,
    reason: str,
) -> PaperSheet:
    batch = _open_batch(session, user, batch_id, "paper.resolve")
    row = session.get(PaperSheet, (batch.id, sheet))
    if row is None or row.state != SheetState.disputed.value:
        state = row.state if row else "not typed in yet"
        raise Conflict(
            f"Sheet {sheet} is {state}; only a sheet whose two passes differ is "
            "resolved by an organizer.",
            code="not_disputed",
            field="sheet",
        )
    row.state = SheetState.settled.value
    row.marks, row.blank, row.unreadable = _canonical(marks), blank, unreadable
    row.resolved_by_id, row.resolution_reason, row.resolved_at = user.id, reason, utcnow()
    audit.saved(
        session,
        row,
        actor=Actor.of(user),
        action="paper.resolve",
        target=f"paper_batch:{batch.id}",
        detail={
            "sheet": sheet,
            "reason": reason[:500],
            "marks": row.marks,
            "blank": blank,
            "unreadable": unreadable,
        },
    )
    return row


def close_batch(*, session: Session, user: User, batch_id: int) -> PaperBatch:
    batch = _open_batch(session, user, batch_id, "paper.batch.close")
    counts = sheet_counts(session=session, batch=batch)
    if counts["settled"] != batch.declared_sheets:
        problems = [
            f"{counts[k]} {label}"
            for k, label in (
                ("missing", "not typed in"),
                ("pending", "typed in once"),
                ("disputed", "with differing passes"),
            )
            if counts[k]
        ]
        raise Conflict(
            f"Batch {batch.id} declares {batch.declared_sheets} sheets and "
            f"{counts['settled']} are settled ({', '.join(problems)}); every sheet "
            "must be settled before the batch closes.",
            code="batch_incomplete",
            extra={"sheets": counts},
            audit=("paper.batch.close", f"paper_batch:{batch.id}"),
        )
    batch.status, batch.closed_at, batch.closed_by_id = BatchStatus.closed.value, utcnow(), user.id
    session.add(batch)
    audit.append(
        session=session,
        actor=Actor.of(user),
        action="paper.batch.close",
        target=f"paper_batch:{batch.id}",
        detail={"sheets": batch.declared_sheets},
    )
    return batch


def exclude_batch(*, session: Session, user: User, batch_id: int, reason: str) -> PaperBatch:
    if user.role != Role.organizer.value:
        raise Forbidden(
            "Only an organizer may exclude a paper batch.",
            audit=("paper.batch.exclude", f"paper_batch:{batch_id}"),
        )
    batch = _open_batch(session, user, batch_id, "paper.batch.exclude")
    batch.status, batch.status_reason = BatchStatus.excluded.value, reason
    batch.closed_at, batch.closed_by_id = utcnow(), user.id
    session.add(batch)
    audit.append(
        session=session,
        actor=Actor.of(user),
        action="paper.batch.exclude",
        target=f"paper_batch:{batch.id}",
        detail={"reason": reason[:500]},
    )
    return batch


# --- CSV import --------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    rows: int
    entered: int
    already_entered: int
    already_loaded: bool


def import_csv(*, session: Session, user: User, batch_id: int, data: bytes) -> ImportResult:
    batch = _open_batch(session, user, batch_id, "paper.import")
    target = f"paper_batch:{batch.id}"
    digest = hashlib.sha256(data).hexdigest()
    try:
        rows = parse_csv(data, declared_sheets=batch.declared_sheets)
    except CsvProblem as problem:
        raise BadInput(
            problem.message,
            field=f"line {problem.line}" if problem.line else "file",
            code="bad_csv",
            audit=("paper.import", target),
        ) from None
    if session.execute(
        select(PaperImport).where(PaperImport.batch_id == batch.id, PaperImport.sha256 == digest)
    ).first():
        return ImportResult(
            rows=len(rows), entered=0, already_entered=len(rows), already_loaded=True
        )
    entered = same = 0
    for row in sorted(rows, key=lambda r: (r.pass_number, r.sheet)):
        if _already_entered(session, batch, row):
            same += 1
            continue
        try:
            _enter(session, user, batch, row.sheet, list(row.marks), row.blank, row.unreadable)
        except (Conflict, BadInput) as problem:
            # The whole file is refused: the request's transaction rolls back every row.
            raise type(problem)(
                f"line {row.line}: {problem.message}",
                field=f"line {row.line}",
                code=problem.code,
                audit=("paper.import", target),
            ) from None
        entered += 1
    session.add(
        PaperImport(batch_id=batch.id, sha256=digest, rows=len(rows), imported_by_id=user.id)
    )
    session.flush()
    audit.append(
        session=session,
        actor=Actor.of(user),
        action="paper.import",
        target=target,
        detail={"sha256": digest, "rows": len(rows), "entered": entered},
    )
    return ImportResult(rows=len(rows), entered=entered, already_entered=same, already_loaded=False)


def _already_entered(session: Session, batch: PaperBatch, row: SheetPass) -> bool:
    existing = session.execute(
        select(PaperEntry).where(
            PaperEntry.batch_id == batch.id,
            PaperEntry.sheet == row.sheet,
            PaperEntry.pass_number == row.pass_number,
        )
    ).scalar_one_or_none()
    if existing is None:
        return False
    same = (existing.marks, existing.blank, existing.unreadable) == (
        _canonical(row.marks),
        row.blank,
        row.unreadable,
    )
    if not same:
        raise Conflict(
            f"line {row.line}: sheet {row.sheet} pass {row.pass_number} was already "
            "typed in with other marks; nothing from this file was stored.",
            code="entered_differently",
            field=f"line {row.line}",
        )
    return True


# --- reconciliation, the count, the funding guard ------------------------------------


def reconciliation(*, session: Session, process_id: int) -> dict[str, Any]:
    get_process(session=session, process_id=process_id)
    sites = (
        session.execute(
            select(Site)
            .where(Site.process_id == process_id, Site.kind == SiteKind.voting_site.value)
            .order_by(Site.name, Site.id)
        )
        .scalars()
        .all()
    )
    check_ins = dict(
        session.execute(
            select(Participation.site_id, func.count())
            .where(
                Participation.process_id == process_id, Participation.channel == Channel.paper.value
            )
            .group_by(Participation.site_id)
        ).all()
    )
    counted = PaperBatch.status != BatchStatus.excluded.value
    entered = dict(
        session.execute(
            select(PaperBatch.site_id, func.count())
            .join(PaperSheet, PaperSheet.batch_id == PaperBatch.id)
            .where(PaperBatch.process_id == process_id, counted)
            .group_by(PaperBatch.site_id)
        ).all()
    )
    declared = dict(
        session.execute(
            select(PaperBatch.site_id, func.sum(PaperBatch.declared_sheets))
            .where(PaperBatch.process_id == process_id, counted)
            .group_by(PaperBatch.site_id)
        ).all()
    )
    rows = [
        {
            "site_id": s.id,
            "site_name": s.name,
            "paper_check_ins": check_ins.get(s.id, 0),
            "sheets_entered": entered.get(s.id, 0),
            "sheets_declared": int(declared.get(s.id) or 0),
            "difference": entered.get(s.id, 0) - check_ins.get(s.id, 0),
        }
        for s in sites
    ]
    return {
        "process_id": process_id,
        "sites": rows,
        "total_check_ins": sum(r["paper_check_ins"] for r in rows),
        "total_sheets": sum(r["sheets_entered"] for r in rows),
        "sites_with_difference": sum(1 for r in rows if r["difference"]),
    }


def _difference(key: str, **values: object) -> Waiting:
    """A difference in plain words: the English catalog's (what the API says), carrying the
    key a page says it with in the reader's language."""
    return Waiting(i18n.translate("en", key, **values), key, **values)


@acknowledge(Phase.funding)
def count_differences(session: Session, process: Process) -> list[Waiting]:
    """Every difference the count would go ahead with, in plain words: per voting site,
    the paper sheets typed in (batches not excluded) against the paper check-ins; per
    channel (online, kiosk), the ballots against the voters recorded. Read in the move's
    transaction, after its lock (check-ins, sheets and casts hold the process shared)."""
    found = []
    for row in reconciliation(session=session, process_id=process.id)["sites"]:
        sheets, check_ins = row["sheets_entered"], row["paper_check_ins"]
        if sheets != check_ins:
            found.append(
                _difference(
                    f"count.diff.site_{'more' if sheets > check_ins else 'fewer'}",
                    site=row["site_name"],
                    sheets=sheets,
                    check_ins=check_ins,
                    difference=abs(sheets - check_ins),
                )
            )

    def by_channel(model: Any) -> dict[str, int]:
        return dict(
            session.execute(
                select(model.channel, func.count())
                .where(model.process_id == process.id)
                .group_by(model.channel)
            ).all()
        )

    ballots, participations = by_channel(Ballot), by_channel(Participation)
    for channel in (Channel.online.value, Channel.kiosk.value):
        cast, voted = ballots.get(channel, 0), participations.get(channel, 0)
        if cast != voted:
            found.append(
                _difference(
                    f"count.diff.{channel}_{'more' if cast > voted else 'fewer'}",
                    ballots=cast,
                    voters=voted,
                    difference=abs(cast - voted),
                )
            )
    return found


@dataclass(frozen=True)
class PaperBallot:
    ranking: tuple[int, ...]  # proposal ids, best first; empty for blank/unreadable/no marks
    site_id: int
    status: str
    key: str  # "batch:sheet", to order the published ballots (never published itself)


def paper_ballots(*, session: Session, process: Process) -> list[PaperBallot]:
    """Every settled sheet of the closed batches, read with the published rules."""
    rules = interpretation_rules(get_rules(session=session, process_id=process.id))
    by_number = {
        p.ballot_number: p.id for p in ballot_proposals(session=session, process_id=process.id)
    }
    rows = session.execute(
        select(PaperSheet, PaperBatch.site_id)
        .join(PaperBatch, PaperBatch.id == PaperSheet.batch_id)
        .where(
            PaperBatch.process_id == process.id,
            PaperBatch.status == BatchStatus.closed.value,
            PaperSheet.state == SheetState.settled.value,
        )
    ).all()
    ballots = []
    for sheet, site_id in rows:
        result = interpret(
            marks=[Mark(r, n) for r, n in sheet.marks or []],
            ballot_numbers=frozenset(by_number),
            ballot_size=process.ballot_size,
            rules=rules,
            blank=sheet.blank,
            unreadable=sheet.unreadable,
        )
        ballots.append(
            PaperBallot(
                ranking=tuple(by_number[n] for n in result.ranking),
                site_id=site_id,
                status=result.status.value,
                key=f"{sheet.batch_id}:{sheet.sheet}",
            )
        )
    return ballots


@guard(Phase.funding)
def _every_batch_closed(session: Session, process: Process, _: Any) -> str | None:
    still_open = session.execute(
        select(func.count())
        .select_from(PaperBatch)
        .where(PaperBatch.process_id == process.id, PaperBatch.status == BatchStatus.open.value)
    ).scalar_one()
    if still_open:
        return Waiting(
            f"{still_open} paper batch{'es are' if still_open > 1 else ' is'} still open: "
            "close each batch, or exclude it with a reason, before funding.",
            "guard.batches_open",
            n=still_open,
        )
    return None
