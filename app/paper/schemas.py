from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.paper.interpret import OvervoteRule, SkippedRankRule

MAX_BALLOT_NUMBER = 999  # what a voter could write; numbers not on the ballot are ignored


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MarkIn(_Body):
    rank: Annotated[int, Field(strict=True, ge=1, le=30)]
    ballot_number: Annotated[int, Field(strict=True, ge=1, le=MAX_BALLOT_NUMBER)]


class SheetMarks(_Body):
    marks: list[MarkIn] = Field(default_factory=list, max_length=60)
    blank: bool = False
    unreadable: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> "SheetMarks":
        if self.blank and self.marks:
            raise ValueError("a sheet flagged blank cannot have marks")
        if self.blank and self.unreadable:
            raise ValueError("a sheet is blank or unreadable, not both")
        return self


class EntryIn(SheetMarks):
    sheet: Annotated[int, Field(strict=True, ge=1)]


class ResolveIn(SheetMarks):
    reason: str = Field(min_length=3, max_length=2000)


class ReasonIn(_Body):
    reason: str = Field(min_length=3, max_length=2000)


class BatchIn(_Body):
    site_id: Annotated[int, Field(strict=True, ge=1)]
    declared_sheets: Annotated[int, Field(strict=True, ge=1, le=10_000)]


class PaperRulesIn(_Body):
    overvote: OvervoteRule
    skipped_rank: SkippedRankRule


class PaperRulesOut(BaseModel):
    process_id: int
    overvote: OvervoteRule
    skipped_rank: SkippedRankRule
    description: list[str]


class BatchOut(BaseModel):
    id: int
    process_id: int
    site_id: int
    declared_sheets: int
    status: str
    status_reason: str | None
    created_at: datetime
    closed_at: datetime | None
    sheets_pending: int
    sheets_settled: int
    sheets_disputed: int
    sheets_missing: int


class EntryOut(BaseModel):
    sheet: int
    pass_number: int
    state: str  # the sheet's state after this entry


class EntryView(BaseModel):
    pass_number: int
    marks: list[MarkIn]
    blank: bool
    unreadable: bool
    entered_by_id: int


class DiscrepancyOut(BaseModel):
    sheet: int
    entries: list[EntryView]


class ImportOut(BaseModel):
    rows: int
    entered: int
    already_entered: int
    already_loaded: bool
    message: str


class ReconciliationRow(BaseModel):
    site_id: int
    site_name: str
    paper_check_ins: int
    sheets_entered: int
    sheets_declared: int
    difference: int  # sheets entered minus check-ins: non-zero needs an explanation


class ReconciliationOut(BaseModel):
    process_id: int
    sites: list[ReconciliationRow]
    total_check_ins: int
    total_sheets: int
    sites_with_difference: int
