"""Server-rendered pages: plain HTML that is fast on a cheap phone and works without JS."""

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.db import SessionDep
from app.processes import service as processes
from app.processes.phases import ORDER

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)


def money(cents: int, currency: str = "USD") -> str:
    symbol = {"USD": "$", "EUR": "€", "PLN": "zł "}.get(currency, currency + " ")
    whole, part = divmod(cents, 100)
    return f"{symbol}{whole:,}" + (f".{part:02d}" if part else "")


templates.env.filters["money"] = money
templates.env.globals["PHASES"] = ORDER


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep):
    return templates.TemplateResponse(
        request, "home.html", {"processes": processes.list_processes(session=session)}
    )


@router.get("/processes/{process_id}", response_class=HTMLResponse)
def process_page(request: Request, session: SessionDep, process_id: int):
    process = processes.get_process(session=session, process_id=process_id)
    history = processes.transitions_of(session=session, process_id=process_id)
    return templates.TemplateResponse(
        request, "process.html", {"process": process, "history": history}
    )
