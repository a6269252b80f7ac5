from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Integer, String
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class Role(StrEnum):
    organizer = "organizer"
    delegate = "delegate"
    poll_worker = "poll_worker"


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=Column(String(254), unique=True, nullable=False))
    display_name: str = Field(max_length=120)
    role: str = Field(sa_column=Column(String(20), nullable=False))
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    # Signed into every token and kiosk this account opens; a password reset, deactivation
    # or reactivation adds one, so every sign-in made before ends at its next request, on
    # every app instance (app/users/service.py end_sessions).
    session_generation: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class LoginThrottle(SQLModel, table=True):
    """Failed logins per account and per client address, shared by every app instance."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=300)
    failures: int = 0
    last_failure_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RevokedToken(SQLModel, table=True):
    """A staff sign-in ended before it expired (signed out, or the device became a kiosk):
    the signed token alone would stay valid until then, on every app instance."""

    __tablename__ = "revoked_token"

    token_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class FirstRun(SQLModel, table=True):
    """The first-run setup (/setup/<token>), done once: its one row (id 1) is inserted in
    the transaction that makes the first organizer, before it looks for any account. Two
    setups at once (two tabs, two app instances) make one organizer: the second insert
    waits for the first transaction, then finds the row and is refused."""

    __tablename__ = "first_run"

    id: int = Field(default=1, primary_key=True)
    organizer_id: int | None = Field(default=None, foreign_key="user_account.id")
    done_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
