"""Equity pages: the organizers' equity view (/organize/processes/{id}/equity) with the
reference population upload and the survey's questions; the residents' anonymous survey
(/processes/{id}/survey); and the two template globals the thank-you and results pages
include (`_survey_invite.html`, `_equity_public.html`). Every POST answers 303
(app/web/flash.py): a refused form comes back with what was typed, and each form replaces
what it sets (the population list, the questions), so sending it again sets the same; a
survey invitation is one per ballot and is used once."""

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import pass_context
from sqlalchemy.orm import object_session
from starlette.datastructures import UploadFile

from app.audit import Actor
from app.db import SessionDep
from app.digits import parse_count
from app.equity import service as equity
from app.equity.population import MAX_ROWS, PopulationProblem, parse_population
from app.errors import BadInput, DomainError
from app.exports.csv_files import write_csv
from app.processes import service as processes
from app.voting.kiosk_device import kiosk_session
from app.web import flash, i18n
from app.web.deps import OrganizerPage, PageForm, SameOrigin
from app.web.render import form_refusal, refusal, render, staff_language, templates
from app.web.staff import said

router = APIRouter(include_in_schema=False, dependencies=[flash.ShowFlash])
STAFF = "/organize/processes/{process_id}/equity"
SURVEY = "/processes/{process_id}/survey"


async def upload_form(request: Request) -> dict[str, Any]:
    """The upload form's fields: text as text, the file as bytes (the body is whole
    already and bounded: app/bodylimit.py, UPLOAD_PATHS in app/main.py)."""
    fields: dict[str, Any] = {}
    for name, value in (await request.form()).items():
        fields[name] = await value.read() if isinstance(value, UploadFile) else value
    return fields


UploadForm = Annotated[dict[str, Any], Depends(upload_form)]


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _staff_page(
    request: Request,
    session,
    process,
    *,
    day: date | None = None,
    message: str | None = None,
    error: str | None = None,
    fields: dict[str, str] | None = None,
    status_code: int = 200,
):
    fig = equity.figures(session=session, process=process, day=day)
    return render(
        request,
        "equity.html",
        {
            "process": process,
            "tab": "turnout",
            "fig": fig,
            "survey": equity.survey_breakdown(session=session, process=process),
            "questions": equity.questions_of(session=session, process_id=process.id),
            "fields": fields or {},
            "message": message,
            "error": error,
            "max_rows": MAX_ROWS,
            "small": equity.SMALL,
            "threshold": equity.OUTREACH_BELOW,
        },
        status_code=status_code,
    )


@router.get(STAFF, response_class=HTMLResponse)
def equity_page(
    request: Request,
    session: SessionDep,
    _: OrganizerPage,
    process_id: int,
    day: str | None = None,
):
    process = processes.get_process(session=session, process_id=process_id)
    try:
        chosen = _day(day)
    except ValueError:
        error = form_refusal(request, said(request, "equity.bad_day"), session=session)
        return _staff_page(request, session, process, error=error, status_code=422)
    return _staff_page(request, session, process, day=chosen)


@router.post(STAFF + "/population", response_class=HTMLResponse, dependencies=[SameOrigin])
def upload_population(
    request: Request,
    session: SessionDep,
    user: OrganizerPage,
    form: UploadForm,
    process_id: int,
):
    process = processes.get_process(session=session, process_id=process_id)
    raw = form.get("file")
    try:
        rows = parse_population(raw if isinstance(raw, bytes) else b"")
        equity.replace_population(
            session=session,
            actor=Actor.of(user),
            process=process,
            rows=rows,
        )
    except PopulationProblem as exc:
        error = form_refusal(request, exc.message, session=session, field="file")
        return flash.redirect(request, _staff_address(process), error=error, status=422)
    except DomainError as exc:
        error = refusal(request, exc, staff_language(request), session=session)
        return flash.redirect(request, _staff_address(process), error=error, status=exc.status_code)
    done = said(request, "equity.population_loaded", count=len(rows))
    return flash.redirect(request, _staff_address(process), message=done)


def _staff_address(process) -> str:
    return STAFF.format(process_id=process.id)


def _csv(text: str, name: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(STAFF + "/population.csv")
def population_csv(request: Request, session: SessionDep, _: OrganizerPage, process_id: int):
    processes.get_process(session=session, process_id=process_id)
    header, rows = equity.population_rows_for_csv(session=session, process_id=process_id)
    return _csv(write_csv(header, rows), f"population-{process_id}.csv")


@router.get(STAFF + "/figures.csv")
def figures_csv(request: Request, session: SessionDep, _: OrganizerPage, process_id: int):
    process = processes.get_process(session=session, process_id=process_id)
    header, rows = equity.figures_csv_rows(equity.figures(session=session, process=process))
    return _csv(write_csv(header, rows), f"equity-{process_id}.csv")


def _questions_from(form: dict[str, str], languages: list[str]) -> list[equity.QuestionIn]:
    out = []
    for n in range(1, equity.MAX_QUESTIONS + 1):
        text = {lang: form.get(f"q{n}_text_{lang}", "").strip()[:300] for lang in languages}
        options = {
            lang: [
                o.strip()[:120]
                for o in form.get(f"q{n}_options_{lang}", "").splitlines()
                if o.strip()
            ]
            for lang in languages
        }
        if not any(text.values()) and not any(options.values()):
            continue
        width = max(len(o) for o in options.values())
        out.append(
            equity.QuestionIn(
                text=text,
                options=[
                    {
                        lang: (options[lang][i] if i < len(options[lang]) else "")
                        for lang in languages
                    }
                    for i in range(width)
                ],
            )
        )
    return out


@router.post(STAFF + "/survey", response_class=HTMLResponse, dependencies=[SameOrigin])
def put_questions(
    request: Request,
    session: SessionDep,
    user: OrganizerPage,
    form: PageForm,
    process_id: int,
):
    process = processes.get_process(session=session, process_id=process_id)
    try:
        stored = equity.put_questions(
            session=session,
            actor=Actor.of(user),
            process=process,
            questions=_questions_from(form, process.languages),
        )
    except DomainError as exc:
        error = refusal(request, exc, staff_language(request), session=session)
        return flash.redirect(
            request,
            _staff_address(process),
            session=session,
            sealed={"fields": form},
            error=error,
            status=exc.status_code,
        )
    done = said(request, "equity.questions_saved", count=len(stored))
    return flash.redirect(request, _staff_address(process), message=done)


# --- the residents' survey ----------------------------------------------------------------


def _at_kiosk(request: Request, process) -> bool:
    """Asked on a site's kiosk: the pages lead back to the kiosk, not away from it."""
    kiosk, _ = kiosk_session(request)
    return kiosk is not None and kiosk.process_id == process.id


def _survey_page(
    request: Request,
    session,
    process,
    *,
    token: str,
    error=None,
    chosen=None,
    status_code: int = 200,
):
    secret = request.app.state.settings.secret_key
    usable = equity.survey_open(process) and equity.token_usable(
        session=session, secret_key=secret, process_id=process.id, token=token
    )
    return render(
        request,
        "survey.html",
        {
            "process": process,
            "token": token if usable else "",
            "open": equity.survey_open(process),
            "usable": usable,
            "age_bands": equity.AGE_BANDS,
            "neighbourhoods": [
                a.neighborhood for a in equity.population_of(session=session, process_id=process.id)
            ],
            "elsewhere": equity.ELSEWHERE,
            "questions": equity.questions_of(session=session, process_id=process.id),
            "chosen": chosen or {},
            "kiosk": _at_kiosk(request, process),
            "error": error,
            # The language links keep the invitation (it says nothing about the voter).
            "lang_path": f"/processes/{process.id}/survey/{token}" if usable else None,
        },
        offered=process.languages,
        status_code=status_code,
    )


@router.get(SURVEY, response_class=HTMLResponse)
def survey_without_invitation(request: Request, session: SessionDep, process_id: int):
    process = processes.get_process(session=session, process_id=process_id)
    return _survey_page(request, session, process, token="")


@router.get(SURVEY + "/thanks", response_class=HTMLResponse)
def survey_thanks(request: Request, session: SessionDep, process_id: int):
    process = processes.get_process(session=session, process_id=process_id)
    return render(
        request,
        "survey_done.html",
        {"process": process, "kiosk": _at_kiosk(request, process)},
        offered=process.languages,
    )


@router.get(SURVEY + "/{token}", response_class=HTMLResponse)
def survey(request: Request, session: SessionDep, process_id: int, token: str):
    process = processes.get_process(session=session, process_id=process_id)
    return _survey_page(request, session, process, token=token[:400])


def _choice(value: str) -> str | None:
    return value.strip()[:120] or None


_SURVEY_FIELDS = frozenset({"k", "age_band", "neighborhood"})


def _answers_from(form: dict[str, str]) -> dict[int, int]:
    """The extra questions' answers, `q<question id>` = the place of the option chosen
    (empty: no answer). Strict, as the form has nothing else: a field it does not have or
    a value none of its options has is refused, and nothing is stored."""
    answers: dict[int, int] = {}
    for name, value in form.items():
        if name in _SURVEY_FIELDS:
            continue
        question = parse_count(name[1:]) if name.startswith("q") else None
        if question is None:
            raise BadInput(
                f"The survey has no question “{name[:20]}”. Open the survey again from the "
                "page that thanks you for voting.",
                code="survey_field",
            )
        if value.strip():
            option = parse_count(value, max_digits=2)
            if option is None:
                raise BadInput("Choose one of the answers given.", field=name, code="survey_choice")
            answers[question] = option
    return answers


@router.post(SURVEY, response_class=HTMLResponse, dependencies=[SameOrigin])
def answer_survey(request: Request, session: SessionDep, form: PageForm, process_id: int):
    process = processes.get_process(session=session, process_id=process_id)
    token = form.get("k", "")[:400]
    try:
        equity.record_answer(
            session=session,
            secret_key=request.app.state.settings.secret_key,
            process=process,
            token=token,
            age_band=_choice(form.get("age_band", "")),
            neighborhood=_choice(form.get("neighborhood", "")),
            answers=_answers_from(form),
        )
    except DomainError as exc:
        language = i18n.pick_language(request, process.languages)
        error = refusal(request, exc, language, session=session)
        # Back to the invitation's page (its address holds the invitation already), with the
        # answers given, sealed: they say who the voter is a little.
        again = SURVEY.format(process_id=process_id) + (
            f"/{quote(token, safe='')}" if token else ""
        )
        return flash.redirect(
            request,
            again,
            session=session,
            sealed={"chosen": {k: v for k, v in form.items() if k != "k"}},
            error=error,
            status=exc.status_code,
        )
    return RedirectResponse(f"/processes/{process_id}/survey/thanks", status_code=303)


# --- what other pages include -------------------------------------------------------------


@pass_context
def survey_invite(context: Any, process: Any, receipt: str | None) -> str | None:
    """The thank-you page's link to the survey: the process's survey address with the
    invitation of the ballot whose receipt the page shows (`_survey_invite.html`), the same
    however often the page is shown; None when the survey is not open."""
    request = context.get("request")
    if request is None or process is None or not receipt or not equity.survey_open(process):
        return None
    secret = request.app.state.settings.secret_key
    token = equity.survey_token(secret, process.id, receipt=receipt)
    return f"/processes/{process.id}/survey/{token}"


def equity_public(process: Any) -> dict[str, Any] | None:
    """The results page's equity figures (`_equity_public.html`), read in the request's
    own session (the one that loaded `process`): None before funding or without a list."""
    session = object_session(process) if process is not None else None
    if session is None:
        return None
    return equity.public_equity(session=session, process=process)


@pass_context
def share(context: Any, value: float) -> str:
    """A share as a percentage with one decimal, as the reader writes it (12.5 %)."""
    return format_percent(value, "#,##0.0%", locale=i18n.locale(context.get("lang", "en")))


@pass_context
def ratio(context: Any, value: float) -> str:
    """A ratio with two decimals (1.00 = proportional), as the reader writes it."""
    return format_decimal(value, "0.00", locale=i18n.locale(context.get("lang", "en")))


templates.env.filters.update(share=share, ratio=ratio)
templates.env.globals.update(survey_invite=survey_invite, equity_public=equity_public)
