from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from app.audit import Actor
from app.auth import CurrentOrganizer, CurrentStaff, OptionalUser, require_role
from app.db import SessionDep
from app.errors import (
    BadInput,
    Conflict,
    Forbidden,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
    error_responses,
)
from app.ideas import criteria as criteria_service
from app.ideas import ranking, service
from app.ideas.models import DelegateScore, Idea
from app.ideas.schemas import (
    CriteriaUpdate,
    CriterionOut,
    HideRequest,
    IdeaContact,
    IdeaCreate,
    IdeaOut,
    IdeaRateLimit,
    MergeRequest,
    RankingOut,
    ScoreIn,
    ScoreOut,
)
from app.ids import MAX_ID, IdeaId, ProcessId
from app.users.models import Role, User

router = APIRouter(prefix="/api", tags=["ideas"])

CurrentDelegate = Annotated[User, Depends(require_role(Role.delegate))]
_staff_errors = error_responses(NotAuthenticated, Forbidden, NotFound, Conflict, BadInput)


def idea_out(idea: Idea, user: User | None) -> IdeaOut:
    """Contact details and moderation reasons go to organizers only."""
    out = IdeaOut.model_validate(idea, from_attributes=True)
    out.contact, out.moderation_reason = None, None
    if user is not None and user.role == Role.organizer.value:
        out.contact = IdeaContact(
            name=idea.contact_name, email=idea.contact_email, phone=idea.contact_phone
        )
        out.moderation_reason = idea.moderation_reason
    return out


def score_out(score: DelegateScore, values: dict[int, int], weights: dict[int, int]) -> ScoreOut:
    exact = ranking.weighted_score(values, weights)
    return ScoreOut(
        idea_id=score.idea_id,
        delegate_id=score.delegate_id,
        scores={str(c): v for c, v in sorted(values.items())},
        comment=score.comment,
        weighted_score=ranking.rounded(exact),
        weighted_score_exact=ranking.fraction_text(exact),
        updated_at=score.updated_at,
    )


@router.get(
    "/processes/{process_id}/criteria",
    response_model=list[CriterionOut],
    tags=["criteria"],
    responses=error_responses(NotFound),
)
def list_criteria(session: SessionDep, process_id: int = ProcessId):
    """The criteria delegates score ideas against, in order, with their weights (public)."""
    return criteria_service.list_criteria(session=session, process_id=process_id)


@router.put(
    "/processes/{process_id}/criteria",
    response_model=list[CriterionOut],
    tags=["criteria"],
    responses=_staff_errors,
)
def replace_criteria(
    body: CriteriaUpdate,
    session: SessionDep,
    organizer: CurrentOrganizer,
    process_id: int = ProcessId,
):
    """Replace the criteria (organizers, design only): items with an id are edited,
    items without are added, criteria left out are removed."""
    return criteria_service.replace_criteria(
        session=session, actor=Actor.of(organizer), process_id=process_id, criteria=body.criteria
    )


@router.post(
    "/processes/{process_id}/ideas",
    response_model=IdeaOut,
    status_code=201,
    responses=error_responses(NotFound, Conflict, BadInput, TooManyRequests),
)
def submit_idea(
    body: IdeaCreate,
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    process_id: int = ProcessId,
):
    """Share an idea (idea_collection only). Anyone may, without an account (limited per
    address); staff typing in a paper form are not limited and give the event's site_id."""
    return idea_out(
        service.submit_idea(
            session=session,
            actor=Actor.of(user),
            process_id=process_id,
            data=body,
            client_address=request.client.host if request.client else None,
            typed_by_staff=user is not None,
        ),
        user,
    )


@router.get(
    "/processes/{process_id}/ideas",
    response_model=list[IdeaOut],
    responses=error_responses(NotFound),
)
def list_ideas(
    session: SessionDep,
    user: OptionalUser,
    process_id: int = ProcessId,
    limit: int = Query(default=500, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=MAX_ID),
):
    """The process's ideas, oldest first. Hidden ideas are shown to organizers only."""
    organizer = user is not None and user.role == Role.organizer.value
    ideas = service.list_ideas(
        session=session,
        process_id=process_id,
        include_hidden=organizer,
        limit=limit,
        offset=offset,
    )
    return [idea_out(idea, user) for idea in ideas]


@router.get(
    "/processes/{process_id}/ideas/ranking",
    response_model=RankingOut,
    responses=error_responses(NotAuthenticated, Forbidden, NotFound),
)
def idea_ranking(session: SessionDep, _: CurrentStaff, process_id: int = ProcessId):
    """Visible ideas ranked by the delegates' weighted mean score (staff). See `definition`."""
    return service.ranking_of(session=session, process_id=process_id)


@router.get("/ideas/{idea_id}", response_model=IdeaOut, responses=error_responses(NotFound))
def get_idea(session: SessionDep, user: OptionalUser, idea_id: int = IdeaId):
    organizer = user is not None and user.role == Role.organizer.value
    return idea_out(
        service.get_idea(session=session, idea_id=idea_id, include_hidden=organizer), user
    )


@router.post("/ideas/{idea_id}/merge", response_model=IdeaOut, responses=_staff_errors)
def merge_idea(
    body: MergeRequest, session: SessionDep, organizer: CurrentOrganizer, idea_id: int = IdeaId
):
    """Merge a duplicate into another idea of the same process (organizers)."""
    idea = service.merge_idea(
        session=session,
        actor=Actor.of(organizer),
        idea_id=idea_id,
        into_idea_id=body.into_idea_id,
        reason=body.reason,
    )
    return idea_out(idea, organizer)


@router.post("/ideas/{idea_id}/hide", response_model=IdeaOut, responses=_staff_errors)
def hide_idea(
    body: HideRequest, session: SessionDep, organizer: CurrentOrganizer, idea_id: int = IdeaId
):
    """Hide an abusive idea from the public (organizers)."""
    idea = service.hide_idea(
        session=session, actor=Actor.of(organizer), idea_id=idea_id, reason=body.reason
    )
    return idea_out(idea, organizer)


@router.post("/ideas/{idea_id}/unhide", response_model=IdeaOut, responses=_staff_errors)
def unhide_idea(
    body: HideRequest, session: SessionDep, organizer: CurrentOrganizer, idea_id: int = IdeaId
):
    """Show a hidden or merged idea again, with a reason (organizers)."""
    idea = service.unhide_idea(
        session=session, actor=Actor.of(organizer), idea_id=idea_id, reason=body.reason
    )
    return idea_out(idea, organizer)


@router.put("/ideas/{idea_id}/scores/me", response_model=ScoreOut, responses=_staff_errors)
def put_my_score(
    body: ScoreIn, session: SessionDep, delegate: CurrentDelegate, idea_id: int = IdeaId
):
    """Score the idea 1-5 on every criterion (delegates, proposal_development); a second PUT
    replaces the first."""
    return score_out(
        *service.put_score(
            session=session,
            actor=Actor.of(delegate),
            delegate_id=delegate.id,
            idea_id=idea_id,
            data=body,
        )
    )


@router.get(
    "/ideas/{idea_id}/scores/me",
    response_model=ScoreOut,
    responses=error_responses(NotAuthenticated, Forbidden, NotFound),
)
def get_my_score(session: SessionDep, delegate: CurrentDelegate, idea_id: int = IdeaId):
    return score_out(*service.my_score(session=session, delegate_id=delegate.id, idea_id=idea_id))


@router.put(
    "/processes/{process_id}/idea-rate-limit",
    response_model=IdeaRateLimit,
    tags=["ideas"],
    responses=_staff_errors,
)
def set_idea_rate_limit(
    body: IdeaRateLimit,
    session: SessionDep,
    organizer: CurrentOrganizer,
    process_id: int = ProcessId,
):
    """How many ideas one address may send online an hour (null: no limit). Signed-in staff
    and kiosks are never limited. Any phase but closed."""
    process = service.set_idea_rate_limit(
        session=session,
        actor=Actor.of(organizer),
        process_id=process_id,
        per_hour=body.idea_rate_limit,
    )
    return IdeaRateLimit(idea_rate_limit=process.idea_rate_limit)
