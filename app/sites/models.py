from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, String, Text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class SiteKind(StrEnum):
    event = "event"  # an idea-collection event
    voting_site = "voting_site"  # where residents vote in person


class Site(SQLModel, table=True):
    __tablename__ = "site"

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="pb_process.id", index=True)
    name: str = Field(max_length=200)
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    formal: bool = False
    address: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    neighborhood: str | None = Field(default=None, max_length=120)
    opens_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # {"es": {"name": ...}}: the site's name as residents of another language read it.
    translations: dict[str, dict[str, str]] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
