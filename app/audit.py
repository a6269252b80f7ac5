"""Append-only, hash-chained audit log.

Each entry's hash covers its content and the previous entry's hash; a one-row head
holds the last sequence number and hash. Appenders lock the head row, so the chain
has one order even with several app instances on one PostgreSQL (on SQLite every
writer already holds the database write lock). Editing, deleting or reordering any
entry, or dropping the newest ones, breaks the chain at a place `verify_chain` names.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, String, Text, select
from sqlmodel import Field, Session, SQLModel

from app.db import UTCDateTime, utcnow

GENESIS_HASH = "0" * 64


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

    def computed_hash(self) -> str:
        """The hash this entry's stored content and link should have."""
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
        )


class AuditHead(SQLModel, table=True):
    __tablename__ = "audit_head"

    id: int = Field(primary_key=True)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    hash: str = Field(sa_column=Column(Text, nullable=False))


@dataclass(frozen=True)
class Actor:
    """Who did something: a staff account, or an anonymous role (public, voter, system)."""

    role: str
    user_id: int | None = None

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
) -> str:
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
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def append(
    *,
    session: Session,
    actor: Actor,
    action: str,
    target: str,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    at = utcnow()
    fields: dict[str, Any] = {
        "seq": head.seq + 1,
        "at": at,
        "actor_id": actor.user_id,
        "actor_role": actor.role,
        "action": action,
        "target": target[:200],
        "outcome": outcome[:32],
        "detail": detail or {},
        "prev_hash": head.hash,
    }
    entry = AuditEntry(**fields, hash=entry_hash(**fields))
    head.seq, head.hash = entry.seq, entry.hash
    session.add(entry)
    session.add(head)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify_chain(*, session: Session, batch_size: int = 5000) -> ChainCheck:
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    last_seq = 0
    while True:
        batch = (
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.seq > last_seq)
                .order_by(AuditEntry.seq)
                .limit(batch_size)
            )
            .scalars()
            .all()
        )
        if not batch:
            break
        for entry in batch:
            if entry.seq != expected_seq:
                return ChainCheck(
                    False,
                    count,
                    expected_seq,
                    f"entry {expected_seq} is missing (next stored is {entry.seq})",
                )
            if entry.prev_hash != expected_prev:
                return ChainCheck(
                    False,
                    count,
                    entry.seq,
                    "does not follow the entry before it (reordered or replaced)",
                )
            if entry.computed_hash() != entry.hash:
                return ChainCheck(False, count, entry.seq, "its content was changed after writing")
            expected_prev, expected_seq = entry.hash, entry.seq + 1
            count += 1
        last_seq = batch[-1].seq
    head = session.get(AuditHead, 1)
    if head is None or head.seq != count or head.hash != expected_prev:
        return ChainCheck(
            False,
            count,
            count + 1,
            f"the chain ends at entry {count} but its head records entry "
            f"{head.seq if head else '?'}: the newest entries were deleted",
        )
    return ChainCheck(True, count)
