from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Integer, String, Text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class Process(SQLModel, table=True):
    __tablename__ = "pb_process"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    phase: str = Field(sa_column=Column(String(32), nullable=False, index=True))
    # Rules: fixed once the process leaves `design`.
    budget_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    currency: str = Field(max_length=3)
    ballot_size: int = 5
    languages: list[str] = Field(sa_column=Column(JSON, nullable=False))
    # {"es": {"name": ..., "description": ...}}: the name and description in other languages.
    translations: dict[str, dict[str, str]] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    # The IANA time zone (America/New_York) every date of the process is shown in; times
    # are stored in UTC.
    time_zone: str = Field(
        default="UTC", sa_column=Column(String(64), nullable=False, server_default="UTC")
    )
    # Online ideas one client address may send an hour (None: no limit); never counted for
    # signed-in staff or kiosks.
    idea_rate_limit: int | None = Field(default=20)
    # Minutes a kiosk voter has from opening the ballot to casting it.
    kiosk_ticket_minutes: int = Field(
        default=15, sa_column=Column(Integer, nullable=False, server_default="15")
    )
    voting_opens_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    voting_closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    count_method: str = Field(default="borda", max_length=20)
    count_seats: int | None = None  # stv only: how many projects to elect
    # Funding down the count's order: "skip" a project that no longer fits and go on, or
    # "stop" there (the rest carries over).
    count_fill: str = Field(
        default="skip", sa_column=Column(String(10), nullable=False, server_default="skip")
    )
    # The least support a project needs to be funded (borda, approval, mes): votes:N,
    # points:N, votes:P% or points:P% (see app.tally.rules.MinSupport).
    count_min_support: str = Field(
        default="votes:1",
        sa_column=Column(String(20), nullable=False, server_default="votes:1"),
    )
    # Groups of ballot numbers of which at most one project is funded.
    count_exclusive: list[list[int]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    # Tie-break: "seeded" (a permutation from tie_break_seed, drawn when voting opens)
    # or "lexicographic".
    tie_break: str = Field(default="seeded", max_length=20)
    tie_break_seed: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    # Archived: kept for the record and reachable by its address, but no longer listed
    # on the residents' home page or the organizers' default list.
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Published: residents see the process from then on; until then (a draft in design)
    # its pages are for staff only (app/web/deps.py DraftHidden).
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PhaseTransition(SQLModel, table=True):
    __tablename__ = "phase_transition"

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="pb_process.id", index=True)
    from_phase: str = Field(max_length=32)
    to_phase: str = Field(max_length=32)
    actor_id: int = Field(foreign_key="user_account.id")
    reason: str = Field(sa_column=Column(Text, nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The organizer's note acknowledging the differences the move went ahead with (the
    # count's, before funding), and those differences ({"text", "key", "values"} each).
    note: str | None = Field(default=None, sa_column=Column(Text))
    differences: list[Any] | None = Field(default=None, sa_column=Column(JSON))


class WindowChange(SQLModel, table=True):
    """The voting window moved while voting was open (extended or shortened), and why:
    audited, and shown to residents on the process page."""

    __tablename__ = "voting_window_change"

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="pb_process.id", index=True)
    old_closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    new_closes_at: datetime = Field(sa_type=UTCDateTime)
    # The opening moves only before voting has opened (no ballot can exist yet).
    old_opens_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    new_opens_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    actor_id: int = Field(foreign_key="user_account.id")
    reason: str = Field(sa_column=Column(Text, nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
