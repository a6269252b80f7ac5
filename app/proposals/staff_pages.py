"""The delegates' proposal editor and the organizers' review of proposals.

Delegates write a proposal from one or more ideas (chosen on the ranking page): title,
summary, location, category, costed lines (the cost is their sum), the equity
assessment's questions, and a translation into every other language of the process side
by side with the source text; then they send it for approval and see what an organizer
returned and why. Organizers approve (only with every language and every equity answer)
or return with a reason. The same service functions as the API, so the same rules apply.

Every POST answers 303 (app/web/flash.py); a refused editor comes back with what was typed.
A new proposal is a one-time form (app/web/form_token.py); the editor and the approve and
return forms carry the proposal's status they were made for, so one sent again after it
changed (Back, reload, another tab) changes nothing and says what the proposal is now.
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select

from app.audit import Actor
from app.db import SessionDep
from app.digits import parse_count, parse_money
from app.errors import DomainError, NotFound
from app.ideas.models import Idea
from app.processes import service as processes
from app.processes.phases import PROPOSAL_WRITING
from app.proposals import service
from app.proposals.models import Proposal, ProposalStatus
from app.proposals.schemas import EQUITY_QUESTIONS, ProposalCreate, ProposalUpdate
from app.users.models import Role
from app.web import flash, form_token, i18n
from app.web.deps import OrganizerPage, PageForm, SameOrigin, StaffFromCookie
from app.web.render import form_refusal, refusal, render, staff_language
from app.web.staff import refused, said

router = APIRouter(include_in_schema=False, dependencies=[flash.ShowFlash])

EMPTY_LINES = 3  # blank cost lines offered below the filled ones (no JavaScript needed)
MAX_LINES = 50
TEXT_FIELDS = ("title", "summary", "location", "category")
TRANSLATED = ("title", "summary", "location")


def _writer(user):
    ok = user is not None and user.role in (Role.delegate.value, Role.organizer.value)
    return user if ok else None


def _money_text(cents: int) -> str:
    whole, part = divmod(cents, 100)
    return f"{whole}.{part:02d}" if part else str(whole)


def _values_of(request: Request, proposal: Proposal | None, idea_ids: list[int]) -> dict:
    """What the editor's fields show for a stored proposal (or a new one)."""
    if proposal is None:
        return {"ideas": ", ".join(map(str, idea_ids)), "lines": [], "equity": {}, "tr": {}}
    lines = proposal.cost_lines or [
        {"description": said(request, "proposals.whole_cost"), "amount_cents": proposal.cost_cents}
    ]
    return {
        **{name: getattr(proposal, name) or "" for name in TEXT_FIELDS},
        "ideas": ", ".join(map(str, idea_ids)),
        "lines": [(line["description"], _money_text(line["amount_cents"])) for line in lines],
        "equity": dict(proposal.equity_assessment or {}),
        "tr": {lang: dict(text) for lang, text in proposal.translations.items()},
    }


def _values_from(form: dict[str, str], languages: list[str]) -> dict:
    """What the editor's fields show after a refused save: exactly what was typed."""
    count = min(parse_count(form.get("lines")) or 0, MAX_LINES)
    return {
        **{name: form.get(name, "").strip() for name in TEXT_FIELDS},
        "ideas": form.get("ideas", "").strip()[:600],
        "lines": [
            (
                form.get(f"line_{n}_description", "").strip(),
                form.get(f"line_{n}_amount", "").strip(),
            )
            for n in range(count)
        ],
        "equity": {q: form.get(f"equity_{q}", "").strip() for q in EQUITY_QUESTIONS},
        "tr": {
            lang: {
                **{f: form.get(f"tr_{lang}_{f}", "").strip() for f in TRANSLATED},
                "equity_assessment": {
                    q: form.get(f"tr_{lang}_equity_{q}", "").strip() for q in EQUITY_QUESTIONS
                },
            }
            for lang in languages[1:]
        },
    }


class FormProblem(Exception):
    """A field of the editor that cannot become a proposal, said in the writer's words."""


def _body(request: Request, values: dict, process) -> dict:
    """The editor's fields as the API's proposal body (ProposalCreate / ProposalUpdate)."""
    ideas = []
    for part in values["ideas"].replace(";", ",").split(","):
        if part.strip():
            number = parse_count(part.strip().lstrip("#"))
            if not number:
                raise FormProblem(said(request, "proposals.ideas_invalid"))
            ideas.append(number)
    lines = []
    for n, (description, amount) in enumerate(values["lines"], start=1):
        if not description and not amount:
            continue
        cents = parse_money(amount)
        if not description or not cents:
            raise FormProblem(said(request, "proposals.line_invalid", line=n))
        lines.append({"description": description, "amount_cents": cents})
    if not lines:
        raise FormProblem(said(request, "proposals.lines_needed"))
    answers = {q: a for q, a in values["equity"].items() if a}
    translations = {}
    for lang, text in values["tr"].items():
        translated = {q: a for q, a in (text.get("equity_assessment") or {}).items() if a}
        fields = {f: text.get(f) for f in TRANSLATED if text.get(f)}
        if fields or translated:
            translations[lang] = {
                **fields,
                **({"equity_assessment": translated} if translated else {}),
            }
    return {
        "title": values["title"],
        "summary": values["summary"],
        "location": values["location"] or None,
        "category": values["category"] or None,
        "idea_ids": ideas,
        "cost_lines": lines,
        "translations": translations,
        "equity_assessment": answers or None,
    }


def _problem_words(request: Request, exc: ValidationError) -> str:
    """Which fields a refused body got wrong, in the writer's words."""
    language = i18n.pick_language(request)
    names = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        if loc and loc[0] == "translations" and len(loc) > 1:
            names.append(i18n.name_in(loc[1], language))
        elif loc and loc[0] in ("title", "summary", "location", "category", "idea_ids"):
            names.append(i18n.translate(language, f"proposals.field.{loc[0]}"))
        elif loc and loc[0] == "equity_assessment":
            names.append(i18n.translate(language, "proposals.equity"))
        else:
            names.append(i18n.translate(language, "proposals.cost_lines"))
    return i18n.translate(language, "proposals.invalid", fields=", ".join(dict.fromkeys(names)))


def _ideas_of(session, process_id: int, idea_ids: list[int]) -> list[Idea]:
    if not idea_ids:
        return []
    return list(
        session.execute(
            select(Idea)
            .where(Idea.process_id == process_id, Idea.id.in_(idea_ids))
            .order_by(Idea.id)
        ).scalars()
    )


def _editor(
    request: Request,
    session,
    process,
    proposal: Proposal | None,
    values: dict,
    *,
    message=None,
    error=None,
    status_code=200,
):
    idea_ids = [
        n for part in values["ideas"].split(",") if (n := parse_count(part.strip().lstrip("#")))
    ]
    lines = values["lines"]
    shown = min(len(lines) + EMPTY_LINES, MAX_LINES)
    return render(
        request,
        "delegate_proposal.html",
        {
            "process": process,
            "proposal": proposal,
            "v": values,
            "lines": lines + [("", "")] * (shown - len(lines)),
            "questions": EQUITY_QUESTIONS,
            "others": process.languages[1:],
            "source": process.languages[0],
            "ideas": _ideas_of(session, process.id, idea_ids),
            "stale": service.stale_languages(proposal) if proposal else [],
            "missing": service.missing_for_ballot(process, proposal) if proposal else [],
            "editable": proposal is None
            or proposal.status in (ProposalStatus.draft.value, ProposalStatus.returned.value),
            "developing": PROPOSAL_WRITING.allows(process.phase),
            "message": message,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/delegate/processes/{process_id}/proposals/new", response_class=HTMLResponse)
def new_proposal(request: Request, session: SessionDep, staff: StaffFromCookie, process_id: int):
    """The editor for a new proposal from the ideas ticked on the ranking page."""
    if _writer(staff) is None:
        return RedirectResponse("/station", status_code=303)
    if instance := form_token.form_page(request):
        return instance
    process = processes.get_process(session=session, process_id=process_id)
    ideas = [n for v in request.query_params.getlist("idea")[:100] if (n := parse_count(v))]
    values = _typed_again(request) or _values_of(request, None, ideas)
    return _editor(request, session, process, None, values)


def _typed_again(request: Request) -> dict | None:
    """The editor's fields as a refused POST left them for this GET, if any."""
    kept = flash.shown(request)[0].get("editor")
    return kept if isinstance(kept, dict) else None


def _refused_editor(request: Request, session, to: str, values: dict, error: str, status: int):
    """Back to the editor `to`, with what was typed and why it was refused."""
    return flash.redirect(
        request, to, session=session, sealed={"editor": values}, error=error, status=status
    )


@router.post(
    "/delegate/processes/{process_id}/proposals/new",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def create(
    request: Request, session: SessionDep, staff: StaffFromCookie, form: PageForm, process_id: int
):
    user = _writer(staff)
    if user is None:
        return RedirectResponse("/station", status_code=303)
    process = processes.get_process(session=session, process_id=process_id)
    values = _values_from(form, process.languages)
    page_address = f"/delegate/processes/{process.id}/proposals/new"
    again = form_token.same(request, page_address, form)
    try:
        data = ProposalCreate.model_validate(_body(request, values, process))
        made = ("/delegate/proposals/{id}", "proposals.made_already")
        use = form_token.claim(request, session, form, page=page_address, made=made)
        proposal = service.create_proposal(
            session=session, actor=Actor.of(user), process_id=process.id, data=data
        )
    except (FormProblem, ValidationError) as exc:
        words = _problem_words(request, exc) if isinstance(exc, ValidationError) else str(exc)
        error = form_refusal(request, words, session=session)
        return _refused_editor(request, session, again, values, error, 422)
    except DomainError as exc:
        error = refusal(request, exc, staff_language(request), session=session)
        return _refused_editor(request, session, again, values, error, exc.status_code)
    use.made_id = proposal.id
    saved = said(request, "proposals.saved")
    return flash.redirect(request, f"/delegate/proposals/{proposal.id}", message=saved)


def _stored(session, proposal_id: int) -> tuple[Proposal, object]:
    proposal = service.get_proposal(session=session, proposal_id=proposal_id, staff=True)
    return proposal, processes.get_process(session=session, process_id=proposal.process_id)


@router.get("/delegate/proposals/{proposal_id}", response_class=HTMLResponse)
def edit_proposal(request: Request, session: SessionDep, staff: StaffFromCookie, proposal_id: int):
    if _writer(staff) is None:
        return RedirectResponse("/station", status_code=303)
    proposal, process = _stored(session, proposal_id)
    ideas = service.idea_ids_of(session=session, proposal_id=proposal.id)
    values = _typed_again(request) or _values_of(request, proposal, ideas)
    return _editor(request, session, process, proposal, values)


@router.post(
    "/delegate/proposals/{proposal_id}", response_class=HTMLResponse, dependencies=[SameOrigin]
)
def save_proposal(
    request: Request, session: SessionDep, staff: StaffFromCookie, form: PageForm, proposal_id: int
):
    """Save the editor; with action=send, then send the proposal for approval. The editor
    carries the proposal's status it was made for: sent again once that changed (sent for
    approval, approved, returned), it changes nothing and says what the proposal is now."""
    user = _writer(staff)
    if user is None:
        return RedirectResponse("/station", status_code=303)
    proposal, process = _stored(session, proposal_id)
    editor = f"/delegate/proposals/{proposal.id}"
    if form.get("status") and form["status"] != proposal.status:
        now = said(
            request,
            "proposals.status_now",
            status=said(request, f"proposal.status.{proposal.status}"),
        )
        return flash.redirect(request, editor, message=now)
    values = _values_from(form, process.languages)
    try:
        changes = ProposalUpdate.model_validate(_body(request, values, process))
        service.update_proposal(
            session=session, actor=Actor.of(user), proposal_id=proposal.id, changes=changes
        )
        if form.get("action") == "send":
            service.submit_proposal(session=session, actor=Actor.of(user), proposal_id=proposal.id)
    except (FormProblem, ValidationError) as exc:
        words = _problem_words(request, exc) if isinstance(exc, ValidationError) else str(exc)
        error = form_refusal(request, words, session=session)
        return _refused_editor(request, session, editor, values, error, 422)
    except DomainError as exc:
        error = refusal(request, exc, staff_language(request), session=session)
        return _refused_editor(request, session, editor, values, error, exc.status_code)
    saved = "proposals.sent" if form.get("action") == "send" else "proposals.saved"
    return flash.redirect(request, editor, message=said(request, saved))


def _review(
    request: Request, session, process_id: int, *, message=None, error=None, status_code=200
):
    process = processes.get_process(session=session, process_id=process_id)
    rows = []
    for proposal in service.list_proposals(session=session, process_id=process.id, staff=True):
        missing = service.missing_for_ballot(process, proposal)
        rows.append(
            {
                "proposal": proposal,
                "missing_languages": [
                    m.split(":")[1] for m in missing if m.startswith("translation:")
                ],
                "missing_answers": [m.split(":")[1] for m in missing if m.startswith("equity:")],
                "present": [
                    lang for lang in process.languages[1:] if f"translation:{lang}" not in missing
                ],
                "stale": service.stale_languages(proposal),
                # Languages whose translation answers the equity questions (optional).
                "equity_translated": [
                    lang
                    for lang in process.languages[1:]
                    if ((proposal.translations.get(lang) or {}).get("equity_assessment") or {})
                ],
                "ideas": service.idea_ids_of(session=session, proposal_id=proposal.id),
            }
        )
    approved = [
        r["proposal"] for r in rows if r["proposal"].status == ProposalStatus.approved.value
    ]
    ballot_cost = service.ballot_total(session=session, process_id=process.id)
    for row in rows:  # what the ballot would cost with this one approved
        row["after"] = ballot_cost + row["proposal"].cost_cents
        row["over_budget"] = row["proposal"].cost_cents > process.budget_cents
    return render(
        request,
        "organize_proposals.html",
        {
            "process": process,
            "tab": "proposals",
            "rows": rows,
            "on_ballot": len(approved),
            "ballot_cost": ballot_cost,
            "deciding": PROPOSAL_WRITING.allows(process.phase),
            "message": message,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/organize/processes/{process_id}/proposals", response_class=HTMLResponse)
def review(request: Request, session: SessionDep, _: OrganizerPage, process_id: int):
    return _review(request, session, process_id)


@router.post(
    "/organize/processes/{process_id}/proposals/{proposal_id}/{decision}",
    response_class=HTMLResponse,
    dependencies=[SameOrigin],
)
def decide(
    request: Request,
    session: SessionDep,
    user: OrganizerPage,
    form: PageForm,
    process_id: int,
    proposal_id: int,
    decision: str,
):
    proposal = service.get_proposal(session=session, proposal_id=proposal_id, staff=True)
    if proposal.process_id != process_id:
        raise NotFound(f"Process {process_id} has no proposal {proposal_id}.", field="proposal_id")
    page_address = f"/organize/processes/{process_id}/proposals"
    if form.get("back") == "overview":  # the process overview's forms: back to it
        page_address = f"/organize/processes/{process_id}"
    return decision_on(request, session, user, form, proposal_id, decision, page_address)


def decision_on(
    request: Request, session, user, form: dict[str, str], proposal_id: int, decision: str, to: str
):
    """Approve or return a proposal, then 303 to the page `to`. The form carries the status
    the proposal had when it was drawn: sent again after it changed (Back, reload, another
    organizer), it changes nothing and says what the proposal is now."""
    proposal = service.get_proposal(session=session, proposal_id=proposal_id, staff=True)
    if form.get("status") and form["status"] != proposal.status:
        status = said(request, f"proposal.status.{proposal.status}")
        now = said(request, "organize.proposal_now", title=proposal.title, status=status)
        return flash.redirect(request, to, message=now)
    page = flash.back(request, to)
    reason = form.get("reason", "").strip()[:2000]
    try:
        if decision == "approve":
            done = service.approve_proposal(
                session=session, actor=Actor.of(user), proposal_id=proposal_id
            )
            message = said(
                request, "organize.approved", title=done.title, number=done.ballot_number
            )
        elif decision == "return" and len(reason) >= 3:
            done = service.return_proposal(
                session=session, actor=Actor.of(user), proposal_id=proposal_id, reason=reason
            )
            message = said(request, "organize.returned", title=done.title)
        else:
            needed = said(request, "organize.return_reason_needed")
            return page(error=form_refusal(request, needed, session=session), status_code=422)
    except DomainError as exc:
        return refused(request, exc, session=session, page=page)
    return flash.redirect(request, to, message=message)
