from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.ids import MAX_ID
from app.proposals.models import ProposalStatus

Cents = Annotated[int, Field(strict=True, gt=0, le=10**12)]
Title = Annotated[str, Field(min_length=1, max_length=200)]
Summary = Annotated[str, Field(min_length=1, max_length=10_000)]
Answer = Annotated[str | None, Field(default=None, min_length=1, max_length=5000)]
LanguageKey = Annotated[str, Field(min_length=2, max_length=8)]
IdeaIds = Annotated[list[Annotated[int, Field(ge=1, le=MAX_ID)]], Field(max_length=100)]


class Translation(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title
    summary: Summary
    # Where, in the reader's words; the proposal's own location when absent.
    location: str | None = Field(default=None, min_length=1, max_length=300)
    # The equity assessment's answers in this language (optional: voters read the source
    # language's answers where a translation is missing).
    equity_assessment: "EquityAssessment | None" = None


class CostLine(BaseModel):
    """One costed line of a proposal: what it pays for and how much."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    description: str = Field(min_length=1, max_length=300)
    amount_cents: Cents


CostLines = Annotated[list[CostLine], Field(min_length=1, max_length=50)]


def _cost_from_lines(body):
    """With lines, the cost is their sum: filled in when absent, refused when it differs."""
    if body.cost_lines:
        total = sum(line.amount_cents for line in body.cost_lines)
        if body.cost_cents is not None and body.cost_cents != total:
            raise ValueError(
                f"cost_cents ({body.cost_cents}) must equal the sum of cost_lines ({total})"
            )
        body.cost_cents = total
    return body


class EquityAssessment(BaseModel):
    """The structural equity assessment of the source document: six questions, every one
    answered before a proposal can go on the ballot (EQUITY_QUESTIONS, in the order asked)."""

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


EQUITY_QUESTIONS = tuple(EquityAssessment.model_fields)
Translation.model_rebuild()


def _distinct(value: list[int] | None) -> list[int] | None:
    if value is not None and len(set(value)) != len(value):
        raise ValueError("each idea may be listed once")
    return value


class ProposalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title
    summary: Summary
    # Either the whole cost, or cost_lines whose sum it is (both: they must agree).
    cost_cents: Cents | None = None
    cost_lines: CostLines | None = None
    idea_ids: IdeaIds = Field(min_length=1)
    location: str | None = Field(default=None, min_length=1, max_length=300)
    category: str | None = Field(default=None, min_length=1, max_length=100)
    translations: dict[LanguageKey, Translation] = Field(default_factory=dict, max_length=12)
    equity_assessment: EquityAssessment | None = None

    _ideas = field_validator("idea_ids")(_distinct)

    @model_validator(mode="after")
    def _cost(self):
        _cost_from_lines(self)
        if self.cost_cents is None:
            raise ValueError("give cost_cents or cost_lines")
        return self


class ProposalUpdate(BaseModel):
    """Only the fields sent change; location, category and equity_assessment may be null."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title | None = None
    summary: Summary | None = None
    cost_cents: Cents | None = None
    # Lines replace the cost with their sum; cost_cents alone drops the lines.
    cost_lines: CostLines | None = None
    idea_ids: IdeaIds | None = Field(default=None, min_length=1)
    location: str | None = Field(default=None, min_length=1, max_length=300)
    category: str | None = Field(default=None, min_length=1, max_length=100)
    translations: dict[LanguageKey, Translation] | None = Field(default=None, max_length=12)
    equity_assessment: EquityAssessment | None = None

    _ideas = field_validator("idea_ids")(_distinct)
    _cost = model_validator(mode="after")(_cost_from_lines)


class ReturnRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=2000)


class ProposalOut(BaseModel):
    id: int
    process_id: int
    title: str
    summary: str
    cost_cents: int
    cost_lines: list[CostLine] | None = None
    location: str | None
    category: str | None
    translations: dict[str, Translation]
    equity_assessment: EquityAssessment | None
    stale_translations: list[str] = Field(
        default_factory=list,
        description="Languages whose translation is older than the source text it translates",
    )
    missing_for_ballot: list[str] = Field(
        default_factory=list,
        description="What approval still waits for: 'translation:<lang>' and 'equity:<question>'",
    )
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
