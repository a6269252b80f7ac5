"""Append-only, hash-chained audit log, keyed with a secret that is not in the database.

Each entry's hash covers its content and the previous entry's hash; a one-row head
holds the last sequence number and hash. Appenders lock the head row, so the chain
has one order even with several app instances on one PostgreSQL (on SQLite every
writer already holds the database write lock).

What a database writer can and cannot do
----------------------------------------
Since scheme 2 an entry's hash is an HMAC-SHA256 under a key derived from
PBVOTE_SECRET_KEY (`chain_key`, its own derivation string, so it equals no other key
the app uses). Someone who can write the database but does not hold the secret can
no longer edit an entry and recompute the hashes after it: `verify_chain` names the
first entry whose HMAC is wrong. What the key alone cannot stop is cutting the newest
entries off and copying the new last hash into the head row: every remaining entry is
genuine. That is what anchors are for: when a process enters funding its result
publishes the head of that moment (`audit_head`), people copy it, and
`pbvote audit verify --expect-head HEX` fails when that entry is gone or changed.

Scheme 1 (plain SHA-256, before the key) is still verified as it was: entries written
before the upgrade stay scheme 1, and the first keyed entry covers the last unkeyed
hash, so the old prefix is protected from then on by every later HMAC. A scheme 1 entry
after a scheme 2 one is refused (it could only be a forgery by someone without the key).
A writer who replaces the whole keyed part with unkeyed entries is caught by any
published anchor; without one, `verify` says how many entries are unkeyed. Changing
PBVOTE_SECRET_KEY makes existing keyed entries fail verification (as it makes voters'
person keys and codes unusable): do not rotate it during a process.
"""

import hashlib
import hmac
import json
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Integer, SmallInteger, String, Text, select
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel

from app.config import get_settings
from app.db import UTCDateTime, utcnow

GENESIS_HASH = "0" * 64
SCHEME_SHA256 = 1  # before the chain was keyed: anyone can recompute it
SCHEME_HMAC = 2  # HMAC-SHA256 under chain_key(PBVOTE_SECRET_KEY)

# The chain key of each engine the app serves (create_app and the CLI register it), and
# the process-wide one for engines nobody registered (None: PBVOTE_SECRET_KEY's).
_KEYS: "weakref.WeakKeyDictionary[Engine, bytes]" = weakref.WeakKeyDictionary()
_DEFAULT_KEY: list[bytes] = []


def chain_key(secret_key: str) -> bytes:
    """The audit chain's HMAC key: derived from the app secret for this purpose only."""
    return hmac.new(secret_key.encode(), b"pbvote.audit-chain.v2", hashlib.sha256).digest()


def use_secret(engine: Engine | None, secret_key: str) -> None:
    """Key the audit chain of this engine's database (of every engine: None) with the secret."""
    if engine is None:
        _DEFAULT_KEY[:] = [chain_key(secret_key)]
    else:
        _KEYS[engine] = chain_key(secret_key)


def key_of(session: Session) -> bytes:
    bind = session.get_bind()
    key = _KEYS.get(getattr(bind, "engine", bind))
    if key is None and not _DEFAULT_KEY:
        try:
            use_secret(None, get_settings().secret_key)
        except ValueError as exc:
            raise RuntimeError(
                "The audit chain has no key: set PBVOTE_SECRET_KEY or call audit.use_secret."
            ) from exc
    return key or _DEFAULT_KEY[0]


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    at: datetime = Field(sa_type=UTCDateTime)
    actor_id: int | None = None
    actor_role: str = Field(max_length=32)
    action: str = Field(max_length=64, index=True)
    target: str = Field(max_length=200)
    outcome: str = Field(max_length=32)
    detail: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(sa_column=Column(String(64), nullable=False))
    scheme: int = Field(
        default=SCHEME_HMAC,
        sa_column=Column(SmallInteger, nullable=False, server_default=str(SCHEME_SHA256)),
    )

    def computed_hash(self, key: bytes | None = None) -> str:
        """The hash this entry's stored content and link should have (scheme 2 needs the key)."""
        return entry_hash(
            seq=self.seq,
            at=self.at,
            actor_id=self.actor_id,
            actor_role=self.actor_role,
            action=self.action,
            target=self.target,
            outcome=self.outcome,
            detail=self.detail,
            prev_hash=self.prev_hash,
            key=key if self.scheme == SCHEME_HMAC else None,
        )


class AuditHead(SQLModel, table=True):
    __tablename__ = "audit_head"

    id: int = Field(primary_key=True)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    hash: str = Field(sa_column=Column(Text, nullable=False))


class RefusalCount(SQLModel, table=True):
    """Anonymous refusals, counted per kind and hour instead of one chain entry each:
    a flood of bad requests from anyone must not flood the audit chain or the disk."""

    __tablename__ = "refusal_count"

    hour: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    kind: str = Field(sa_column=Column(String(120), primary_key=True))
    count: int = Field(sa_column=Column(Integer, nullable=False))


@dataclass(frozen=True)
class Actor:
    """Who did something: a staff account, or an anonymous role (public, voter, system)."""

    role: str
    user_id: int | None = None

    @classmethod
    def of(cls, user: Any) -> "Actor":
        """The actor a signed-in account acts as (any object with .role and .id); with no
        account, the public."""
        return PUBLIC if user is None else cls(role=user.role, user_id=user.id)

    @property
    def label(self) -> str:
        return f"{self.role}#{self.user_id}" if self.user_id is not None else self.role


SYSTEM = Actor(role="system")
PUBLIC = Actor(role="public")


def entry_hash(
    *,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_role: str,
    action: str,
    target: str,
    outcome: str,
    detail: dict[str, Any],
    prev_hash: str,
    key: bytes | None = None,
) -> str:
    """HMAC-SHA256 under `key` (scheme 2), or plain SHA-256 without one (scheme 1)."""
    canonical = json.dumps(
        [
            seq,
            at.isoformat(timespec="microseconds"),
            actor_id,
            actor_role,
            action,
            target,
            outcome,
            detail,
            prev_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    if key is None:
        return hashlib.sha256(canonical).hexdigest()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def append(
    *,
    session: Session,
    actor: Actor,
    action: str,
    target: str,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    key = key_of(session)
    # Re-read under the lock: a head this session read in an earlier transaction may be old.
    head = session.execute(
        select(AuditHead)
        .where(AuditHead.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    fields: dict[str, Any] = {
        "seq": head.seq + 1,
        "at": utcnow(),
        "actor_id": actor.user_id,
        "actor_role": actor.role,
        "action": action,
        "target": target[:200],
        "outcome": outcome[:32],
        "detail": detail or {},
        "prev_hash": head.hash,
    }
    entry = AuditEntry(**fields, hash=entry_hash(**fields, key=key), scheme=SCHEME_HMAC)
    head.seq, head.hash = entry.seq, entry.hash
    session.add(entry)
    session.add(head)
    session.flush()
    return entry


def count_refusals(*, session: Session, counts: dict[tuple[datetime, str], int]) -> None:
    """Adds anonymous refusals to their (hour, kind) counters, one statement each."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = RefusalCount.__table__  # type: ignore[attr-defined]
    for (hour, kind), n in sorted(counts.items()):
        stmt = insert(table).values(hour=hour, kind=kind[:120], count=n)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["hour", "kind"], set_={"count": table.c.count + stmt.excluded.count}
            )
        )


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str = ""
    unkeyed: int = 0  # scheme 1 entries: written before the chain was keyed
    anchors: tuple[int, ...] = field(default=())  # seq of each expected head found


class _Broken(Exception):
    def __init__(self, seq: int | None, problem: str) -> None:
        super().__init__(problem)
        self.seq, self.problem = seq, problem


def _check_entry(entry: AuditEntry, *, seq: int, prev: str, keyed: bool, key: bytes) -> None:
    if entry.seq != seq:
        raise _Broken(seq, f"entry {seq} is missing (next stored is {entry.seq})")
    if entry.prev_hash != prev:
        raise _Broken(seq, "does not follow the entry before it (reordered or replaced)")
    if entry.scheme not in (SCHEME_SHA256, SCHEME_HMAC):
        raise _Broken(seq, f"it names an unknown hash scheme {entry.scheme}")
    if keyed and entry.scheme == SCHEME_SHA256:
        raise _Broken(
            seq, "it is unkeyed but follows keyed entries: written without the secret key"
        )
    if entry.computed_hash(key) != entry.hash:
        raise _Broken(
            seq,
            "its content was changed after writing (or PBVOTE_SECRET_KEY is not the one "
            "it was written with)",
        )


def _entries(session: Session, batch_size: int) -> Iterable[AuditEntry]:
    last_seq = 0
    while batch := (
        session.execute(
            select(AuditEntry)
            .where(AuditEntry.seq > last_seq)
            .order_by(AuditEntry.seq)
            .limit(batch_size)
        )
        .scalars()
        .all()
    ):
        yield from batch
        last_seq = batch[-1].seq


def verify_chain(
    *, session: Session, batch_size: int = 5000, expect_heads: Iterable[str] = ()
) -> ChainCheck:
    """Checks every link and hash, the head row, and that each expected (published) head
    is still an intact entry of the chain."""
    key = key_of(session)
    expected = {h.strip().lower(): None for h in expect_heads}
    found: dict[str, int] = {}
    prev, count, unkeyed = GENESIS_HASH, 0, 0
    try:
        for entry in _entries(session, batch_size):
            _check_entry(entry, seq=count + 1, prev=prev, keyed=count > unkeyed, key=key)
            unkeyed += entry.scheme == SCHEME_SHA256
            if entry.hash in expected:
                found[entry.hash] = entry.seq
            prev, count = entry.hash, count + 1
        head = session.get(AuditHead, 1)
        if head is None or head.seq != count or head.hash != prev:
            raise _Broken(
                count + 1,
                f"the chain ends at entry {count} but its head records entry "
                f"{head.seq if head else '?'}: the newest entries were deleted",
            )
        missing = [h for h in expected if h not in found]
        if missing:
            raise _Broken(
                None,
                f"the published head {missing[0]} is not in the chain: the entries up to it "
                "were deleted or changed",
            )
    except _Broken as broken:
        return ChainCheck(False, count, broken.seq, broken.problem, unkeyed)
    return ChainCheck(True, count, unkeyed=unkeyed, anchors=tuple(sorted(found.values())))


# --- reading the log (the organizers' audit page) ------------------------------------------


def _of_kind(kind: str) -> Any:
    """An action, or a family of actions: `paper` is every `paper.…`."""
    return (AuditEntry.action == kind) | AuditEntry.action.startswith(f"{kind}.")  # type: ignore[attr-defined]


def read_log(
    *,
    session: Session,
    kind: str | None = None,
    actor_id: int | None = None,
    before_seq: int | None = None,
    limit: int = 50,
) -> list[AuditEntry]:
    """Entries newest first, `limit` at a time; the next page starts before the last seq."""
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)  # type: ignore[union-attr]
    if kind:
        query = query.where(_of_kind(kind))
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if before_seq is not None:
        query = query.where(AuditEntry.seq < before_seq)
    return list(session.execute(query).scalars())


def kinds_in_log(*, session: Session) -> list[str]:
    """Every action the log holds, and each family of them (`paper`, `voting`), sorted."""
    actions = set(session.execute(select(AuditEntry.action).distinct()).scalars())
    return sorted(actions | {action.split(".")[0] for action in actions})


def actors_in_log(*, session: Session) -> list[int]:
    """The staff accounts that have entries in the log."""
    query = select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None)).distinct()  # type: ignore[union-attr]
    return sorted(session.execute(query).scalars())


def head_of(*, session: Session) -> AuditHead | None:
    return session.get(AuditHead, 1)


def saved(session: Session, row: Any, **entry: Any) -> AuditEntry:
    """A service's change and its entry: `row` added and flushed first (its id is known and
    the database's checks have spoken), then `append(session=session, **entry)`."""
    session.add(row)
    session.flush()
    return append(session=session, **entry)
