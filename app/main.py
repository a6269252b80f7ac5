"""create_app(): settings, database, routers, error handlers."""

import logging
import re
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from starlette.types import ASGIApp

from app import audit
from app.audit_pages import router as audit_pages
from app.bodylimit import BodyLimit
from app.config import Settings, get_settings
from app.db import SessionDep, database_slots, make_engine, make_session_factory
from app.equity.pages import router as equity_pages
from app.exports.pages import router as export_pages
from app.exports.router import router as exports_router
from app.handlers import install_error_handlers
from app.headers import HeadAsGet, SafeHeaders
from app.ideas.criteria_pages import router as criteria_pages
from app.ideas.delegate_pages import router as delegate_pages
from app.ideas.pages import router as idea_pages
from app.ideas.router import router as ideas_router
from app.ideas.staff_pages import router as idea_staff_pages
from app.inputs import refuse_unusable_input
from app.migrate import schema_problem
from app.models import load_all_models
from app.paper.batch_pages import router as batch_pages
from app.paper.pages import router as paper_staff_pages
from app.paper.router import router as paper_router
from app.paper.station_pages import router as paper_pages
from app.processes.pages import router as process_pages
from app.processes.public_pages import router as public_pages
from app.processes.router import router as processes_router
from app.processes.visibility import DraftHidden
from app.proposals.pages import router as proposal_pages
from app.proposals.router import router as proposals_router
from app.proposals.staff_pages import router as proposal_staff_pages
from app.refusals import flush_refusals, signed_staff_id
from app.results.pages import router as results_staff_pages
from app.results.public_pages import router as results_pages
from app.results.router import router as results_router
from app.sites.pages import router as site_pages
from app.sites.router import router as sites_router
from app.users.pages import router as staff_account_pages
from app.users.router import router as users_router
from app.users.service import first_run_notice
from app.voting.pages import router as voting_pages
from app.voting.router import router as voting_router
from app.voting.rules_pages import router as rules_pages
from app.voting.staff_pages import router as voting_staff_pages
from app.voting.station_pages import router as station_pages
from app.web import form_token
from app.web.private import NoStore

log = logging.getLogger("pbvote")
WEB_DIR = Path(__file__).parent / "web"
# Paths that may carry a file upload (PBVOTE_MAX_UPLOAD_BYTES): the paper-ballot CSV (the
# API's import and the organizers' paper page) and the reference population CSV.
UPLOAD_PATHS = re.compile(
    r"^/api/paper-batches/[0-9]+/import$"
    r"|^/organize/processes/[0-9]+/paper/import$"
    r"|^/organize/processes/[0-9]+/equity/population$"
)


class SchemaNotReady(RuntimeError):
    pass


class PbvoteApp(FastAPI):
    """FastAPI with two layers outside all others, even Starlette's ServerErrorMiddleware
    (which `add_middleware` cannot reach): the 500 page gets the safe headers too, and a
    HEAD that fails gets no body (app/headers.py)."""

    def build_middleware_stack(self) -> ASGIApp:
        stack = HeadAsGet(super().build_middleware_stack())
        settings = self.state.settings
        return SafeHeaders(stack, https=settings.https, api_docs=settings.serves_api_docs)


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    session_factory: sessionmaker[Session] | None = None,
    check_schema: bool = True,
) -> FastAPI:
    settings = settings or get_settings()
    load_all_models()
    engine = engine or make_engine(settings.database_url)
    audit.use_secret(engine, settings.secret_key)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if check_schema:
            # Refuse to serve a database the code does not match, or with another key than
            # its own (voters could vote again, the chain would break): better down than wrong.
            if problem := schema_problem(engine):
                log.critical("pbvote cannot start: %s", problem)
                raise SchemaNotReady(problem)
            if problem := audit.key_problem(app.state.session_factory):
                log.critical("pbvote cannot start: %s", problem)
                raise audit.KeyRefused(problem)
            with app.state.session_factory() as session:
                base = settings.public_url or ""
                if notice := first_run_notice(session=session, settings=settings, base=base):
                    log.warning(notice)
        yield
        flush_refusals(app)

    app = PbvoteApp(
        title="pbvote",
        summary="Participatory budgeting: ideas, proposals, ranked voting, counting, funding.",
        version="0.1.0",
        lifespan=lifespan,
        dependencies=[Depends(refuse_unusable_input)],
        # Swagger UI and ReDoc come from a CDN: off unless asked for (PBVOTE_API_DOCS) or in
        # development; the schema they draw stays at /openapi.json.
        docs_url="/docs" if settings.serves_api_docs else None,
        redoc_url="/redoc" if settings.serves_api_docs else None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory or make_session_factory(engine)
    app.state.database_slots = database_slots(engine)
    install_error_handlers(app)
    form_token.install(app)
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        upload_limit=settings.max_upload_bytes,
        upload_paths=UPLOAD_PATHS,
        timeout=settings.body_timeout_seconds,
        upload_sender=lambda request: signed_staff_id(request) is not None,
    )
    app.add_middleware(NoStore)

    app.include_router(users_router)
    app.include_router(processes_router)
    app.include_router(sites_router)
    app.include_router(ideas_router)
    app.include_router(proposals_router)
    app.include_router(voting_router)
    app.include_router(paper_router)
    app.include_router(results_router)
    app.include_router(exports_router)
    app.include_router(public_pages, dependencies=[DraftHidden])
    app.include_router(proposal_pages, dependencies=[DraftHidden])
    app.include_router(voting_pages, dependencies=[DraftHidden])
    app.include_router(results_pages, dependencies=[DraftHidden])
    app.include_router(station_pages)
    app.include_router(paper_pages)
    app.include_router(batch_pages)
    app.include_router(process_pages)
    app.include_router(idea_pages, dependencies=[DraftHidden])
    app.include_router(delegate_pages)
    app.include_router(staff_account_pages)
    app.include_router(site_pages)
    app.include_router(criteria_pages)
    app.include_router(rules_pages, dependencies=[DraftHidden])
    app.include_router(voting_staff_pages)
    app.include_router(paper_staff_pages)
    app.include_router(results_staff_pages)
    app.include_router(audit_pages)
    app.include_router(equity_pages, dependencies=[DraftHidden])
    app.include_router(idea_staff_pages)
    app.include_router(proposal_staff_pages)
    app.include_router(export_pages, dependencies=[DraftHidden])
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")

    @app.get("/healthz", tags=["operations"])
    def healthz(session: SessionDep):
        try:
            session.execute(text("SELECT 1"))
        except Exception as exc:
            session.rollback()
            log.error("health check: database unreachable: %s", exc)
            return JSONResponse(
                status_code=503, content={"status": "unavailable", "database": "unreachable"}
            )
        return {"status": "ok", "database": "ok"}

    return app


def app_from_environment() -> FastAPI:
    """The ASGI factory uvicorn runs: `uvicorn --factory app.main:app_from_environment`."""
    logging.basicConfig(level=logging.INFO)
    return create_app()
