import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from app.inputs import AwareTime, field_problem
from app.processes.phases import Phase
from app.tally.errors import TallyError
from app.tally.rules import SUPPORT_METHODS, MinSupport


class CountMethod(StrEnum):
    borda = "borda"
    approval = "approval"
    irv = "irv"
    stv = "stv"
    mes = "mes"


class CountFill(StrEnum):
    skip = "skip"
    stop = "stop"


class TieBreak(StrEnum):
    seeded = "seeded"
    lexicographic = "lexicographic"


_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")


def _languages(value: list[str]) -> list[str]:
    for code in value:
        if not _LANGUAGE.match(code):
            raise ValueError(f"{code!r} is not a language code such as en, es or vi")
    if len(set(value)) != len(value):
        raise ValueError("each language may be listed once")
    return value


def _currency(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise ValueError("must be a three-letter currency code such as USD")
    return value


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not a time zone such as America/New_York") from None
    return value


def _groups(value: list[list[int]]) -> list[list[int]]:
    for group in value:
        if len(set(group)) != len(group):
            raise ValueError("an exclusive group lists a ballot number twice")
    return value


def _min_support(value: str) -> str:
    try:
        label = MinSupport.parse(value).label()
    except TallyError as exc:
        raise ValueError(str(exc)) from None
    if len(label) > 20:
        raise ValueError("a minimum support is at most 20 characters, such as votes:5%")
    return label


def support_applies(method: str, min_support: str) -> bool:
    """A minimum support other than the default needs a method that funds by support."""
    return method in SUPPORT_METHODS or MinSupport.parse(min_support) == MinSupport()


SUPPORT_REFUSED = (
    "count_min_support applies to borda, approval and mes only; irv and stv take votes:1"
)
Cents = Annotated[int, Field(strict=True, gt=0, le=10**15)]
# Ballot numbers of which at most one project may be funded, e.g. two for the same place.
ExclusiveGroup = Annotated[
    list[Annotated[int, Field(strict=True, ge=1)]], Field(min_length=2, max_length=50)
]
ExclusiveGroups = Annotated[list[ExclusiveGroup], Field(max_length=200), AfterValidator(_groups)]
Languages = Annotated[list[str], Field(min_length=1, max_length=12), AfterValidator(_languages)]

Currency = Annotated[str, AfterValidator(_currency)]
TimeZone = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_time_zone)]
BallotSize = Annotated[int, Field(strict=True, ge=1, le=10)]
Seats = Annotated[int, Field(strict=True, ge=1, le=1000)]
# votes:N, points:N, votes:P% or points:P%, kept as app.tally writes it.
MinSupportText = Annotated[str, Field(min_length=1, max_length=20), AfterValidator(_min_support)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=20_000)]


class ProcessTranslation(BaseModel):
    """The name and description as a reader of another language sees them."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name
    description: Description = ""


LanguageKey = Annotated[str, Field(pattern=_LANGUAGE.pattern)]
Translations = Annotated[dict[LanguageKey, ProcessTranslation], Field(max_length=12)]


class _WindowCheck(BaseModel):
    @model_validator(mode="after")
    def _window_in_order(self):
        opens, closes = (
            getattr(self, "voting_opens_at", None),
            getattr(self, "voting_closes_at", None),
        )
        if opens and closes and opens >= closes:
            raise field_problem(
                type(self).__name__,
                "voting_closes_at",
                "voting_closes_at must be after voting_opens_at",
                "window_order",
            )
        return self


class ProcessCreate(_WindowCheck):
    @model_validator(mode="after")
    def _stv_needs_seats(self):
        if self.count_method == CountMethod.stv and self.count_seats is None:
            raise field_problem(
                "ProcessCreate",
                "count_seats",
                "count_seats (how many projects stv elects) is needed for stv",
            )
        if not support_applies(self.count_method, self.count_min_support):
            raise field_problem("ProcessCreate", "count_min_support", SUPPORT_REFUSED)
        return self

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name
    description: Description = ""
    budget_cents: Cents
    currency: Currency = "USD"
    ballot_size: BallotSize = 5
    languages: Languages = Field(default_factory=lambda: ["en", "es", "vi"])
    translations: Translations = Field(default_factory=dict)
    time_zone: TimeZone = "UTC"
    voting_opens_at: AwareTime = None
    voting_closes_at: AwareTime = None
    count_method: CountMethod = CountMethod.borda
    count_seats: Seats | None = None
    count_fill: CountFill = CountFill.skip
    count_min_support: MinSupportText = "votes:1"
    count_exclusive: ExclusiveGroups = Field(default_factory=list)
    tie_break: TieBreak = TieBreak.seeded
    # "Yes, I mean it": a window in the past or more than a year ahead (not stored).
    confirm_window: bool = Field(default=False, strict=True)


class ProcessUpdate(_WindowCheck):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name | None = None
    description: Description | None = None
    budget_cents: Cents | None = None
    currency: Currency | None = None
    ballot_size: BallotSize | None = None
    languages: Languages | None = None
    translations: Translations | None = None
    time_zone: TimeZone | None = None
    voting_opens_at: AwareTime = None
    voting_closes_at: AwareTime = None
    count_method: CountMethod | None = None
    count_seats: Seats | None = None
    count_fill: CountFill | None = None
    count_min_support: MinSupportText | None = None
    count_exclusive: ExclusiveGroups | None = None
    tie_break: TieBreak | None = None
    confirm_window: bool = Field(default=False, strict=True)


# Fields that voting depends on: fixed once the process leaves `design`.
RULE_FIELDS = frozenset(
    {
        "budget_cents",
        "currency",
        "ballot_size",
        "languages",
        "count_method",
        "count_seats",
        "count_fill",
        "count_min_support",
        "count_exclusive",
        "tie_break",
    }
)
# The window may still move while voting has not opened (dates slip in a months-long cycle).
WINDOW_FIELDS = frozenset({"voting_opens_at", "voting_closes_at"})
# Every date residents read is said in it: fixed with the window once voting opens.
ZONE_FIELD = "time_zone"


class ProcessOut(BaseModel):
    id: int
    name: str
    description: str
    phase: Phase
    budget_cents: int
    currency: str
    ballot_size: int
    languages: list[str]
    translations: dict[str, dict[str, str]]
    time_zone: str
    voting_opens_at: datetime | None
    voting_closes_at: datetime | None
    count_method: CountMethod
    count_seats: int | None
    count_fill: CountFill
    count_min_support: str
    count_exclusive: list[list[int]]
    tie_break: TieBreak
    tie_break_seed: str | None
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None = None
    # None: a draft, seen by staff only until an organizer publishes it.
    published_at: datetime | None = None


class TransitionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    to: Phase
    reason: str = Field(min_length=1, max_length=2000)
    # Needed when the move has differences to acknowledge (before funding: paper sheets
    # against check-ins per site, ballots against voters per channel); kept with the results.
    note: str = Field(default="", max_length=4000)


class TransitionOut(BaseModel):
    id: int
    from_phase: Phase
    to_phase: Phase
    actor_id: int
    reason: str
    at: datetime
    note: str | None = None
    # The differences the note acknowledges: {"text", "key", "values"} each.
    differences: list[dict[str, Any]] | None = None


class WindowChangeRequest(BaseModel):
    """Extend or shorten the voting window while voting is open; residents read the reason."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    voting_closes_at: AwareTime = None
    # "End voting now": the close is the moment the change is made, as the page's button.
    end_now: bool = False
    # Only while the opening is still ahead (voting entered before its window).
    voting_opens_at: AwareTime = None
    reason: str = Field(min_length=1, max_length=2000)
    # On an extension: the voting sites that closed at the old close close at the new one.
    move_site_hours: bool = Field(default=False, strict=True)

    @model_validator(mode="after")
    def _a_close_is_given(self):
        if self.end_now and self.voting_closes_at is not None:
            raise field_problem(
                "WindowChangeRequest",
                "voting_closes_at",
                "give either a new close or end_now, not both",
            )
        if self.voting_closes_at is None and not self.end_now:
            raise field_problem(
                "WindowChangeRequest",
                "voting_closes_at",
                'give the new close, e.g. 2027-04-24T00:00:00Z, or "end_now": true',
            )
        return self


class WindowChangeOut(BaseModel):
    id: int
    old_closes_at: datetime | None
    new_closes_at: datetime
    old_opens_at: datetime | None
    new_opens_at: datetime | None
    actor_id: int
    reason: str
    at: datetime


class ArchiveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    archived: bool = True
    reason: str = Field(default="", max_length=2000)


class CopyRequest(BaseModel):
    """A new process in design with this one's set-up (no ideas, proposals or ballots).
    `names`: the new name in the process's other languages; a language not named here has
    no translated name in the copy (last cycle's would carry last cycle's year)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name
    names: Annotated[dict[LanguageKey, Name], Field(max_length=12)] = Field(default_factory=dict)
