"""Budget delegates score ideas in the browser: one idea at a time, 1 to 5 per criterion,
then straight on to the next idea they have not scored. Signed in at /station. Their home
(/delegate) also follows the proposals they wrote through every phase: draft, sent,
returned with the reason, on the ballot as No. N, funded or not, and what to do next. Saving
answers 303 (app/web/flash.py); a refused one comes back with the scores given. A score is
one per delegate and idea, so sending it again only saves the same again."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select

from app.audit import Actor
from app.db import SessionDep, utcnow
from app.digits import parse_count
from app.errors import DomainError
from app.ideas import service
from app.ideas.criteria import criteria_of
from app.ideas.models import DelegateScore, Idea, IdeaStatus
from app.ideas.schemas import ScoreIn
from app.processes.models import Process
from app.processes.phases import IDEA_SCORING, PROPOSAL_WRITING, VOTING
from app.proposals import service as proposals
from app.proposals.models import Proposal, ProposalStatus
from app.results import awards
from app.results.report import report_is_public
from app.users.models import Role
from app.web import flash, i18n
from app.web.deps import PageForm, SameOrigin, StaffFromCookie
from app.web.render import form_refusal, refusal, render, staff_language

router = APIRouter(include_in_schema=False, dependencies=[flash.ShowFlash])
RANKING_PAGE = 100


def _delegate(user):
    ok = user is not None and user.role in (Role.delegate.value, Role.organizer.value)
    return user if ok else None


def _ideas(session, process_id: int, user_id: int) -> tuple[list[Idea], set[int]]:
    ideas = list(
        session.execute(
            select(Idea)
            .where(Idea.process_id == process_id, Idea.status == IdeaStatus.visible.value)
            .order_by(Idea.id)
        ).scalars()
    )
    scored = set(
        session.execute(
            select(DelegateScore.idea_id)
            .join(Idea, Idea.id == DelegateScore.idea_id)
            .where(Idea.process_id == process_id, DelegateScore.delegate_id == user_id)
        ).scalars()
    )
    return ideas, scored


@router.get("/delegate", response_class=HTMLResponse)
def overview(request: Request, session: SessionDep, staff: StaffFromCookie):
    user = _delegate(staff)
    if user is None:
        return RedirectResponse("/station", status_code=303)
    cards = []
    for process in session.execute(
        select(Process).where(Process.phase.in_(IDEA_SCORING.phases)).order_by(Process.id)
    ).scalars():
        ideas, scored = _ideas(session, process.id, user.id)
        cards.append({"process": process, "ideas": ideas, "scored": scored})
    mine = _written(session, user.id)
    return render(request, "delegate.html", {"user": user, "cards": cards, "mine": mine})


def _written(session, user_id: int) -> list[dict]:
    """The delegate's proposals by process, each with what happens to it next."""
    now, shown = utcnow(), []
    for process, written in proposals.proposals_written_by(session=session, user_id=user_id):
        published = report_is_public(session, process, now)
        funded = (
            {p["proposal_id"]: p for p in awards.funded_projects(session=session, process=process)}
            if published
            else {}
        )
        rows = [
            {
                "proposal": p,
                "step": _next_step(process, p, funded, published),
                "award": funded.get(p.id),
            }
            for p in written
        ]
        shown.append({"process": process, "rows": rows, "published": published})
    return shown


def _next_step(process: Process, proposal: Proposal, funded: dict, published: bool) -> str:
    """Where the proposal stands and what its writer does next (delegate.step.<key>)."""
    if proposal.status != ProposalStatus.approved.value:
        if not PROPOSAL_WRITING.allows(process.phase):
            return "not_on_ballot"
        return proposal.status  # draft, submitted or returned
    if published:
        return "funded" if proposal.id in funded else "not_funded"
    if VOTING.allows(process.phase):
        return "on_ballot_voting"
    return "on_ballot_waiting" if PROPOSAL_WRITING.allows(process.phase) else "counting"


@router.get("/delegate/processes/{process_id}/ranking", response_class=HTMLResponse)
def ranking_page(request: Request, session: SessionDep, staff: StaffFromCookie, process_id: int):
    """The ideas ranked by the delegates' weighted scores, with each criterion's mean, in
    one language or all; tick ideas to write a proposal from them."""
    user = _delegate(staff)
    if user is None:
        return RedirectResponse("/station", status_code=303)
    ranked = service.ranking_of(session=session, process_id=process_id)
    process = session.get(Process, process_id)
    language = request.query_params.get("language", "")[:8]
    rows = [row for row in ranked["ideas"] if not language or row["language"] == language]
    # A hundred at a time keeps the page small; "Show more" adds the next hundred.
    shown = RANKING_PAGE * min(max(parse_count(request.query_params.get("page")) or 1, 1), 100)
    return render(
        request,
        "delegate_ranking.html",
        {
            "process": process,
            "criteria": ranked["criteria"],
            "rows": rows[:shown],
            "matching": len(rows),
            "more": len(rows) > shown,
            "next_page": shown // RANKING_PAGE + 1,
            "total": len(ranked["ideas"]),
            "language": language,
            "proposals": proposals.list_proposals(
                session=session, process_id=process_id, staff=True
            ),
            "writing": PROPOSAL_WRITING.allows(process.phase),
        },
    )


@router.get("/delegate/ideas/{idea_id}", response_class=HTMLResponse)
def idea_page(request: Request, session: SessionDep, staff: StaffFromCookie, idea_id: int):
    user = _delegate(staff)
    if user is None:
        return RedirectResponse("/station", status_code=303)
    return _score_page(request, session, user, idea_id)


def _score_page(
    request: Request,
    session,
    user,
    idea_id: int,
    *,
    error: str | None = None,
    values: dict[int, int] | None = None,
    status_code: int = 200,
):
    idea = service.get_idea(session=session, idea_id=idea_id, include_hidden=False)
    comment = None
    kept = flash.shown(request)[0].get("scores")
    if values is None and isinstance(kept, dict):  # a refused save, as it was sent
        values = {n: v for k, v in kept.items() if (n := parse_count(k)) is not None}
        comment = flash.shown(request)[0].get("comment")
    if values is None:
        try:
            row, values, _ = service.my_score(session=session, delegate_id=user.id, idea_id=idea_id)
            comment = row.comment
        except DomainError:
            values = {}
    ideas, scored = _ideas(session, idea.process_id, user.id)
    return render(
        request,
        "delegate_score.html",
        {
            "idea": idea,
            "criteria": criteria_of(session=session, process_id=idea.process_id),
            "values": values,
            "comment": comment,
            "error": error,
            "progress": (len(scored), len(ideas)),
        },
        status_code=status_code,
    )


@router.post("/delegate/ideas/{idea_id}", response_class=HTMLResponse, dependencies=[SameOrigin])
def save(
    request: Request, session: SessionDep, staff: StaffFromCookie, form: PageForm, idea_id: int
):
    user = _delegate(staff)
    if user is None:
        return RedirectResponse("/station", status_code=303)
    scores = {
        k.removeprefix("criterion_"): score
        for k, v in form.items()
        if k.startswith("criterion_") and (score := parse_count(v)) is not None
    }
    try:
        data = ScoreIn(scores=scores, comment=form.get("comment", "").strip()[:2000] or None)
        service.put_score(
            session=session,
            actor=Actor.of(user),
            delegate_id=user.id,
            idea_id=idea_id,
            data=data,
        )
    except (ValidationError, DomainError) as exc:
        message = (
            refusal(request, exc, staff_language(request), session=session)
            if isinstance(exc, DomainError)
            else form_refusal(
                request,
                i18n.translate(i18n.pick_language(request), "delegate.scores_needed"),
                session=session,
            )
        )
        return flash.redirect(
            request,
            f"/delegate/ideas/{idea_id}",
            session=session,
            sealed={"scores": scores, "comment": form.get("comment", "")[:2000]},
            error=message,
            status=getattr(exc, "status_code", 422),
        )
    idea = session.get(Idea, idea_id)
    ideas, scored = _ideas(session, idea.process_id, user.id)
    following = [i.id for i in ideas if i.id not in scored and i.id > idea_id] or [
        i.id for i in ideas if i.id not in scored
    ]
    target = f"/delegate/ideas/{following[0]}" if following else "/delegate"
    saved = i18n.translate(i18n.pick_language(request), "delegate.saved", id=idea_id)
    return flash.redirect(request, target, message=saved)
