import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from app.ideas.models import IdeaChannel, IdeaStatus
from app.ids import MAX_ID
from app.processes.schemas import LanguageKey

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
_PHONE = re.compile(r"^[0-9+()\-. ]{3,40}$")


def _language(value: str | None) -> str | None:
    if value is not None and not _LANGUAGE.match(value):
        raise ValueError("must be a language code such as en, es or vi")
    return value


def _email(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lower()
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or " " in value:
        raise ValueError("must be an email address such as name@example.org")
    return value


def _phone(value: str | None) -> str | None:
    if value is not None and not _PHONE.match(value):
        raise ValueError("must be a phone number: digits, spaces, + ( ) - . only")
    return value


Title = Annotated[str, Field(min_length=1, max_length=200)]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]
LanguageCode = Annotated[str | None, Field(default=None, max_length=8), AfterValidator(_language)]


class CriterionTranslation(BaseModel):
    """A criterion as delegates of another language read it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)


CriterionTranslations = Annotated[dict[LanguageKey, CriterionTranslation], Field(max_length=12)]


class CriterionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: int | None = Field(default=None, ge=1, le=MAX_ID)
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    weight: int = Field(default=1, strict=True, ge=1, le=100)
    translations: CriterionTranslations = Field(default_factory=dict)


class CriteriaUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    criteria: list[CriterionIn] = Field(min_length=1, max_length=12)

    @field_validator("criteria")
    @classmethod
    def _distinct(cls, value: list[CriterionIn]) -> list[CriterionIn]:
        names = [c.name.casefold() for c in value]
        if len(set(names)) != len(names):
            raise ValueError("each criterion name may be used once")
        ids = [c.id for c in value if c.id is not None]
        if len(set(ids)) != len(ids):
            raise ValueError("each criterion id may be listed once")
        return value


class CriterionOut(BaseModel):
    id: int
    position: int
    name: str
    description: str
    weight: int
    translations: dict[str, CriterionTranslation]


class IdeaCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title
    description: str = Field(min_length=1, max_length=5000)
    category: str | None = Field(default=None, min_length=1, max_length=100)
    neighborhood: str | None = Field(default=None, min_length=1, max_length=120)
    site_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    language: LanguageCode = None
    contact_name: str | None = Field(default=None, min_length=1, max_length=120)
    contact_email: Annotated[
        str | None, Field(default=None, max_length=254), AfterValidator(_email)
    ] = None
    contact_phone: Annotated[
        str | None, Field(default=None, max_length=40), AfterValidator(_phone)
    ] = None


class IdeaContact(BaseModel):
    name: str | None
    email: str | None
    phone: str | None


class IdeaOut(BaseModel):
    """An idea. `contact` and `moderation_reason` are filled for organizers only."""

    id: int
    process_id: int
    title: str
    description: str
    category: str | None
    neighborhood: str | None
    site_id: int | None
    language: str | None
    channel: IdeaChannel
    status: IdeaStatus
    merged_into_id: int | None
    created_at: datetime
    contact: IdeaContact | None = None
    moderation_reason: str | None = None


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    into_idea_id: int = Field(ge=1, le=MAX_ID)
    reason: Reason


class HideRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Reason


Score = Annotated[int, Field(strict=True, ge=1, le=5)]


class ScoreIn(BaseModel):
    """One 1-5 per criterion of the process, keyed by criterion id, and an optional comment."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    scores: dict[str, Score] = Field(min_length=1, max_length=12)
    comment: str | None = Field(default=None, max_length=2000)

    @field_validator("scores")
    @classmethod
    def _ids(cls, value: dict[str, int]) -> dict[str, int]:
        for key in value:
            if not (key.isascii() and key.isdigit()) or not 0 < int(key) <= MAX_ID:
                raise ValueError(f"{key!r} is not a criterion id; key each score by its id")
        return value


class ScoreOut(BaseModel):
    idea_id: int
    delegate_id: int
    scores: dict[str, int]
    comment: str | None
    weighted_score: float = Field(
        description="Σ weight×score / Σ weight over the criteria, rounded to 3 decimals"
    )
    weighted_score_exact: str = Field(description="The same as an exact fraction, e.g. '13/4'")
    updated_at: datetime


class CriterionMean(BaseModel):
    criterion_id: int
    name: str
    mean: float


class RankingRow(BaseModel):
    rank: int | None = Field(description="1 for the best-scored idea; null when unscored")
    idea_id: int
    title: str
    language: str | None = Field(default=None, description="The language the idea was written in")
    delegates: int = Field(description="How many delegates scored this idea")
    weighted_mean: float | None
    weighted_mean_exact: str | None
    spread: float | None = Field(
        description="Population standard deviation of the delegates' weighted scores"
    )
    criterion_means: list[CriterionMean]


class RankingOut(BaseModel):
    process_id: int
    definition: str
    criteria: list[CriterionOut]
    ideas: list[RankingRow]


class IdeaRateLimit(BaseModel):
    """Online ideas one address may send an hour; null lifts the limit."""

    model_config = ConfigDict(extra="forbid")

    idea_rate_limit: int | None = Field(strict=True, ge=1, le=100_000)
