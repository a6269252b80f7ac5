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

Downgrading the keyed part to scheme 1 is refused by the key record (`InstanceKey`, one
row): the fingerprint of the key the database was first served with, and the entry the
chain is keyed from, sealed with the chain key. It is written at the first start (or
with the first keyed entry), under the head lock. `verify_chain` refuses any unkeyed
entry from that mark on, a mark whose seal fails, and a chain with entries but no record
unless some of them are keyed: a writer without the key cannot rewrite the chain as
scheme 1 and delete the record either, since the chain then has entries, none keyed, and
no record. `append` checks the record too, so an instance whose PBVOTE_SECRET_KEY is not
the database's writes nothing, and the app and the CLI refuse to start with it.

What the record cannot prove: that a database whose entries are all unkeyed and that has
no record never had one. Only a database from before scheme 2 that was not started since
looks like that; it is refused until its operator accepts it (`pbvote audit
accept-unkeyed`), ideally after checking it against a published head. Nor does the seal
name the database: a record copied from another database served with the same key
passes (with another mark). Changing
PBVOTE_SECRET_KEY is not supported: existing keyed entries, voters' person keys and codes
would stop verifying, so an instance with another key refuses to serve.
"""

import hashlib
import hmac
import json
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Integer, SmallInteger, String, Text, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Field, Session, SQLModel

from app.config import get_settings
from app.db import UTCDateTime, open_session, utcnow

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


class InstanceKey(SQLModel, table=True):
    """The key record: which PBVOTE_SECRET_KEY the database was first served with (an HMAC
    fingerprint, never the key) and the first entry that must be keyed; `seal` is an HMAC
    of the mark, so a writer without the key cannot move it. One row (id 1), written once."""

    __tablename__ = "instance_key"

    id: int = Field(primary_key=True)
    fingerprint: str = Field(max_length=64)
    keyed_from: int = Field(sa_column=Column(BigInteger, nullable=False))
    seal: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)


class KeyRefused(RuntimeError):
    """This database cannot be written with this key; the message says why and what to do."""


KEY_MISMATCH = (
    "PBVOTE_SECRET_KEY is not the key this database was started with (the fingerprint in "
    "its table instance_key differs). Served with it, voters could vote again and the audit "
    "chain would break. Set PBVOTE_SECRET_KEY back to the database's key: every instance "
    "of one database needs the same one. Changing the key of a database is not supported."
)


def key_fingerprint(key: bytes) -> str:
    """Names the chain key (so PBVOTE_SECRET_KEY) without revealing it."""
    return hmac.new(key, b"pbvote.key-fingerprint", hashlib.sha256).hexdigest()


def _seal(key: bytes, keyed_from: int) -> str:
    return hmac.new(key, f"pbvote.keyed-from:{keyed_from}".encode(), hashlib.sha256).hexdigest()


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
    head, record = _locked_head(session)
    _key_record(session, key, record)
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


def _locked_head(session: Session) -> tuple[AuditHead, InstanceKey | None]:
    """The head, locked, and the key record: one statement, since every append runs it.
    Re-read under the lock: a head this session read in an earlier transaction may be old."""
    head, record = session.execute(
        select(AuditHead, InstanceKey)
        .outerjoin(InstanceKey, InstanceKey.id == AuditHead.id)
        .where(AuditHead.id == 1)
        .with_for_update(of=AuditHead)
        .execution_options(populate_existing=True)
    ).one()
    return head, record


def _insert(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _key_record(
    session: Session, key: bytes, record: InstanceKey | None, *, accept_unkeyed: bool = False
) -> InstanceKey:
    """The database's key record (`record`, as read with the head), made on first use;
    refused unless it names `key`. The caller holds the head lock, so the record and the
    chain's appends take turns."""
    if record is None:
        keyed_from = _keyed_from_now(session, key, accept_unkeyed=accept_unkeyed)
        session.execute(  # another instance may have made it since: then it is read
            _insert(session)(InstanceKey)
            .values(
                id=1,
                fingerprint=key_fingerprint(key),
                keyed_from=keyed_from,
                seal=_seal(key, keyed_from),
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["id"])
        )
        record = session.get(InstanceKey, 1, populate_existing=True)
    if record is None or not hmac.compare_digest(record.fingerprint, key_fingerprint(key)):
        raise KeyRefused(KEY_MISMATCH)
    return record


def _keyed_from_now(session: Session, key: bytes, *, accept_unkeyed: bool) -> int:
    """Where a new key record marks the chain keyed from: its first keyed entry, or the
    next one. Refused when the chain's keyed entries are another key's, or when it has
    entries, none keyed, that nobody accepted (a downgrade looks just like that)."""
    first_keyed = session.execute(
        select(func.min(AuditEntry.seq)).where(AuditEntry.scheme == SCHEME_HMAC)
    ).scalar()
    if first_keyed is not None:
        newest = session.execute(
            select(AuditEntry)
            .where(AuditEntry.scheme == SCHEME_HMAC)
            .order_by(AuditEntry.seq.desc())  # type: ignore[attr-defined]
            .limit(1)
        ).scalar_one()
        if not hmac.compare_digest(newest.computed_hash(key), newest.hash):
            raise KeyRefused(
                f"the newest keyed audit entry ({newest.seq}) does not verify with this "
                "PBVOTE_SECRET_KEY: the key is not the one this database was written with, "
                "or that entry was changed. Set PBVOTE_SECRET_KEY back to the database's key."
            )
        return first_keyed
    last = session.execute(select(func.max(AuditEntry.seq))).scalar() or 0
    if last and not accept_unkeyed:
        raise KeyRefused(
            f"the audit chain has {last} entries, none keyed, and the database has no record "
            "of its key: either it is from before the chain was keyed (migration 0014) and "
            "was not served since, or someone without the key rewrote the chain and deleted "
            "the record. Check the chain against a published audit head, then run `pbvote "
            "audit accept-unkeyed --expect-head HEX` to key it from the next entry on."
        )
    return last + 1


def claim_key(*, session: Session, accept_unkeyed: bool = False) -> InstanceKey:
    """Checks that this database is served with its own key, and on its first start records
    it (race-safe: several instances may start at once). Raises KeyRefused otherwise."""
    _, record = _locked_head(session)
    return _key_record(session, key_of(session), record, accept_unkeyed=accept_unkeyed)


def key_problem(factory: sessionmaker[Session]) -> str | None:
    """Why this database cannot be served with the engine's key, or None (then recorded)."""
    with open_session(factory, write=True) as session:
        try:
            claim_key(session=session)
        except KeyRefused as refused:
            return str(refused)
        session.commit()
    return None


def count_refusals(*, session: Session, counts: dict[tuple[datetime, str], int]) -> None:
    """Adds anonymous refusals to their (hour, kind) counters, one statement each."""
    insert = _insert(session)
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
    keyed_from: int | None = None  # the key record's mark (None: no record)
    in_record: bool = False  # the problem is the key record's (missing, moved, another key)


class _Broken(Exception):
    def __init__(self, seq: int | None, problem: str, *, in_record: bool = False) -> None:
        super().__init__(problem)
        self.seq, self.problem, self.in_record = seq, problem, in_record


def _check_entry(
    entry: AuditEntry, *, seq: int, prev: str, must_be_keyed: str | None, key: bytes
) -> None:
    if entry.seq != seq:
        raise _Broken(seq, f"entry {seq} is missing (next stored is {entry.seq})")
    if entry.prev_hash != prev:
        raise _Broken(seq, "does not follow the entry before it (reordered or replaced)")
    if entry.scheme not in (SCHEME_SHA256, SCHEME_HMAC):
        raise _Broken(seq, f"it names an unknown hash scheme {entry.scheme}")
    if must_be_keyed and entry.scheme == SCHEME_SHA256:
        raise _Broken(seq, f"it is unkeyed but {must_be_keyed}: written without the secret key")
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


def _recorded_mark(session: Session, key: bytes) -> int | None:
    """The entry the key record says the chain is keyed from (None: no record)."""
    record = session.get(InstanceKey, 1, populate_existing=True)
    if record is None:
        return None
    if not hmac.compare_digest(record.fingerprint, key_fingerprint(key)):
        raise _Broken(
            None,
            "PBVOTE_SECRET_KEY is not the key this database was started with (the fingerprint "
            "in instance_key differs): its keyed entries cannot be verified with it",
            in_record=True,
        )
    if not hmac.compare_digest(record.seal, _seal(key, record.keyed_from)):
        raise _Broken(
            None,
            "the key record (instance_key) was changed without the key: its seal does not "
            "verify, so the entry the chain is keyed from was moved",
            in_record=True,
        )
    return record.keyed_from


def verify_chain(
    *, session: Session, batch_size: int = 5000, expect_heads: Iterable[str] = ()
) -> ChainCheck:
    """Checks every link and hash, the head row, the key record's mark (no unkeyed entry
    from it on), and that each expected (published) head is still an intact entry."""
    key = key_of(session)
    expected = {h.strip().lower(): None for h in expect_heads}
    found: dict[str, int] = {}
    prev, count, unkeyed, keyed_from = GENESIS_HASH, 0, 0, None
    try:
        keyed_from = _recorded_mark(session, key)
        for entry in _entries(session, batch_size):
            seq = count + 1
            if keyed_from is not None and seq >= keyed_from:
                must_be_keyed = f"the chain is keyed from entry {keyed_from} on"
            else:
                must_be_keyed = "follows keyed entries" if count > unkeyed else None
            _check_entry(entry, seq=seq, prev=prev, must_be_keyed=must_be_keyed, key=key)
            unkeyed += entry.scheme == SCHEME_SHA256
            if entry.hash in expected:
                found[entry.hash] = entry.seq
            prev, count = entry.hash, seq
        head = session.get(AuditHead, 1)
        if head is None or head.seq != count or head.hash != prev:
            raise _Broken(
                count + 1,
                f"the chain ends at entry {count} but its head records entry "
                f"{head.seq if head else '?'}: the newest entries were deleted",
            )
        if keyed_from is None and count and unkeyed == count:
            raise _Broken(
                None,
                f"none of its {count} entries is keyed and the database has no record of its "
                "key (instance_key): the chain was rewritten without the key and the record "
                "deleted, or it is from before the chain was keyed and was not served since "
                "(then see `pbvote audit accept-unkeyed`)",
                in_record=True,
            )
        if keyed_from is not None and keyed_from > count + 1:
            raise _Broken(
                count + 1,
                f"the chain is keyed from entry {keyed_from} but ends at entry {count}: "
                "the newest entries were deleted",
            )
        missing = [h for h in expected if h not in found]
        if missing:
            raise _Broken(
                None,
                f"the published head {missing[0]} is not in the chain: the entries up to it "
                "were deleted or changed",
            )
    except _Broken as broken:
        return ChainCheck(
            False,
            count,
            broken.seq,
            broken.problem,
            unkeyed,
            keyed_from=keyed_from,
            in_record=broken.in_record,
        )
    anchors = tuple(sorted(found.values()))
    return ChainCheck(True, count, unkeyed=unkeyed, anchors=anchors, keyed_from=keyed_from)


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
