"""A resident shares an idea from a phone: a plain form, in their language.

Sending it answers 303 (app/web/flash.py): the thank-you, or the form again with what was
typed (sealed: contact details never ride in a cookie in the clear) and why. It is a one-time
form (app/web/form_token.py): Back + Share, a double tap or a reload never shares it twice."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from app.audit import PUBLIC
from app.db import SessionDep
from app.errors import DomainError
from app.ideas import service
from app.ideas.board import idea_board
from app.ideas.schemas import IdeaCreate
from app.processes import service as processes
from app.processes.phases import IDEA_SHARING
from app.voting.kiosks import is_open_kiosk
from app.web import flash, form_token, i18n
from app.web.deps import PageForm, StaffFromCookie
from app.web.render import form_refusal, refusal, render

router = APIRouter(include_in_schema=False, dependencies=[flash.ShowFlash])
FIELDS = ("title", "description", "neighborhood", "contact_name", "contact_email")
LABELS = {
    "title": "idea.title",
    "description": "idea.description",
    "neighborhood": "idea.neighborhood",
    "contact_name": "idea.name",
    "contact_email": "idea.email",
}


def _form_page(
    request: Request,
    process,
    form: dict,
    error: str | None = None,
    done: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "idea.html",
        {
            "process": process,
            "form": form,
            "error": error,
            "done": done,
            "closed": not IDEA_SHARING.allows(process.phase),
        },
        offered=process.languages,
        status_code=status_code,
    )


@router.get("/processes/{process_id}/ideas/new", response_class=HTMLResponse)
def idea_form(request: Request, session: SessionDep, process_id: int):
    process = processes.get_process(session=session, process_id=process_id)
    if instance := form_token.form_page(request):
        return instance
    return _form_page(request, process, {})


@router.post("/processes/{process_id}/ideas/new", response_class=HTMLResponse)
def idea_submit(
    request: Request, session: SessionDep, process_id: int, data: PageForm, staff: StaffFromCookie
):
    form = {k: data.get(k, "").strip() for k in FIELDS}
    process = processes.get_process(session=session, process_id=process_id)
    language = i18n.pick_language(request, process.languages)
    page_address = f"/processes/{process_id}/ideas/new"
    asked = request.query_params.get("lang", "")
    keep = {"lang": asked} if asked in process.languages else {}  # the language chosen
    back = flash.back(
        request,
        form_token.same(request, page_address, data, **keep),
        session=session,
        sealed={"form": form},
    )
    try:
        body = IdeaCreate(
            language=language,
            **{k: v or None for k, v in form.items() if k != "description"},
            description=form["description"],
        )
        shared = (page_address, "idea.shared_already")
        use = form_token.claim(request, session, data, page=page_address, made=shared)
        idea = service.submit_idea(
            session=session,
            actor=PUBLIC,
            process_id=process_id,
            data=body,
            typed_by_staff=False,
            unlimited=staff is not None or is_open_kiosk(request, session),
            client_address=request.client.host if request.client else None,
        )
    except ValidationError as exc:
        fields = ", ".join(
            i18n.translate(language, f"idea.{e['loc'][0]}") for e in exc.errors() if e["loc"]
        )
        message = i18n.translate(language, "error.invalid") + (f" ({fields})" if fields else "")
        return back(error=form_refusal(request, message, session=session), status_code=422)
    except DomainError as exc:
        return back(
            error=refusal(request, exc, language, session=session), status_code=exc.status_code
        )
    use.made_id = idea.id
    return flash.redirect(request, form_token.fresh(request, page_address, **keep), done=True)


@router.get("/processes/{process_id}/ideas", response_class=HTMLResponse)
def idea_board_page(
    request: Request,
    session: SessionDep,
    process_id: int,
    event: str | None = None,
    neighborhood: str | None = None,
    page: str | None = None,
):
    """The public idea board, by event; `?event=` and `?neighborhood=` filter it."""
    process = processes.get_process(session=session, process_id=process_id)
    board = idea_board(
        session=session,
        process=process,
        event=(event or "").strip()[:40] or None,
        neighborhood=(neighborhood or "").strip()[:120] or None,
        page=int(page) if page and page.isascii() and page.isdigit() and len(page) < 6 else 1,
        language=i18n.pick_language(request, process.languages),
    )
    return render(
        request,
        "ideas_board.html",
        {"process": process, "board": board},
        offered=process.languages,
    )
