"""The stack's floor for scripts/bench_intake.py: one route that inserts one row.

Same machinery as pbvote (FastAPI, a sync route, SessionDep with its database slot and
per-request transaction, BEGIN IMMEDIATE on SQLite, commit before the response), nothing else: no
auth, no validation beyond the body, no audit. Production code carries no such endpoint.
"""

import secrets

from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import text

from app.config import get_settings
from app.db import SessionDep, database_slots, make_engine, make_session_factory

CREATE_TABLE = "CREATE TABLE bench_floor (id VARCHAR(32) PRIMARY KEY, ranking TEXT NOT NULL)"


class FloorIn(BaseModel):
    ranking: list[int]


def app_from_environment() -> FastAPI:
    engine = make_engine(get_settings().database_url)
    app = FastAPI()
    app.state.session_factory = make_session_factory(engine)
    app.state.database_slots = database_slots(engine)

    @app.post("/floor", status_code=201)
    def floor(body: FloorIn, session: SessionDep) -> dict[str, bool]:
        session.execute(
            text("INSERT INTO bench_floor (id, ranking) VALUES (:id, :ranking)"),
            {"id": secrets.token_hex(16), "ranking": str(body.ranking)},
        )
        return {"ok": True}

    return app
