"""Voting tables: rules, access codes, participation, ballots, receipts, kiosks.

What may join what (the secret ballot) is explained in `app.voting.service`; the short
version: `ballot` and `ballot_receipt` carry nothing that points at a voter, a code, a
check-in, a ticket or a moment finer than the day; the order they were written in
stays in the database files until the process enters funding (see `_reseal`).
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Column, Date, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class CredentialKind(StrEnum):
    code = "code"  # an access code, mailed or handed out
    identity = "identity"  # name, birth date and postal code
    both = "both"  # an access code AND the identity


class Channel(StrEnum):
    online = "online"
    kiosk = "kiosk"
    paper = "paper"


class VotingRules(SQLModel, table=True):
    """Who may vote online and how they prove it; one row per process, set in design."""

    __tablename__ = "voting_rules"
    __table_args__ = (
        CheckConstraint("credential IN ('code', 'identity', 'both')", name="credential_known"),
        CheckConstraint("min_age IS NULL OR min_age BETWEEN 0 AND 130", name="min_age_range"),
    )

    process_id: int = Field(primary_key=True, foreign_key="pb_process.id")
    credential: str = Field(default=CredentialKind.code.value, max_length=10)
    min_age: int | None = None
    # Postal codes of the area, normalised (upper case, no spaces); empty means any.
    postal_codes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AccessCodeBatch(SQLModel, table=True):
    __tablename__ = "access_code_batch"
    __table_args__ = (UniqueConstraint("process_id", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="pb_process.id", index=True)
    label: str = Field(max_length=100)
    size: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class AccessCode(SQLModel, table=True):
    """A single-use voting credential, stored only as a keyed hash."""

    __tablename__ = "access_code"

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="pb_process.id", index=True)
    batch_id: int = Field(foreign_key="access_code_batch.id", index=True)
    code_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    voided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Participation(SQLModel, table=True):
    """Who has voted, in any channel: one row per person and per access code.

    No ballot id, no time: see the secret-ballot notes in app.voting.service.
    """

    __tablename__ = "participation"
    __table_args__ = (
        UniqueConstraint("process_id", "person_key"),
        UniqueConstraint("process_id", "access_code_id"),
        CheckConstraint("channel IN ('online', 'kiosk', 'paper')", name="channel_known"),
        CheckConstraint(
            "person_key IS NOT NULL OR access_code_id IS NOT NULL", name="has_credential"
        ),
        CheckConstraint("(channel = 'online') = (site_id IS NULL)", name="site_iff_in_person"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # No index of its own: both unique constraints lead with process_id.
    process_id: int = Field(foreign_key="pb_process.id")
    person_key: str | None = Field(default=None, max_length=64)
    access_code_id: int | None = Field(default=None, foreign_key="access_code.id")
    channel: str = Field(max_length=10)
    site_id: int | None = Field(default=None, foreign_key="site.id")
    # Online only: the neighbourhood whose ZIP codes hold the ZIP the voter typed (never the
    # ZIP itself), for turnout by neighbourhood (app/equity); in person the site places them.
    neighborhood: str | None = Field(default=None, max_length=120)


class Ballot(SQLModel, table=True):
    """A cast ballot: nothing that leads back to the voter (WITHOUT ROWID on SQLite)."""

    __tablename__ = "ballot"
    __table_args__ = (
        CheckConstraint("channel IN ('online', 'kiosk', 'paper')", name="channel_known"),
        CheckConstraint("(channel = 'online') = (site_id IS NULL)", name="site_iff_in_person"),
        {"sqlite_with_rowid": False},
    )

    # 16 random bytes, hex: the only key, and the order ballots are listed in.
    id: str = Field(sa_column=Column(String(32), primary_key=True))
    process_id: int = Field(foreign_key="pb_process.id", index=True)
    ranking: list[int] = Field(sa_column=Column(JSON, nullable=False))
    channel: str = Field(max_length=10)
    site_id: int | None = Field(default=None, foreign_key="site.id", index=True)
    cast_on: date = Field(sa_column=Column(Date, nullable=False))


class BallotReceipt(SQLModel, table=True):
    """Proof a ballot was stored, for its voter only: no link to the ballot."""

    __tablename__ = "ballot_receipt"
    __table_args__ = ({"sqlite_with_rowid": False},)

    receipt_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    process_id: int = Field(foreign_key="pb_process.id", index=True)


class PollWorkerSite(SQLModel, table=True):
    __tablename__ = "poll_worker_site"

    site_id: int = Field(foreign_key="site.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, index=True)
    assigned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    assigned_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class KioskTicket(SQLModel, table=True):
    """One kiosk ballot for one checked-in voter: short-lived, single use, hashed."""

    __tablename__ = "kiosk_ticket"

    ticket_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    process_id: int = Field(foreign_key="pb_process.id", index=True)
    site_id: int = Field(foreign_key="site.id")
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The check-in this ticket votes for, only while it is unused: so a poll worker can
    # release or reissue a check-in that never became a ballot. Casting clears it in the
    # same statement that spends the ticket, so no spent ticket names its voter. No foreign
    # key: `_reseal` truncates participation, which PostgreSQL refuses for a referenced table.
    participation_id: int | None = None
    # When the voter opened the ballot at the kiosk: the ticket's clock runs from then.
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CastRate(SQLModel, table=True):
    """Ballots cast per hour, channel and client address (IPv4 whole, IPv6 by /64):
    what lets an organizer see made-up identities cast at speed, and the per-address
    ceiling for online casts that need no code. Nothing here joins a ballot or a voter:
    no ballot id, no participation, the hour only (see `app.voting.cast_rate`)."""

    __tablename__ = "cast_rate"

    process_id: int = Field(foreign_key="pb_process.id", primary_key=True)
    hour: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    channel: str = Field(primary_key=True, max_length=10)
    address: str = Field(primary_key=True, max_length=64)
    casts: int = 0
