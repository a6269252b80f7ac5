"""Paper ballots: batches of sheets from one site, each sheet typed in twice."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class BatchStatus(StrEnum):
    open = "open"
    closed = "closed"  # every sheet settled, count matches: read-only, counted
    excluded = "excluded"  # set aside by an organizer, with a reason: not counted


class SheetState(StrEnum):
    pending = "pending"  # one pass typed in
    settled = "settled"  # both passes agree, or an organizer resolved them
    disputed = "disputed"  # the passes differ: an organizer must decide


class PaperRules(SQLModel, table=True):
    """The published interpretation rules of a process (defaults when absent)."""

    __tablename__ = "paper_rules"

    process_id: int = Field(primary_key=True, foreign_key="pb_process.id")
    overvote: str = Field(default="skip_rank", max_length=20)
    skipped_rank: str = Field(default="close_gap", max_length=20)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PaperBatch(SQLModel, table=True):
    __tablename__ = "paper_batch"

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="pb_process.id", index=True)
    site_id: int = Field(foreign_key="site.id", index=True)
    declared_sheets: int
    status: str = Field(
        default=BatchStatus.open.value, sa_column=Column(String(10), nullable=False)
    )
    status_reason: str | None = Field(default=None, sa_column=Column(Text))
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class PaperEntry(SQLModel, table=True):
    """One typing of one sheet: the raw marks exactly as written."""

    __tablename__ = "paper_entry"
    __table_args__ = (UniqueConstraint("batch_id", "sheet", "pass_number"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="paper_batch.id", index=True)
    sheet: int
    pass_number: int
    marks: list[Any] = Field(sa_column=Column(JSON, nullable=False))  # [[rank, number], ...]
    blank: bool = False
    unreadable: bool = False
    entered_by_id: int = Field(foreign_key="user_account.id")
    entered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PaperSheet(SQLModel, table=True):
    """A sheet's settled raw marks (both passes agree, or an organizer's decision)."""

    __tablename__ = "paper_sheet"

    batch_id: int = Field(foreign_key="paper_batch.id", primary_key=True)
    sheet: int = Field(primary_key=True)
    state: str = Field(sa_column=Column(String(10), nullable=False))
    marks: list[Any] | None = Field(default=None, sa_column=Column(JSON))
    blank: bool = False
    unreadable: bool = False
    resolved_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    resolution_reason: str | None = Field(default=None, sa_column=Column(Text))
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PaperImport(SQLModel, table=True):
    """A loaded CSV file, by its SHA-256: loading the same file again changes nothing."""

    __tablename__ = "paper_import"
    __table_args__ = (UniqueConstraint("batch_id", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="paper_batch.id", index=True)
    sha256: str = Field(max_length=64)
    rows: int
    imported_by_id: int = Field(foreign_key="user_account.id")
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
