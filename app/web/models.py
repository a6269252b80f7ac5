"""The two tables of the pages' post-redirect-get (app/web/flash.py, app/web/form_token.py)."""

from datetime import datetime

from sqlalchemy import Column, LargeBinary, String
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class FormUse(SQLModel, table=True):
    """A form sent once: one row per form instance (the `?f=` of the page it was on) and
    address it was sent to. The primary key is what makes a second sending of the same form
    a repeat, on every app instance and under concurrent requests."""

    __tablename__ = "form_use"

    key: str = Field(sa_column=Column(String(64), primary_key=True))
    used_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    # What the first sending made (an idea's, an account's, a site's id), to say it again.
    made_id: int | None = None


class SealedFlash(SQLModel, table=True):
    """What the next GET of a page shows that must not ride in a cookie in the clear: a form
    as typed (personal details, long texts) or a secret shown once (a new password, a kiosk
    ticket, new access codes). Sealed with a key that only the flash cookie holds, so this
    row alone reveals nothing; it expires within a minute."""

    __tablename__ = "sealed_flash"

    id: str = Field(sa_column=Column(String(32), primary_key=True))
    sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
