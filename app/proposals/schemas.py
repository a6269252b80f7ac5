from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.proposals.models import ProposalStatus

Cents = Annotated[int, Field(strict=True, gt=0, le=10**12)]
Title = Annotated[str, Field(min_length=1, max_length=200)]
Summary = Annotated[str, Field(min_length=1, max_length=10_000)]
Answer = Annotated[str | None, Field(default=None, min_length=1, max_length=5000)]
LanguageKey = Annotated[str, Field(min_length=2, max_length=8)]
IdeaIds = Annotated[list[Annotated[int, Field(ge=1, le=2**31 - 1)]], Field(max_length=100)]


class Translation(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title
    summary: Summary
    # Where, in the reader's words; the proposal's own location when absent.
    location: str | None = Field(default=None, min_length=1, max_length=300)


class EquityAssessment(BaseModel):
    """The structural equity assessment of the source document: six questions."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    goal: Answer = None
    stakeholders: Answer = Field(
        default=None, description="Who the stakeholders are and how they are engaged"
    )
    benefits: Answer = Field(default=None, description="Which communities benefit")
    burdens: Answer = Field(default=None, description="Which communities are burdened")
    equity_impact: Answer = Field(
        default=None, description="How it improves or worsens racial and social inequity"
    )
    needs: Answer = Field(default=None, description="What else it needs to succeed")


def _distinct(value: list[int] | None) -> list[int] | None:
    if value is not None and len(set(value)) != len(value):
        raise ValueError("each idea may be listed once")
    return value


class ProposalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title
    summary: Summary
    cost_cents: Cents
    idea_ids: IdeaIds = Field(min_length=1)
    location: str | None = Field(default=None, min_length=1, max_length=300)
    category: str | None = Field(default=None, min_length=1, max_length=100)
    translations: dict[LanguageKey, Translation] = Field(default_factory=dict, max_length=12)
    equity_assessment: EquityAssessment | None = None

    _ideas = field_validator("idea_ids")(_distinct)


class ProposalUpdate(BaseModel):
    """Only the fields sent change; location, category and equity_assessment may be null."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title | None = None
    summary: Summary | None = None
    cost_cents: Cents | None = None
    idea_ids: IdeaIds | None = Field(default=None, min_length=1)
    location: str | None = Field(default=None, min_length=1, max_length=300)
    category: str | None = Field(default=None, min_length=1, max_length=100)
    translations: dict[LanguageKey, Translation] | None = Field(default=None, max_length=12)
    equity_assessment: EquityAssessment | None = None

    _ideas = field_validator("idea_ids")(_distinct)


class ReturnRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=2000)


class ProposalOut(BaseModel):
    id: int
    process_id: int
    title: str
    summary: str
    cost_cents: int
    location: str | None
    category: str | None
    translations: dict[str, Translation]
    equity_assessment: EquityAssessment | None
    status: ProposalStatus
    ballot_number: int | None
    return_reason: str | None
    idea_ids: list[int]
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime


class BallotEntry(BaseModel):
    ballot_number: int
    proposal_id: int
    title: str
    summary: str
    cost_cents: int
    category: str | None
    location: str | None
    language: str = Field(description="The language this entry's title and summary are in")


class BallotOut(BaseModel):
    process_id: int
    phase: str
    language: str = Field(description="The language served (asked for, or the process's first)")
    languages: list[str]
    currency: str
    budget_cents: int
    ballot_size: int
    total_cost_cents: int
    proposals: list[BallotEntry]
