from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.security import MIN_PASSWORD_LENGTH
from app.users.models import Role


def normalise_email(value: str) -> str:
    value = value.strip().lower()
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or " " in value or len(value) > 254:
        raise ValueError("must be an email address such as name@example.org")
    return value


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254)
    display_name: str = Field(default="", max_length=120)
    role: Role
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)


class UserOut(BaseModel):
    id: int
    email: str
    display_name: str
    role: Role
    is_active: bool
    created_at: datetime


class UserActive(BaseModel):
    model_config = ConfigDict(extra="forbid")

    is_active: bool = Field(strict=True)


class PasswordReset(BaseModel):
    """A new password; left out, pbvote makes one and answers it once."""

    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(default=None, min_length=MIN_PASSWORD_LENGTH, max_length=1024)


class PasswordOut(BaseModel):
    user_id: int
    password: str
