"""Ideas, the delegates' scoring criteria, delegate scores, and the submission counter."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class Criterion(SQLModel, table=True):
    """One question delegates score ideas against, with its weight in the ranking."""

    __tablename__ = "criterion"
    __table_args__ = (
        UniqueConstraint("process_id", "position"),
        CheckConstraint("weight > 0", name="weight_positive"),
        CheckConstraint("position > 0", name="position_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="pb_process.id", index=True)
    position: int
    name: str = Field(max_length=120)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    weight: int = 1
    # {"es": {"name": ..., "description": ...}}: as delegates of another language read it.
    translations: dict[str, dict[str, str]] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )


class IdeaStatus(StrEnum):
    visible = "visible"
    hidden = "hidden"  # abuse, hidden by an organizer with a reason
    merged = "merged"  # a duplicate, merged into merged_into_id


class IdeaChannel(StrEnum):
    online = "online"  # submitted by a resident on the web
    paper = "paper"  # a paper form typed in by staff


class Idea(SQLModel, table=True):
    __tablename__ = "idea"
    __table_args__ = (
        CheckConstraint("status IN ('visible', 'hidden', 'merged')", name="status_known"),
        CheckConstraint("channel IN ('online', 'paper')", name="channel_known"),
        CheckConstraint(
            "(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_iff_target"
        ),
        CheckConstraint("merged_into_id <> id", name="not_merged_into_itself"),
    )

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="pb_process.id", index=True)
    title: str = Field(max_length=200)
    description: str = Field(sa_column=Column(Text, nullable=False))
    category: str | None = Field(default=None, max_length=100)
    neighborhood: str | None = Field(default=None, max_length=120)
    site_id: int | None = Field(default=None, foreign_key="site.id", index=True)
    language: str | None = Field(default=None, max_length=8)
    # Contact details: shown to organizers only, never in a public response.
    contact_name: str | None = Field(default=None, max_length=120)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=40)
    channel: str = Field(sa_column=Column(String(10), nullable=False))
    status: str = Field(
        default=IdeaStatus.visible.value, sa_column=Column(String(10), nullable=False)
    )
    merged_into_id: int | None = Field(default=None, foreign_key="idea.id")
    moderation_reason: str | None = Field(default=None, sa_column=Column(Text))
    submitted_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DelegateScore(SQLModel, table=True):
    """One delegate's scoring of one idea: a row per delegate and idea, replaced on re-scoring."""

    __tablename__ = "delegate_score"
    __table_args__ = (UniqueConstraint("idea_id", "delegate_id"),)

    id: int | None = Field(default=None, primary_key=True)
    idea_id: int = Field(foreign_key="idea.id", index=True)
    delegate_id: int = Field(foreign_key="user_account.id", index=True)
    comment: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CriterionScore(SQLModel, table=True):
    """The 1-5 a delegate gave one criterion within a DelegateScore."""

    __tablename__ = "criterion_score"
    __table_args__ = (CheckConstraint("value BETWEEN 1 AND 5", name="value_1_to_5"),)

    delegate_score_id: int = Field(
        sa_column=Column(
            Integer,
            # ondelete: a re-score deletes the old values with the row that holds them.
            ForeignKey("delegate_score.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    criterion_id: int = Field(foreign_key="criterion.id", primary_key=True)
    value: int


class IdeaSubmissionCounter(SQLModel, table=True):
    """Online idea submissions per client address per hour, shared by every app instance."""

    __tablename__ = "idea_submission_counter"

    client_address: str = Field(primary_key=True, max_length=100)
    window_start: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    submissions: int = 0
