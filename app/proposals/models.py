from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class ProposalStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"  # sent by the delegates for approval; edited again once returned
    approved = "approved"  # on the ballot, with a ballot number
    returned = "returned"  # sent back to the delegates with a reason


class Proposal(SQLModel, table=True):
    __tablename__ = "proposal"
    __table_args__ = (
        UniqueConstraint("process_id", "ballot_number"),
        CheckConstraint(
            "status IN ('draft', 'submitted', 'approved', 'returned')", name="status_known"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="pb_process.id", index=True)
    title: str = Field(max_length=200)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    cost_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    location: str | None = Field(default=None, max_length=300)
    category: str | None = Field(default=None, max_length=100)
    # {"es": {"title": ..., "summary": ...}, ...}: one entry per process language.
    translations: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    # The structural equity assessment: goal, stakeholders, benefits, burdens, equity, needs.
    equity_assessment: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # The costed lines [{"description": ..., "amount_cents": ...}]; cost_cents is their sum
    # when there are lines (None: a single cost given as a whole, as before lines existed).
    cost_lines: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    # A translation is stale when it is older than the source text it translates:
    # source_updated_at is when title, summary, location or the equity answers last changed,
    # translated_at[language] (ISO time) when that language's translation last changed.
    source_updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    translated_at: dict[str, str] | None = Field(default=None, sa_column=Column(JSON))
    status: str = Field(
        default=ProposalStatus.draft.value, sa_column=Column(String(20), nullable=False)
    )
    # Stable 1, 2, 3 ... in order of approval: printed on paper ballots.
    ballot_number: int | None = None
    return_reason: str | None = Field(default=None, sa_column=Column(Text))
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProposalIdea(SQLModel, table=True):
    """The ideas a proposal grew from."""

    __tablename__ = "proposal_idea"

    proposal_id: int = Field(foreign_key="proposal.id", primary_key=True)
    idea_id: int = Field(foreign_key="idea.id", primary_key=True, index=True)
