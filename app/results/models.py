from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class OfficialResult(SQLModel, table=True):
    """The count frozen when the process enters funding, with what it was counted from;
    public once an organizer publishes it (`publish_at`)."""

    __tablename__ = "official_result"

    process_id: int = Field(primary_key=True, foreign_key="pb_process.id")
    result: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    ballots_counted: int
    # SHA-256 of the published ballots.pb: anyone can check they recount the same file.
    ballots_sha256: str = Field(sa_column=Column(String(64), nullable=False))
    # The published file itself, byte for byte, so the export always matches the hash.
    ballots_file: str = Field(sa_column=Column(Text, nullable=False))
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The audit chain's head when the count became official: published with the result,
    # so `pbvote audit verify --expect-head` finds any later cut or rewrite of the log.
    audit_head: str | None = Field(default=None, sa_column=Column(String(64)))
    audit_head_seq: int | None = Field(default=None, sa_column=Column(BigInteger))
    # When the count goes public: None until an organizer publishes it, then now or a set
    # moment. Compared with the clock on every read, so no job has to run at that moment
    # and every app instance agrees.
    publish_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AwardStatus(StrEnum):
    awarded = "awarded"
    in_progress = "in_progress"
    completed = "completed"


class ProjectAward(SQLModel, table=True):
    """The money actually given to a funded project, and how its delivery is going."""

    __tablename__ = "project_award"
    __table_args__ = (UniqueConstraint("proposal_id"),)

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="pb_process.id", index=True)
    proposal_id: int = Field(foreign_key="proposal.id")
    amount_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    organisation: str = Field(max_length=200)
    status: str = Field(default=AwardStatus.awarded.value, max_length=20)
    note: str | None = Field(default=None, sa_column=Column(Text))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by_id: int = Field(foreign_key="user_account.id")
