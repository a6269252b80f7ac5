"""Voting: eligibility, access codes, check-in, casting secret ballots, turnout.

One person, one ballot, across every channel
--------------------------------------------
`participation` has one row per voter, whatever the channel, unique per (process,
person_key) and per (process, access_code_id); the row is inserted with ON CONFLICT DO
NOTHING and an insert that did nothing is the answer "already voted". An access code is spent with a
conditional UPDATE (`WHERE used_at IS NULL AND voided_at IS NULL`), a kiosk ticket the
same way: the database decides every race, never a read followed by a write. Casting
holds the process shared (`process_for_change(shared=True)`: a PostgreSQL advisory lock
that queues fairly), so ending voting or a move to `funding` waits for the casts in flight
only, and none lands after it; SQLite writers hold the write lock from BEGIN.

With credential rule `code`, an online voter is known only by the code: a resident who
votes online with a code and then checks in by identity cannot be matched. Rule `both`
(code AND identity online) closes that gap; poll workers should ask for the code.

The secret ballot: what may join what
-------------------------------------
A `ballot` row holds a random id, the process, the ranking, the channel, the site (in
person) and the day: the day is the finest time anywhere on it. `ballot_receipt` holds a
keyed hash of the receipt code and the process, with no link to the ballot.
- Order: both tables are keyed by random values and are listed and exported in key
  order, but the files keep the casting order until the process enters funding. On
  SQLite (WITHOUT ROWID: rows sit in key order in the B-tree) a page's cells lie at
  the offsets they were allocated at, one after the other, so within a page their
  offsets give the order of insertion, and the WAL holds the page images of recent
  commits, each pairing a new ballot with its new participation row. On PostgreSQL the
  heap keeps insertion order (ctid) and each row records the transaction that wrote it
  (xmin), the same as its participation row's. When the process enters funding,
  `_reseal` rewrites them so that after the vote no stored byte links the two (see
  there, and docs/secret-ballot.md for what a live reader of the files can still learn).
- Participation rows carry no ballot id and no time at all (not even the day): the
  anonymity set of a ballot is every voter of the same channel (and site) on the same
  day, which is what the ballot's own day and site already reveal. A code's `used_at`
  and the audit log keep precise times, but nothing on a ballot has a time to match
  them against, and cast audit entries name only the process and the channel.
- A kiosk ticket names its check-in (participation id) only while it is unused, so a
  poll worker can release or reissue a check-in that never became a ballot: the UPDATE
  that spends the ticket also clears that link, so no spent ticket names its voter, and
  the ballot does not name its ticket. (On PostgreSQL the spent ticket's old row version
  keeps the link, with the cast's xmin, until VACUUM, as a participation row written by
  an online cast does; `_reseal` empties the spent tickets with the rest.)
- Keys: person_key, code, ticket and receipt hashes are HMACs with the app secret, so a
  copy of the database alone cannot test a guessed identity.
What remains, by design of the rules: a site that has a single in-person voter on a
day reveals that voter's ballot to whoever knows who came; publish per-site/day figures
only where groups are large enough.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, case, delete, event, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app import audit
from app.audit import Actor
from app.config import Settings
from app.db import rewrite_in_key_order, utcnow
from app.equity.models import NeighbourhoodZip
from app.errors import BadInput, Conflict, Forbidden, NotAuthenticated, NotFound
from app.processes.models import Process
from app.processes.phases import (
    ACCESS_CODES,
    KIOSK_TICKET_LENGTH,
    STAFFING,
    VOTING,
    VOTING_RULES,
    Phase,
    get_process,
    local_time,
    on_enter,
    process_for_change,
)
from app.proposals.service import ballot_proposals
from app.sites.models import Site, SiteKind
from app.users.models import Role, User
from app.voting import cast_rate
from app.voting import credentials as cred
from app.voting.models import (
    AccessCode,
    AccessCodeBatch,
    Ballot,
    BallotReceipt,
    Channel,
    CredentialKind,
    KioskTicket,
    Participation,
    PollWorkerSite,
    VotingRules,
)
from app.voting.schemas import CredentialIn, IdentityIn, VotingRulesIn


class CredentialRefused(NotAuthenticated):
    """A wrong or voided credential; `guess` when it should slow the sender down."""

    def __init__(self, message: str, *, guess: bool, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.guess = guess


# --- the cast path's statements, built once ---------------------------------------------
# Casting is the hot path (thousands an hour at peak): plain Core statements with bound
# parameters skip the per-call statement building that dominates its CPU time.
_ballot_table = Ballot.__table__  # type: ignore[attr-defined]
_receipt_table = BallotReceipt.__table__  # type: ignore[attr-defined]
_code_table = AccessCode.__table__  # type: ignore[attr-defined]
_participation_table = Participation.__table__  # type: ignore[attr-defined]
_SPEND_CODE = (
    _code_table.update()
    .where(
        _code_table.c.code_hash == bindparam("b_code_hash"),
        _code_table.c.process_id == bindparam("b_process_id"),
        _code_table.c.used_at.is_(None),
        _code_table.c.voided_at.is_(None),
    )
    .values(used_at=bindparam("b_now"))
    .returning(_code_table.c.id)
)
_ZIP_PLACE = (
    select(NeighbourhoodZip.neighborhood)
    .where(
        NeighbourhoodZip.process_id == bindparam("b_process_id"),
        NeighbourhoodZip.zip_code == bindparam("b_zip_code"),
    )
    .limit(1)
)
_INSERT_BALLOT = _ballot_table.insert()
_INSERT_RECEIPT = _receipt_table.insert()
_INSERT_PARTICIPATION = {
    dialect: make_insert(_participation_table)
    .on_conflict_do_nothing()
    .returning(_participation_table.c.id)
    for dialect, make_insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


# --- rules ------------------------------------------------------------------------------


def get_rules(*, session: Session, process_id: int) -> VotingRules:
    """The stored rules, or the default (access codes, no age or area limit)."""
    rules = session.get(VotingRules, process_id)
    return rules or VotingRules(process_id=process_id, credential=CredentialKind.code.value)


def put_rules(
    *, session: Session, actor: Actor, process_id: int, data: VotingRulesIn
) -> VotingRules:
    target = f"process:{process_id}"
    process_for_change(
        session=session,
        process_id=process_id,
        allowed=VOTING_RULES,
        action="voting.rules",
        target=target,
    )
    rules = session.get(VotingRules, process_id) or VotingRules(process_id=process_id)
    rules.credential = data.credential.value
    rules.min_age = data.min_age
    rules.postal_codes = sorted(set(data.postal_codes))
    rules.updated_at = utcnow()
    audit.saved(
        session,
        rules,
        actor=actor,
        action="voting.rules",
        target=target,
        detail={
            "credential": rules.credential,
            "min_age": rules.min_age,
            "postal_codes": len(rules.postal_codes),
        },
    )
    return rules


def _last_voting_day(process: Process, now: datetime) -> date:
    if process.voting_closes_at is None:
        return now.date()
    # The last day as the process's residents count days, not UTC's.
    last = process.voting_closes_at - timedelta(microseconds=1)
    return last.astimezone(ZoneInfo(process.time_zone)).date()


_FIVE_DIGITS = re.compile(r"[0-9]{5}")


def _all_zip_codes(postal_codes: list[str]) -> bool:
    return all(_FIVE_DIGITS.fullmatch(code) for code in postal_codes)


def eligible_person_key(
    *, settings: Settings, process: Process, rules: VotingRules, identity: IdentityIn, now: datetime
) -> str:
    """The voter's person_key, or 403 not_eligible with the reason."""
    target = f"process:{process.id}"
    if rules.min_age is not None:
        day = _last_voting_day(process, now)
        if cred.age_on(identity.birth_date, day) < rules.min_age:
            raise Forbidden(
                f"Voters must be at least {rules.min_age} years old on {day.isoformat()}.",
                code="not_eligible",
                field="identity.birth_date",
                extra={"rule": "min_age", "min_age": rules.min_age, "on": day.isoformat()},
                audit=("ballot.eligibility", target),
            )
    if rules.postal_codes and identity.postal_code not in rules.postal_codes:
        if _all_zip_codes(rules.postal_codes) and not _FIVE_DIGITS.fullmatch(identity.postal_code):
            raise BadInput(
                "Write the ZIP code as 5 digits, such as 14605 (a ZIP+4 such as 14605-1234 "
                "is fine too).",
                code="postal_code_format",
                field="identity.postal_code",
                audit=("ballot.eligibility", target),
            )
        raise Forbidden(
            "This postal code is not in the area of this process.",
            code="not_eligible",
            field="identity.postal_code",
            extra={"rule": "area"},
            audit=("ballot.eligibility", target),
        )
    return cred.person_key(
        settings.secret_key,
        process_id=process.id,
        name=identity.name,
        birth_date=identity.birth_date,
        postal_code=identity.postal_code,
    )


# --- access codes -----------------------------------------------------------------------


def generate_access_codes(
    *, session: Session, settings: Settings, actor: Actor, process_id: int, count: int, label: str
) -> tuple[AccessCodeBatch, list[str]]:
    """A batch of fresh codes. The plain codes exist only in the return value. Made until
    voting ends (late registrations during the vote)."""
    target = f"process:{process_id}"
    process_for_change(
        session=session,
        process_id=process_id,
        allowed=ACCESS_CODES,
        action="voting.access_codes",
        target=target,
        shared=True,
    )
    try:
        with session.begin_nested():
            batch = AccessCodeBatch(
                process_id=process_id, label=label, size=count, created_by_id=actor.user_id
            )
            session.add(batch)
            session.flush()
    except IntegrityError:
        raise Conflict(
            f"There is already a batch labelled {label!r}; choose another label.",
            field="label",
            code="label_taken",
        ) from None
    codes = _unique_codes(count)
    _store_code_hashes(
        session=session,
        process_id=process_id,
        batch_id=batch.id,
        hashes=[
            cred.access_code_hash(settings.secret_key, process_id, c.replace("-", ""))
            for c in codes
        ],
    )
    audit.append(
        session=session,
        actor=actor,
        action="voting.access_codes",
        target=target,
        detail={"batch_id": batch.id, "label": label, "count": count},
    )
    return batch, codes


def _store_code_hashes(
    *, session: Session, process_id: int, batch_id: int | None, hashes: list[str]
) -> None:
    """One COPY on PostgreSQL (a million rows in seconds; row-by-row INSERTs take minutes),
    in the session's transaction; a multi-row INSERT elsewhere."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        rows = [{"process_id": process_id, "batch_id": batch_id, "code_hash": h} for h in hashes]
        session.execute(insert(AccessCode), rows)
        return
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy("COPY access_code (process_id, batch_id, code_hash) FROM STDIN") as copy:
        for code_hash in hashes:
            copy.write_row((process_id, batch_id, code_hash))


def _unique_codes(count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(cred.new_access_code())
    return sorted(codes, key=lambda _: secrets.randbits(32))


def void_access_codes(
    *,
    session: Session,
    settings: Settings,
    actor: Actor,
    process_id: int,
    code: str | None = None,
    batch_id: int | None = None,
    label: str | None = None,
    reason: str | None = None,
) -> int:
    """Withdraws one code or a whole batch (by id or label); `reason` goes into the audit."""
    target = f"process:{process_id}"
    process_for_change(
        session=session,
        process_id=process_id,
        allowed=ACCESS_CODES,
        action="voting.access_codes.void",
        target=target,
        shared=True,
    )
    stmt = update(AccessCode).where(
        AccessCode.process_id == process_id,
        AccessCode.voided_at.is_(None),  # type: ignore[union-attr]
        AccessCode.used_at.is_(None),  # type: ignore[union-attr]
    )
    if code is not None:
        stmt = stmt.where(
            AccessCode.code_hash == cred.access_code_hash(settings.secret_key, process_id, code)
        )
        what: dict[str, Any] = {"one_code": True}
    else:
        batch = session.execute(
            select(AccessCodeBatch).where(
                AccessCodeBatch.process_id == process_id,
                AccessCodeBatch.id == batch_id if batch_id is not None else True,
                AccessCodeBatch.label == label if label is not None else True,
            )
        ).scalar_one_or_none()
        if batch is None:
            raise NotFound(
                "There is no such batch of access codes in this process.",
                field="batch_id" if batch_id is not None else "label",
            )
        stmt = stmt.where(AccessCode.batch_id == batch.id)
        what = {"batch_id": batch.id}
    voided = session.execute(stmt.values(voided_at=utcnow())).rowcount
    if code is not None and voided == 0:
        raise NotFound(
            "No unused, valid access code of this process matches.",
            field="code",
            code="code_not_found",
            audit=("voting.access_codes.void", target),
        )
    audit.append(
        session=session,
        actor=actor,
        action="voting.access_codes.void",
        target=target,
        detail={**what, "voided": voided, **({"reason": reason[:500]} if reason else {})},
    )
    return voided


def code_batches(*, session: Session, process_id: int) -> list[dict[str, Any]]:
    """The process's batches of access codes, newest first, with how many were used and
    voided (counts only: the codes themselves exist nowhere in plain text)."""
    get_process(session=session, process_id=process_id)
    used = func.count(AccessCode.used_at)
    voided = func.count(AccessCode.voided_at)
    rows = session.execute(
        select(AccessCodeBatch, used, voided)
        .outerjoin(AccessCode, AccessCode.batch_id == AccessCodeBatch.id)
        .where(AccessCodeBatch.process_id == process_id)
        .group_by(AccessCodeBatch.id)
        .order_by(AccessCodeBatch.created_at.desc(), AccessCodeBatch.id.desc())  # type: ignore[union-attr]
    ).all()
    return [
        {
            "id": batch.id,
            "label": batch.label,
            "size": batch.size,
            "created_at": batch.created_at,
            "used": n_used,
            "voided": n_voided,
            "usable": batch.size - n_used - n_voided,
        }
        for batch, n_used, n_voided in rows
    ]


def _spend_access_code(
    *, session: Session, settings: Settings, process_id: int, code: str, now: datetime
) -> int:
    """Marks the code used and returns its id, or refuses; only one caller ever wins."""
    code_hash = cred.access_code_hash(settings.secret_key, process_id, code)
    spent = session.execute(
        _SPEND_CODE, {"b_code_hash": code_hash, "b_process_id": process_id, "b_now": now}
    ).scalar_one_or_none()
    if spent is not None:
        return spent
    row = session.execute(
        select(AccessCode.used_at, AccessCode.voided_at).where(
            AccessCode.code_hash == code_hash, AccessCode.process_id == process_id
        )
    ).one_or_none()
    target = f"process:{process_id}"
    if row is None:
        raise CredentialRefused(
            "This access code is not valid for this vote. Check it, or ask the organizers.",
            guess=True,
            code="bad_credential",
            field="credential.access_code",
            audit=("ballot.credential", target),
        )
    if row.voided_at is not None:
        raise CredentialRefused(
            "This access code was withdrawn. Ask the organizers for a new one.",
            guess=True,
            code="credential_voided",
            field="credential.access_code",
            audit=("ballot.credential", target),
        )
    raise Conflict(
        "This access code has already been used to vote: each code votes once. "
        "If you did not vote with it, ask the organizers or a poll worker for help.",
        code="code_used",
        field="credential.access_code",
        audit=("ballot.credential", target),
    )


# --- participation ----------------------------------------------------------------------


def _record_participation(
    *,
    session: Session,
    process_id: int,
    channel: Channel,
    person_key: str | None,
    access_code_id: int | None,
    site_id: int | None,
    neighborhood: str | None = None,
) -> int:
    """Inserts the voter's participation row and returns its id, or 409 when the person or
    code has one.

    INSERT ... ON CONFLICT DO NOTHING: the unique constraints decide, in one statement,
    without a savepoint; a concurrent insert of the same key waits for the other
    transaction and then does nothing.
    """
    inserted = session.execute(
        _INSERT_PARTICIPATION[session.get_bind().dialect.name],
        {
            "process_id": process_id,
            "person_key": person_key,
            "access_code_id": access_code_id,
            "channel": channel.value,
            "site_id": site_id,
            "neighborhood": neighborhood,
        },
    ).scalar_one_or_none()
    if inserted is None:
        raise Conflict(
            "This person has already voted in this process (online, at a kiosk or on paper): "
            "each person votes once.",
            code="already_voted",
            audit=("ballot.participation", f"process:{process_id}"),
        )
    return inserted


# --- casting ----------------------------------------------------------------------------


def local_day(process: Process, now: datetime) -> date:
    """The day a ballot was cast on, in the process's own time zone (a 20:00 vote in New
    York is that day's, not the next UTC day's): turnout by day is counted in it."""
    return now.astimezone(ZoneInfo(process.time_zone or "UTC")).date()


def open_process_for_voting(*, session: Session, process_id: int, now: datetime) -> Process:
    """The process, read for a ballot (shared: casts run side by side, a phase change waits
    for them and they for it); 409 if it is not in voting or outside its window."""
    target = f"process:{process_id}"
    process = process_for_change(
        session=session,
        process_id=process_id,
        allowed=VOTING,
        action="ballot.cast",
        target=target,
        shared=True,
    )
    if process.voting_opens_at and now < process.voting_opens_at:
        raise Conflict(
            f"Voting opens at {local_time(process, process.voting_opens_at)}.",
            code="voting_not_open",
            audit=("ballot.cast", target),
        )
    if process.voting_closes_at and now >= process.voting_closes_at:
        raise Conflict(
            f"Voting closed at {local_time(process, process.voting_closes_at)}.",
            code="voting_closed",
            audit=("ballot.cast", target),
        )
    return process


def check_ranking(*, session: Session, process: Process, ranking: list[int]) -> list[int]:
    target = f"process:{process.id}"

    def refuse(message: str) -> BadInput:
        return BadInput(message, field="ranking", code="bad_ranking", audit=("ballot.cast", target))

    if not ranking:
        raise refuse("Rank at least one proposal.")
    if len(ranking) > process.ballot_size:
        raise refuse(
            f"Rank at most {process.ballot_size} proposals; this ballot ranks {len(ranking)}."
        )
    if len(set(ranking)) != len(ranking):
        raise refuse("Each proposal may be ranked once.")
    on_ballot = _ballot_ids(session=session, process_id=process.id)
    strangers = [p for p in ranking if p not in on_ballot]
    if strangers:
        raise refuse(f"Proposal {strangers[0]} is not on this process's ballot.")
    return list(ranking)


# Once a process is in voting its ballot and rules never change again (phases only move
# forward, and both are frozen before voting). Callers that have just checked the phase
# may therefore keep them: in `session.info`, which the ballot route points at a dict
# shared by the app's requests, and a bulk load like the demo shares within its session.
BALLOT_CACHE = "pbvote.voting.ballot"
RULES_CACHE = "pbvote.voting.rules"


def _ballot_ids(*, session: Session, process_id: int) -> frozenset[int]:
    """The ballot's proposal ids; only called once the process is known to be voting."""
    cache = session.info.setdefault(BALLOT_CACHE, {})
    ids = cache.get(process_id)
    if ids is None:
        ids = frozenset(p.id for p in ballot_proposals(session=session, process_id=process_id))
        cache[process_id] = ids
    return ids


def _frozen_rules(*, session: Session, process_id: int) -> VotingRules:
    """The rules of a process known to be voting (see BALLOT_CACHE)."""
    cache = session.info.setdefault(RULES_CACHE, {})
    rules = cache.get(process_id)
    if rules is None:
        stored = get_rules(session=session, process_id=process_id)
        rules = VotingRules(
            process_id=process_id,
            credential=stored.credential,
            min_age=stored.min_age,
            postal_codes=list(stored.postal_codes),
        )
        cache[process_id] = rules
    return rules


def cast_ballot(
    *,
    session: Session,
    settings: Settings,
    process_id: int,
    credential: CredentialIn,
    ranking: list[int],
    now: datetime | None = None,
    client: str | None = None,
) -> str:
    """Stores one secret ballot and its voter's participation; returns the receipt code.
    `client` is the address it came from, counted per hour (`cast_rate`), never stored
    with the ballot; None when the cast does not come over the network (demo loader)."""
    now = now or utcnow()
    process = open_process_for_voting(session=session, process_id=process_id, now=now)
    ranking = check_ranking(session=session, process=process, ranking=ranking)
    if credential.kiosk_ticket is not None:
        site_id = _spend_kiosk_ticket(
            session=session, settings=settings, process=process, credential=credential, now=now
        )
        channel = Channel.kiosk
    else:
        _online_participation(
            session=session, settings=settings, process=process, credential=credential, now=now
        )
        site_id, channel = None, Channel.online
    cast_rate.count_cast(
        session=session,
        settings=settings,
        process_id=process.id,
        channel=channel,
        credential=CredentialKind(_frozen_rules(session=session, process_id=process.id).credential),
        client=client,
        now=now,
    )
    receipt = store_ballot(
        session=session,
        settings=settings,
        process_id=process.id,
        ranking=ranking,
        channel=channel,
        site_id=site_id,
        day=local_day(process, now),
    )
    # No ballot id, site, time or credential: nothing here identifies the ballot or voter.
    audit.append(
        session=session,
        actor=audit.PUBLIC,
        action="ballot.cast",
        target=f"process:{process.id}",
        detail={"channel": channel.value},
    )
    return receipt


def _online_participation(
    *,
    session: Session,
    settings: Settings,
    process: Process,
    credential: CredentialIn,
    now: datetime,
) -> None:
    rules = _frozen_rules(session=session, process_id=process.id)
    kind = CredentialKind(rules.credential)
    target = f"process:{process.id}"
    needs = {
        CredentialKind.code: ("access_code",),
        CredentialKind.identity: ("identity",),
        CredentialKind.both: ("access_code", "identity"),
    }[kind]
    for field in needs:
        if getattr(credential, field) is None:
            raise BadInput(
                f"Voting online in this process needs {' and '.join(needs)}.",
                field=f"credential.{field}",
                code="credential_missing",
                audit=("ballot.credential", target),
            )
    person = None
    if "identity" in needs and credential.identity is not None:
        person = eligible_person_key(
            settings=settings, process=process, rules=rules, identity=credential.identity, now=now
        )
    code_id = None
    if "access_code" in needs and credential.access_code is not None:
        code_id = _spend_access_code(
            session=session,
            settings=settings,
            process_id=process.id,
            code=credential.access_code,
            now=now,
        )
    _record_participation(
        session=session,
        process_id=process.id,
        channel=Channel.online,
        person_key=person,
        access_code_id=code_id,
        site_id=None,
        neighborhood=_zip_place(session, process.id, credential.identity),
    )


def _zip_place(session: Session, process_id: int, identity: IdentityIn | None) -> str | None:
    """The neighbourhood whose ZIP codes (app/equity's population list) hold the ZIP the
    online voter typed, or None. Only the neighbourhood is kept, never the ZIP: see
    docs/secret-ballot.md (turnout by neighbourhood)."""
    if identity is None or not identity.postal_code:
        return None
    return session.execute(
        _ZIP_PLACE, {"b_process_id": process_id, "b_zip_code": identity.postal_code}
    ).scalar_one_or_none()


def store_ballot(
    *,
    session: Session,
    settings: Settings,
    process_id: int,
    ranking: list[int],
    channel: Channel,
    site_id: int | None,
    day: date,
) -> str:
    """Writes the ballot and its receipt (unlinked); the caller has recorded participation."""
    receipt = cred.new_receipt()
    session.execute(
        _INSERT_BALLOT,
        {
            "id": secrets.token_hex(16),
            "process_id": process_id,
            "ranking": ranking,
            "channel": channel.value,
            "site_id": site_id,
            "cast_on": day,
        },
    )
    session.execute(
        _INSERT_RECEIPT,
        {
            "receipt_hash": cred.receipt_hash(settings.secret_key, process_id, receipt),
            "process_id": process_id,
        },
    )
    return receipt


def receipt_counted(*, session: Session, settings: Settings, process_id: int, code: str) -> bool:
    get_process(session=session, process_id=process_id)
    found = session.execute(
        select(func.count()).where(
            BallotReceipt.receipt_hash == cred.receipt_hash(settings.secret_key, process_id, code),
            BallotReceipt.process_id == process_id,
        )
    ).scalar_one()
    return bool(found)


def ballots_of(*, session: Session, process_id: int) -> list[Ballot]:
    """Every ballot of a process, in random-id order (no trace of the casting order)."""
    return list(
        session.execute(
            select(Ballot).where(Ballot.process_id == process_id).order_by(Ballot.id)
        ).scalars()
    )


@event.listens_for(Ballot, "before_update")
@event.listens_for(Ballot, "before_delete")
def _ballots_are_immutable(*_: Any) -> None:
    raise Conflict("A cast ballot can never be changed or deleted.", code="ballot_immutable")


# --- poll workers, kiosks, check-in -----------------------------------------------------


def voting_site(*, session: Session, process_id: int, site_id: int) -> Site:
    site = session.get(Site, site_id)
    if site is None or site.process_id != process_id:
        raise NotFound("There is no such voting site in this process.", field="site_id")
    if site.kind != SiteKind.voting_site.value:
        raise BadInput(
            f"{site.name} is an idea-collection event, not a voting site.", field="site_id"
        )
    return site


def _staffable_site(*, session: Session, site_id: int, action: str) -> Site:
    """A voting site whose poll workers may still change (until voting ends)."""
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound(f"There is no site {site_id}.", field="site_id")
    if site.kind != SiteKind.voting_site.value:
        raise BadInput(f"{site.name} is not a voting site.", field="site_id")
    process_for_change(
        session=session,
        process_id=site.process_id,
        allowed=STAFFING,
        action=action,
        target=f"site:{site_id}",
        shared=True,
    )
    return site


def assign_poll_worker(*, session: Session, actor: Actor, site_id: int, user_id: int) -> None:
    _staffable_site(session=session, site_id=site_id, action="voting.poll_worker.assign")
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound(f"There is no active account {user_id}.", field="user_id")
    if user.role not in (Role.poll_worker.value, Role.organizer.value):
        raise BadInput(
            f"Account {user_id} is a {user.role}; only poll workers and organizers staff sites.",
            field="user_id",
        )
    if session.get(PollWorkerSite, (site_id, user_id)) is None:
        session.add(PollWorkerSite(site_id=site_id, user_id=user_id, assigned_by_id=actor.user_id))
        session.flush()
        audit.append(
            session=session,
            actor=actor,
            action="voting.poll_worker.assign",
            target=f"site:{site_id}",
            detail={"user_id": user_id},
        )


def unassign_poll_worker(*, session: Session, actor: Actor, site_id: int, user_id: int) -> None:
    """Take a poll worker off a site (until voting ends); 404 if they were not on it."""
    _staffable_site(session=session, site_id=site_id, action="voting.poll_worker.unassign")
    row = session.get(PollWorkerSite, (site_id, user_id))
    if row is None:
        raise NotFound(f"Account {user_id} is not assigned to site {site_id}.", field="user_id")
    session.delete(row)
    session.flush()
    audit.append(
        session=session,
        actor=actor,
        action="voting.poll_worker.unassign",
        target=f"site:{site_id}",
        detail={"user_id": user_id},
    )


def poll_workers_by_site(*, session: Session, process_id: int) -> dict[int, list[User]]:
    """The staff assigned to each site of the process, by name."""
    rows = session.execute(
        select(PollWorkerSite.site_id, User)
        .join(User, User.id == PollWorkerSite.user_id)
        .join(Site, Site.id == PollWorkerSite.site_id)
        .where(Site.process_id == process_id)
        .order_by(User.display_name, User.id)
    ).all()
    found: dict[int, list[User]] = {}
    for site_id, user in rows:
        found.setdefault(site_id, []).append(user)
    return found


def _require_assigned(*, session: Session, user: User, site: Site, action: str) -> None:
    if session.get(PollWorkerSite, (site.id, user.id)) is None:
        raise Forbidden(
            f"You are not assigned to {site.name}; an organizer can assign you.",
            code="not_assigned",
            field="site_id",
            audit=(action, f"site:{site.id}"),
        )


def open_kiosk(
    *, session: Session, settings: Settings, user: User, process_id: int, site_id: int
) -> tuple[str, datetime]:
    now = utcnow()
    open_process_for_voting(session=session, process_id=process_id, now=now)
    site = voting_site(session=session, process_id=process_id, site_id=site_id)
    _require_assigned(session=session, user=user, site=site, action="voting.kiosk.open")
    token, expires_at = cred.issue_kiosk_token(
        settings.secret_key,
        process_id=process_id,
        site_id=site_id,
        opened_by_id=user.id,
        generation=user.session_generation,
        now=now,
    )
    audit.append(
        session=session,
        actor=Actor.of(user),
        action="voting.kiosk.open",
        target=f"site:{site_id}",
    )
    return token, expires_at


@dataclass(frozen=True)
class CheckIn:
    mode: Channel
    site_id: int
    kiosk_ticket: str | None
    ticket_expires_at: datetime | None


def check_in(
    *,
    session: Session,
    settings: Settings,
    user: User,
    process_id: int,
    site_id: int,
    mode: Channel,
    identity: IdentityIn | None = None,
    access_code: str | None = None,
    now: datetime | None = None,
) -> CheckIn:
    """Records an in-person voter's participation; a kiosk voter gets a one-time ticket."""
    now = now or utcnow()
    process = open_process_for_voting(session=session, process_id=process_id, now=now)
    site = voting_site(session=session, process_id=process_id, site_id=site_id)
    _require_assigned(session=session, user=user, site=site, action="voting.check_in")
    rules = _frozen_rules(session=session, process_id=process_id)
    _require_check_in_credentials(rules, identity, access_code, site_id)
    person = code_id = None
    if identity is not None:
        person = eligible_person_key(
            settings=settings, process=process, rules=rules, identity=identity, now=now
        )
    if access_code is not None:
        code_id = _spend_access_code(
            session=session, settings=settings, process_id=process_id, code=access_code, now=now
        )
    # A kiosk check-in left unused (wrong site, voter gone) gives way to this one.
    release_expired_tickets(session=session, process_id=process_id, now=now)
    participation_id = _record_participation(
        session=session,
        process_id=process_id,
        channel=mode,
        person_key=person,
        access_code_id=code_id,
        site_id=site_id,
    )
    ticket = expires_at = None
    if mode == Channel.kiosk:
        ticket, expires_at = _issue_ticket(
            session=session,
            settings=settings,
            process_id=process_id,
            site_id=site_id,
            participation_id=participation_id,
            now=now,
        )
    audit.append(
        session=session,
        actor=Actor.of(user),
        action="voting.check_in",
        target=f"site:{site_id}",
        detail={"mode": mode.value},
    )
    return CheckIn(mode=mode, site_id=site_id, kiosk_ticket=ticket, ticket_expires_at=expires_at)


def _issue_ticket(
    *,
    session: Session,
    settings: Settings,
    process_id: int,
    site_id: int,
    participation_id: int,
    now: datetime,
) -> tuple[str, datetime]:
    """A new ticket for a check-in: it waits up to KIOSK_TICKET_WAIT for its voter to open
    the ballot at the kiosk, whose own clock starts then (`start_kiosk_ticket`)."""
    ticket = cred.new_kiosk_ticket()
    expires_at = now + cred.KIOSK_TICKET_WAIT
    session.add(
        KioskTicket(
            ticket_hash=cred.kiosk_ticket_hash(settings.secret_key, ticket),
            process_id=process_id,
            site_id=site_id,
            expires_at=expires_at,
            participation_id=participation_id,
        )
    )
    session.flush()
    return ticket, expires_at


def _require_check_in_credentials(
    rules: VotingRules, identity: IdentityIn | None, access_code: str | None, site_id: int
) -> None:
    """In person, the voter shows what online voting asks for, so the two are matched.

    Under `code` the identity alone is also taken (the voter may have lost the code):
    that gap is the rule's, see the module docstring.
    """
    needs = {
        CredentialKind.code: (),
        CredentialKind.identity: ("identity",),
        CredentialKind.both: ("identity", "access_code"),
    }[CredentialKind(rules.credential)]
    given = {"identity": identity, "access_code": access_code}
    if missing := [name for name in needs if given[name] is None]:
        raise BadInput(
            f"Checking in to this vote needs the voter's {' and '.join(needs)}.",
            field=missing[0],
            code="credential_missing",
            audit=("voting.check_in", f"site:{site_id}"),
        )


def kiosk_still_open(*, session: Session, kiosk: cred.KioskSession) -> bool:
    """The poll worker who opened the kiosk is still active, signed in as then (no password
    reset, deactivation or reactivation since) and assigned to its site: read fresh, so
    an organizer's decision closes the kiosk at its next request on every app instance."""
    worker = session.get(User, kiosk.opened_by_id, populate_existing=True)
    return (
        worker is not None
        and worker.is_active
        and worker.session_generation == kiosk.generation
        and session.get(PollWorkerSite, (kiosk.site_id, worker.id), populate_existing=True)
        is not None
    )


def _kiosk_of(
    *, session: Session, settings: Settings, process: Process, kiosk_token: str, now: datetime
):
    target = f"process:{process.id}"
    try:
        kiosk = cred.read_kiosk_token(settings.secret_key, kiosk_token, now=now)
        if not kiosk_still_open(session=session, kiosk=kiosk):
            raise cred.KioskTokenError(
                "This kiosk was closed: the poll worker who opened it was unassigned, "
                "deactivated or given a new password. A poll worker must open it again."
            )
    except cred.KioskTokenError as exc:
        raise CredentialRefused(
            str(exc), guess=False, code="kiosk_not_open", audit=("ballot.kiosk", target)
        ) from exc
    if kiosk.process_id != process.id:
        raise Forbidden(
            "This kiosk was opened for another process.",
            code="wrong_kiosk",
            audit=("ballot.kiosk", target),
        )
    return kiosk


def _usable_ticket(process: Process, kiosk: cred.KioskSession, now: datetime) -> list:
    return [
        KioskTicket.process_id == process.id,
        KioskTicket.site_id == kiosk.site_id,
        KioskTicket.used_at.is_(None),  # type: ignore[union-attr]
        KioskTicket.expires_at > now,
    ]


def check_kiosk_ticket(
    *,
    session: Session,
    settings: Settings,
    process_id: int,
    kiosk_token: str,
    ticket: str,
    start: bool = False,
    now: datetime | None = None,
) -> datetime:
    """Refuses, as casting would, a ticket this kiosk cannot take: so a voter hears it before
    ranking anything; returns when it expires. Spends nothing; casting checks again.
    `start`: the voter opens the ballot, and the first time the ticket's clock (the
    process's `kiosk_ticket_minutes`) starts; typed again (after an idle reset, a resent
    form) the clock goes on, so a ticket cannot be stretched by typing it again."""
    now = now or utcnow()
    process = open_process_for_voting(session=session, process_id=process_id, now=now)
    kiosk = _kiosk_of(
        session=session, settings=settings, process=process, kiosk_token=kiosk_token, now=now
    )
    ticket_hash = cred.kiosk_ticket_hash(settings.secret_key, ticket)
    usable = select(KioskTicket.expires_at).where(
        KioskTicket.ticket_hash == ticket_hash, *_usable_ticket(process, kiosk, now)
    )
    if start:
        usable = (
            update(KioskTicket)
            .where(KioskTicket.ticket_hash == ticket_hash, *_usable_ticket(process, kiosk, now))
            .values(
                opened_at=func.coalesce(KioskTicket.opened_at, now),
                expires_at=case(
                    (
                        KioskTicket.opened_at.is_(None),  # type: ignore[union-attr]
                        now + timedelta(minutes=process.kiosk_ticket_minutes),
                    ),
                    else_=KioskTicket.expires_at,
                ),
            )
            .returning(KioskTicket.expires_at)
        )
    expires_at = session.execute(usable).scalar_one_or_none()
    if expires_at is None:
        _refuse_ticket(session=session, process=process, kiosk=kiosk, ticket_hash=ticket_hash)
    return expires_at


def _spend_kiosk_ticket(
    *,
    session: Session,
    settings: Settings,
    process: Process,
    credential: CredentialIn,
    now: datetime,
) -> int:
    kiosk = _kiosk_of(
        session=session,
        settings=settings,
        process=process,
        kiosk_token=credential.kiosk_token or "",
        now=now,
    )
    ticket_hash = cred.kiosk_ticket_hash(settings.secret_key, credential.kiosk_ticket or "")
    spent = session.execute(
        update(KioskTicket)
        .where(KioskTicket.ticket_hash == ticket_hash, *_usable_ticket(process, kiosk, now))
        .values(used_at=now, participation_id=None)  # the check-in is no longer named
        .returning(KioskTicket.site_id)
    ).scalar_one_or_none()
    if spent is not None:
        return spent
    _refuse_ticket(session=session, process=process, kiosk=kiosk, ticket_hash=ticket_hash)


def _refuse_ticket(
    *, session: Session, process: Process, kiosk: cred.KioskSession, ticket_hash: str
) -> NoReturn:
    target = f"process:{process.id}"
    ticket = session.get(KioskTicket, ticket_hash)
    if ticket is None or ticket.process_id != process.id:
        raise CredentialRefused(
            "This ticket is not valid. Ask the poll worker to check you in again.",
            guess=False,
            code="bad_ticket",
            field="credential.kiosk_ticket",
            audit=("ballot.kiosk", target),
        )
    if ticket.site_id != kiosk.site_id:
        site = session.get(Site, ticket.site_id)
        raise Forbidden(
            f"This ticket was issued at {site.name if site else 'another voting site'}; "
            "vote at that site's kiosk, or ask a poll worker there to release it.",
            code="ticket_wrong_site",
            field="credential.kiosk_ticket",
            audit=("ballot.kiosk", target),
            extra={"site_id": ticket.site_id},
        )
    if ticket.used_at is not None:
        raise Conflict(
            "This ticket has already been used to vote.",
            code="already_voted",
            audit=("ballot.kiosk", target),
        )
    raise CredentialRefused(
        "This ticket has expired. Ask the poll worker for help.",
        guess=False,
        code="ticket_expired",
        field="credential.kiosk_ticket",
        audit=("ballot.kiosk", target),
    )


# --- kiosk check-ins that never became a ballot -----------------------------------------

MAX_TICKET_MINUTES = 120
_RELEASE = "voting.check_in.release"
_REISSUE = "voting.kiosk_ticket.reissue"


def set_kiosk_ticket_minutes(
    *, session: Session, actor: Actor, process_id: int, minutes: int
) -> Process:
    """How long a kiosk voter has from opening the ballot to casting it."""
    target = f"process:{process_id}"
    process = process_for_change(
        session=session,
        process_id=process_id,
        allowed=KIOSK_TICKET_LENGTH,
        action="process.kiosk_ticket_minutes",
        target=target,
    )
    if not 5 <= minutes <= MAX_TICKET_MINUTES:
        raise BadInput(
            f"A kiosk ticket lasts from 5 to {MAX_TICKET_MINUTES} minutes.",
            field="kiosk_ticket_minutes",
            audit=("process.kiosk_ticket_minutes", target),
        )
    process.kiosk_ticket_minutes = minutes
    audit.saved(
        session,
        process,
        actor=actor,
        action="process.kiosk_ticket_minutes",
        target=target,
        detail={"minutes": minutes},
    )
    return process


@dataclass(frozen=True)
class OpenTicket:
    """An unused kiosk ticket as the station lists it: nothing of its voter."""

    handle: str  # the ticket's hash: names the row, never the ticket itself
    site_id: int
    opened_at: datetime | None
    expires_at: datetime


def open_tickets(*, session: Session, site_ids: list[int]) -> list[OpenTicket]:
    """The unused tickets of these sites, soonest to expire first."""
    rows = session.execute(
        select(KioskTicket)
        .where(
            KioskTicket.site_id.in_(site_ids),  # type: ignore[attr-defined]
            KioskTicket.used_at.is_(None),  # type: ignore[union-attr]
            KioskTicket.participation_id.is_not(None),  # type: ignore[union-attr]
        )
        .order_by(KioskTicket.expires_at)
    ).scalars()
    return [OpenTicket(t.ticket_hash, t.site_id, t.opened_at, t.expires_at) for t in rows]


def _ticket_for_staff(
    *, session: Session, user: User, handle: str, action: str, now: datetime
) -> KioskTicket:
    """The unused ticket `handle` names, for a poll worker of its site or an organizer;
    its process is read for a ballot, so the answer holds against a cast until commit."""
    ticket = session.get(KioskTicket, handle[:64])
    if ticket is None:
        raise NotFound("There is no such kiosk ticket.", code="no_ticket")
    open_process_for_voting(session=session, process_id=ticket.process_id, now=now)
    if user.role != Role.organizer:
        site = session.get(Site, ticket.site_id)
        _require_assigned(session=session, user=user, site=site, action=action)
    return ticket


def _withdraw_ticket(*, session: Session, ticket_hash: str) -> tuple[int, int] | None:
    """Deletes the ticket if it is still unused: (its participation id, site id), or None
    when a cast spent it first (the database decides, as between two casts)."""
    return session.execute(
        delete(KioskTicket)
        .where(
            KioskTicket.ticket_hash == ticket_hash,
            KioskTicket.used_at.is_(None),  # type: ignore[union-attr]
            KioskTicket.participation_id.is_not(None),  # type: ignore[union-attr]
        )
        .returning(KioskTicket.participation_id, KioskTicket.site_id)
    ).one_or_none()


def _ticket_was_used(action: str, target: str) -> Conflict:
    return Conflict(
        "This kiosk code has voted, or was released or replaced already: the check-in stands.",
        code="check_in_voted",
        audit=(action, target),
    )


def _release_participation(*, session: Session, participation_id: int) -> None:
    """Withdraws a check-in: its participation goes and its access code may vote again."""
    code_id = session.execute(
        delete(Participation)
        .where(Participation.id == participation_id)
        .returning(Participation.access_code_id)
    ).scalar_one_or_none()
    if code_id is not None:
        session.execute(update(AccessCode).where(AccessCode.id == code_id).values(used_at=None))


def release_check_in(
    *, session: Session, user: User, handle: str, reason: str, now: datetime | None = None
) -> None:
    """A kiosk check-in that never became a ballot is withdrawn, with its ticket, in this
    transaction: the voter may be checked in again anywhere, turnout no longer counts them,
    and their access code votes again. Poll workers of the ticket's site or organizers."""
    now = now or utcnow()
    reason = " ".join(reason.split())[:500]
    ticket = _ticket_for_staff(session=session, user=user, handle=handle, action=_RELEASE, now=now)
    target = f"site:{ticket.site_id}"
    if not reason:
        raise BadInput(
            "Say why this check-in is released.",
            field="reason",
            code="reason_missing",
            audit=(_RELEASE, target),
        )
    withdrawn = _withdraw_ticket(session=session, ticket_hash=ticket.ticket_hash)
    if withdrawn is None:
        raise _ticket_was_used(_RELEASE, target)
    _release_participation(session=session, participation_id=withdrawn[0])
    audit.append(
        session=session,
        actor=Actor.of(user),
        action=_RELEASE,
        target=target,
        detail={"reason": reason},
    )


def reissue_ticket(
    *, session: Session, settings: Settings, user: User, handle: str, now: datetime | None = None
) -> tuple[str, int]:
    """A new ticket for the same check-in (the voter ran out of time, or lost it): the old
    one stops working in this transaction. Returns the new ticket (shown once) and its
    process."""
    now = now or utcnow()
    ticket = _ticket_for_staff(session=session, user=user, handle=handle, action=_REISSUE, now=now)
    target = f"site:{ticket.site_id}"
    withdrawn = _withdraw_ticket(session=session, ticket_hash=ticket.ticket_hash)
    if withdrawn is None:
        raise _ticket_was_used(_REISSUE, target)
    participation_id, site_id = withdrawn
    issued, _ = _issue_ticket(
        session=session,
        settings=settings,
        process_id=ticket.process_id,
        site_id=site_id,
        participation_id=participation_id,
        now=now,
    )
    audit.append(session=session, actor=Actor.of(user), action=_REISSUE, target=target)
    return issued, ticket.process_id


def release_expired_tickets(*, session: Session, process_id: int, now: datetime) -> int:
    """Releases, as a poll worker would, every check-in whose ticket expired unused more
    than KIOSK_TICKET_GRACE ago; returns how many."""
    stale = session.execute(
        select(KioskTicket.ticket_hash, KioskTicket.site_id).where(
            KioskTicket.process_id == process_id,
            KioskTicket.used_at.is_(None),  # type: ignore[union-attr]
            KioskTicket.participation_id.is_not(None),  # type: ignore[union-attr]
            KioskTicket.expires_at <= now - cred.KIOSK_TICKET_GRACE,
        )
    ).all()
    released = 0
    for ticket_hash, site_id in stale:
        withdrawn = _withdraw_ticket(session=session, ticket_hash=ticket_hash)
        if withdrawn is None:
            continue
        _release_participation(session=session, participation_id=withdrawn[0])
        audit.append(
            session=session,
            actor=audit.SYSTEM,
            action=_RELEASE,
            target=f"site:{site_id}",
            detail={"reason": "ticket expired unused"},
        )
        released += 1
    return released


# --- turnout ----------------------------------------------------------------------------


def turnout(*, session: Session, process_id: int) -> dict[str, Any]:
    get_process(session=session, process_id=process_id)
    rows = session.execute(
        select(Ballot.channel, Ballot.site_id, Ballot.cast_on, func.count())
        .where(Ballot.process_id == process_id)
        .group_by(Ballot.channel, Ballot.site_id, Ballot.cast_on)
        .order_by(Ballot.cast_on, Ballot.channel, Ballot.site_id)
    ).all()
    by_channel = {c.value: 0 for c in Channel}
    for channel, _, _, n in rows:
        by_channel[channel] += n
    check_ins = {c.value: 0 for c in Channel}
    for channel, n in session.execute(
        select(Participation.channel, func.count())
        .where(Participation.process_id == process_id)
        .group_by(Participation.channel)
    ).all():
        check_ins[channel] = n
    return {
        "process_id": process_id,
        "ballots": sum(by_channel.values()),
        "ballots_by_channel": by_channel,
        "ballots_by_site_and_day": [
            {"channel": c, "site_id": s, "day": d, "ballots": n} for c, s, d, n in rows
        ],
        "check_ins_by_channel": check_ins,
        "voters": sum(check_ins.values()),
    }


def turnout_summary(*, session: Session, process_id: int) -> dict[str, Any]:
    """Turnout as organizers read it: voters per channel, then ballots per voting site and
    per day (the day in the process's time zone, as ballots record it)."""
    counts = turnout(session=session, process_id=process_id)
    sites = session.execute(
        select(Site)
        .where(Site.process_id == process_id, Site.kind == SiteKind.voting_site.value)
        .order_by(Site.name, Site.id)
    ).scalars()
    in_person = {
        site_id: n
        for site_id, n in session.execute(
            select(Participation.site_id, func.count())
            .where(Participation.process_id == process_id, Participation.site_id.is_not(None))  # type: ignore[union-attr]
            .group_by(Participation.site_id)
        ).all()
    }
    kiosk_ballots: dict[int, int] = {}
    days: dict[date, dict[str, int]] = {}
    for row in counts["ballots_by_site_and_day"]:
        if row["channel"] == Channel.kiosk.value:
            kiosk_ballots[row["site_id"]] = kiosk_ballots.get(row["site_id"], 0) + row["ballots"]
        day = days.setdefault(row["day"], {c.value: 0 for c in Channel})
        day[row["channel"]] += row["ballots"]
    return {
        **counts,
        "by_site": [
            {
                "site_id": site.id,
                "name": site.name,
                "check_ins": in_person.get(site.id, 0),
                "kiosk_ballots": kiosk_ballots.get(site.id, 0),
            }
            for site in sites
        ],
        "by_day": [
            {"day": day, **by_channel, "total": sum(by_channel.values())}
            for day, by_channel in sorted(days.items())
        ],
    }


# --- phase guards and hooks -------------------------------------------------------------


# Casts write participation, then ballot, then receipt: the reseal locks them in that order.
# The kiosk tickets first: a cast locks its ticket before the ballot (and on PostgreSQL a
# spent ticket's old row version still names its check-in until its table is rewritten).
_RESEALED = (
    ("kiosk_ticket", "ticket_hash"),
    ("participation", "id"),
    ("ballot", "id"),
    ("ballot_receipt", "receipt_hash"),
)


@on_enter(Phase.funding)
def _reseal(session: Session, process: Process, _: datetime) -> None:
    """Rewrite ballots and receipts (and, on PostgreSQL, participation) in key order, in
    this transaction, so that no stored byte links a ballot to its voter after the vote.

    PostgreSQL: rewriting rows (DELETE + INSERT) is not enough: the old row versions stay
    in the table file with the cast's xmin until VACUUM, and even after VACUUM their
    bytes stay in the page's free space, where reading raw pages found them. TRUNCATE
    gives each table a new, empty file and the old one is cut to nothing when this
    transaction commits (transactional, unlike VACUUM FULL, and no open snapshot can
    keep old versions alive, unlike VACUUM FULL and CLUSTER). Every row then carries
    this transaction's xmin and a physical order that says nothing about casting;
    participation is rewritten too, so its rows' xmin no longer matches the cast's other
    rows (spent code, kiosk ticket, audit entry). All processes' rows are rewritten,
    which a still-voting process only gains from; casts wait while it runs.

    SQLite: within a page, cells sit where they were allocated, one after the other, so
    their offsets give the insertion order; deleting and re-inserting in key order
    rebuilds the pages, and secure_delete (see app.db) zeroes the freed bytes. The
    participation table's rowid is its order anyway, and ballots then have none. After
    commit the WAL, which holds every page image written since its last reset, is
    checkpointed and truncated (`_truncate_wal`).
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    if not postgres:
        event.listen(session, "after_commit", _truncate_wal, once=True)
    rewrite_in_key_order(session, _RESEALED if postgres else _RESEALED[2:])


def _truncate_wal(session: Session) -> None:
    """Best effort: a checkpoint needs a moment without readers; if one is busy, the WAL
    is cut at its next reset instead (journal_size_limit in app.db)."""
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    raw = engine.raw_connection()  # the driver's own: outside any transaction
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA busy_timeout=250")
        busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.execute("PRAGMA busy_timeout=30000")
    except Exception:  # never fail a committed phase change over its clean-up
        busy = (1,)
    finally:
        raw.close()
    if busy is None or busy[0]:
        import logging

        logging.getLogger("pbvote").warning(
            "entering funding: the SQLite WAL could not be truncated now (busy); it will be "
            "at its next reset"
        )
