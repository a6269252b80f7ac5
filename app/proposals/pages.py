"""The public ballot page: the proposals on the ballot with their costs, in a chosen language."""

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse

from app.db import SessionDep
from app.errors import Forbidden
from app.processes import service as processes
from app.proposals import service
from app.web.router import templates

router = APIRouter(include_in_schema=False)

LANGUAGE_NAMES = {"en": "English", "es": "Español", "vi": "Tiếng Việt"}
WORDS = {
    "en": {
        "ballot": "Ballot",
        "cost": "Cost",
        "total": "All projects together cost",
        "budget": "Budget",
        "rank": "Rank up to {n} projects.",
        "not_yet": "The ballot is published when voting opens.",
        "languages": "Read this page in",
        "empty": "No project is on the ballot yet.",
    },
    "es": {
        "ballot": "Boleta",
        "cost": "Costo",
        "total": "Todos los proyectos juntos cuestan",
        "budget": "Presupuesto",
        "rank": "Ordene hasta {n} proyectos.",
        "not_yet": "La boleta se publica cuando comienza la votación.",
        "languages": "Leer esta página en",
        "empty": "Todavía no hay proyectos en la boleta.",
    },
    "vi": {
        "ballot": "Lá phiếu",
        "cost": "Chi phí",
        "total": "Tổng chi phí của tất cả dự án",
        "budget": "Ngân sách",
        "rank": "Xếp hạng tối đa {n} dự án.",
        "not_yet": "Lá phiếu được công bố khi bắt đầu bỏ phiếu.",
        "languages": "Đọc trang này bằng",
        "empty": "Chưa có dự án nào trên lá phiếu.",
    },
}


@router.get("/processes/{process_id}/ballot", response_class=HTMLResponse)
def ballot_page(
    request: Request,
    session: SessionDep,
    process_id: int,
    lang: str | None = Query(default=None, max_length=35),
    accept_language: str | None = Header(default=None),
):
    process = processes.get_process(session=session, process_id=process_id)
    try:
        ballot = service.ballot_of(
            session=session,
            process_id=process_id,
            staff=False,
            asked=lang,
            accept_language=accept_language,
        )
        language = ballot["language"]
    except Forbidden:
        ballot = None
        language = service.choose_language(
            languages=process.languages, asked=lang, accept_language=accept_language
        )
    return templates.TemplateResponse(
        request,
        "ballot.html",
        {
            "process": process,
            "ballot": ballot,
            "lang": language,
            "words": WORDS.get(language, WORDS["en"]),
            "language_names": LANGUAGE_NAMES,
        },
        headers={"Content-Language": language},
    )
