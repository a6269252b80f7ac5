"""Request and response bodies for voting."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from app.ids import Id
from app.inputs import IsoDate
from app.voting.credentials import CodeTypo, canonical_access_code, normalise_postal_code
from app.voting.models import CredentialKind


def _access_code(value: str) -> str:
    try:
        return canonical_access_code(value)
    except CodeTypo as exc:
        # Refused here, before any database work: a typo is not a guess.
        raise PydanticCustomError(
            "code_typo", "Check the code for a typo: {reason}.", {"reason": str(exc)}
        ) from exc


AccessCodeText = Annotated[str, Field(min_length=1, max_length=40), AfterValidator(_access_code)]
PostalCode = Annotated[
    str, Field(min_length=1, max_length=12), AfterValidator(normalise_postal_code)
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _plausible_birth_date(value: date) -> date:
    if value >= date.today() or value.year < 1890:
        raise ValueError("give the voter's real birth date, e.g. 1990-04-02")
    return value


class IdentityIn(_Body):
    name: str = Field(min_length=1, max_length=200)
    birth_date: Annotated[IsoDate, AfterValidator(_plausible_birth_date)]
    postal_code: PostalCode


class CredentialIn(_Body):
    access_code: AccessCodeText | None = None
    identity: IdentityIn | None = None
    kiosk_ticket: str | None = Field(default=None, min_length=1, max_length=40)
    kiosk_token: str | None = Field(default=None, min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_way_to_vote(self) -> "CredentialIn":
        if self.kiosk_ticket is not None:
            if self.access_code is not None or self.identity is not None:
                raise ValueError("a kiosk ticket is used on its own, without code or identity")
            if self.kiosk_token is None:
                raise ValueError("a kiosk ballot needs the kiosk's kiosk_token too")
        elif self.kiosk_token is not None:
            raise ValueError("kiosk_token goes with a kiosk_ticket")
        elif self.access_code is None and self.identity is None:
            raise ValueError("give an access_code, an identity, or a kiosk_ticket")
        return self


class BallotIn(_Body):
    credential: CredentialIn
    # Checked against the ballot (size, repeats, membership) by the service, so the
    # refusal is audited; the bound here only caps the payload.
    ranking: list[StrictInt] = Field(max_length=50)


class ReceiptOut(BaseModel):
    receipt: str
    message: str


class ReceiptStatus(BaseModel):
    receipt: str
    status: Literal["counted"]


class VotingRulesIn(_Body):
    credential: CredentialKind = CredentialKind.code
    min_age: Annotated[StrictInt, Field(ge=0, le=130)] | None = None
    postal_codes: list[PostalCode] = Field(default_factory=list, max_length=2000)


class VotingRulesOut(BaseModel):
    process_id: int
    credential: CredentialKind
    min_age: int | None
    postal_codes: list[str]


class AccessCodesIn(_Body):
    count: Annotated[StrictInt, Field(ge=1, le=10_000)]
    label: str = Field(min_length=1, max_length=100)


class AccessCodesOut(BaseModel):
    batch_id: int
    label: str
    codes: list[str]


class VoidIn(_Body):
    code: AccessCodeText | None = None
    batch_id: Id | None = None
    label: str | None = Field(default=None, min_length=1, max_length=100)
    reason: str | None = Field(default=None, max_length=2000)  # kept in the audit log

    @model_validator(mode="after")
    def _exactly_one(self) -> "VoidIn":
        if sum(v is not None for v in (self.code, self.batch_id, self.label)) != 1:
            raise ValueError("give exactly one of code, batch_id or label")
        return self


class VoidOut(BaseModel):
    voided: int


class PollWorkerIn(_Body):
    user_id: Id


class PollWorkerOut(BaseModel):
    site_id: int
    user_id: int


class KioskIn(_Body):
    site_id: Id


class KioskOut(BaseModel):
    kiosk_token: str
    site_id: int
    expires_at: datetime


class CheckInIn(_Body):
    site_id: Id
    mode: Literal["kiosk", "paper"]
    identity: IdentityIn | None = None
    access_code: AccessCodeText | None = None

    @model_validator(mode="after")
    def _has_credential(self) -> "CheckInIn":
        if self.identity is None and self.access_code is None:
            raise ValueError("give the voter's identity or access_code")
        return self


class CheckInOut(BaseModel):
    mode: Literal["kiosk", "paper"]
    site_id: int
    kiosk_ticket: str | None = None
    ticket_expires_at: datetime | None = None
    message: str


class TurnoutRow(BaseModel):
    channel: str
    site_id: int | None
    day: date
    ballots: int


class TurnoutOut(BaseModel):
    process_id: int
    ballots: int
    ballots_by_channel: dict[str, int]
    ballots_by_site_and_day: list[TurnoutRow]
    check_ins_by_channel: dict[str, int]
    voters: int
    # Paper: check-ins against sheets typed in, per site (the reconciliation's numbers).
    paper: dict[str, Any]
