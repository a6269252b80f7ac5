from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.inputs import AwareTime, field_problem
from app.processes.schemas import LanguageKey
from app.sites.models import SiteKind


class SiteTranslation(BaseModel):
    """The site's name as residents of another language read it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)


SiteTranslations = Annotated[dict[LanguageKey, SiteTranslation], Field(max_length=12)]


class SiteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    kind: SiteKind
    formal: bool = Field(default=False, strict=True)
    address: str = Field(min_length=1, max_length=500)
    neighborhood: str | None = Field(default=None, min_length=1, max_length=120)
    opens_at: AwareTime = None
    closes_at: AwareTime = None
    translations: SiteTranslations = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> "SiteCreate":
        if self.formal and self.kind != SiteKind.event:
            raise field_problem(
                "SiteCreate", "formal", "formal applies to idea-collection events only"
            )
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise field_problem("SiteCreate", "closes_at", "closes_at must be after opens_at")
        return self


class SiteOut(BaseModel):
    id: int
    process_id: int
    name: str
    kind: SiteKind
    formal: bool
    address: str
    neighborhood: str | None
    opens_at: datetime | None
    closes_at: datetime | None
    translations: dict[str, SiteTranslation]
    created_at: datetime
