"""Equity tables: reference population per neighbourhood, and the anonymous survey.

`survey_answer` is kept apart from voting on purpose: no foreign key to a ballot, a
participation row or a check-in, no time of any kind, and a random key (WITHOUT ROWID on
SQLite), so that neither a column nor the order of the keys says who answered or when.
"""

from sqlalchemy import JSON, CheckConstraint, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel


class ReferencePopulation(SQLModel, table=True):
    """One neighbourhood of a process's reference population (the organizers' CSV)."""

    __tablename__ = "reference_population"
    __table_args__ = (
        UniqueConstraint("process_id", "neighborhood"),
        CheckConstraint("population >= 0", name="population_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="pb_process.id", index=True)
    position: int  # the row's place in the uploaded file
    neighborhood: str = Field(max_length=120)
    population: int
    # Target groups' counts in this neighbourhood, under the headers the organizers chose.
    groups: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class NeighbourhoodZip(SQLModel, table=True):
    """A ZIP code of a neighbourhood of the reference population (the file's optional
    `zip_codes` column): an online voter who types it is counted in that neighbourhood.
    Each ZIP belongs to one neighbourhood of a process."""

    __tablename__ = "neighbourhood_zip"

    process_id: int = Field(foreign_key="pb_process.id", primary_key=True)
    zip_code: str = Field(max_length=20, primary_key=True)
    neighborhood: str = Field(max_length=120)


class SurveyQuestion(SQLModel, table=True):
    """An extra survey question the organizers chose, in each of the process's languages."""

    __tablename__ = "survey_question"

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="pb_process.id", index=True)
    position: int
    text: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))  # language -> text
    # [{language: option}, ...]: the answers offered, in order.
    options: list[dict[str, str]] = Field(sa_column=Column(JSON, nullable=False))


class SurveyAnswer(SQLModel, table=True):
    """One resident's anonymous answers: nothing that leads to a ballot, voter or moment."""

    __tablename__ = "survey_answer"
    __table_args__ = ({"sqlite_with_rowid": False},)

    # 16 random bytes, hex: the only key; answers listed by it come out in no telling order.
    id: str = Field(sa_column=Column(String(32), primary_key=True))
    process_id: int = Field(foreign_key="pb_process.id", index=True)
    age_band: str | None = Field(default=None, max_length=20)
    neighborhood: str | None = Field(default=None, max_length=120)
    # question id (as text) -> the index of the option chosen
    answers: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class SurveyTokenSpent(SQLModel, table=True):
    """A thank-you page's survey invitation that has been answered (a hash of its random
    part): stored apart from the answer, so the answer cannot be traced to the visit."""

    __tablename__ = "survey_token_spent"
    __table_args__ = ({"sqlite_with_rowid": False},)

    token_hash: str = Field(sa_column=Column(String(64), primary_key=True))
