"""Ideas: submission (online, rate-limited; paper, typed in by staff), moderation, scoring."""

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlmodel import Session

from app import audit
from app.audit import Actor
from app.db import add_to_counter, read_for_change, utcnow
from app.errors import BadInput, Conflict, NotFound, TooManyRequests
from app.ideas import ranking
from app.ideas.criteria import criteria_of
from app.ideas.models import (
    CriterionScore,
    DelegateScore,
    Idea,
    IdeaChannel,
    IdeaStatus,
    IdeaSubmissionCounter,
)
from app.ideas.schemas import IdeaCreate, ScoreIn
from app.processes import service as processes
from app.processes.models import Process
from app.processes.phases import (
    IDEA_MODERATION,
    IDEA_RATE_LIMIT,
    IDEA_SCORING,
    IDEA_SHARING,
    process_for_change,
)
from app.sites import service as sites
from app.sites.models import SiteKind

# Online submissions per client address per clock hour, counted in the database so the
# limit holds across app instances: the default of a new process (Process.idea_rate_limit,
# set per process; None is no limit). Staff and kiosks are never limited.
IDEAS_PER_ADDRESS_PER_HOUR = 20
MAX_IDEA_RATE_LIMIT = 100_000
SUBMISSION_WINDOW = timedelta(hours=1)


def count_submission(
    *, session: Session, client_address: str, now: datetime, limit: int = IDEAS_PER_ADDRESS_PER_HOUR
) -> None:
    """Count one online submission from this address; 429 past `limit` this hour."""
    window_start = now.replace(minute=0, second=0, microsecond=0)
    table = IdeaSubmissionCounter.__table__  # type: ignore[attr-defined]
    submissions = add_to_counter(
        session,
        table,
        {"client_address": client_address, "window_start": window_start},
        "submissions",
    )
    # Past windows are spent: drop them (every address's), so the table stays one hour long.
    session.execute(delete(table).where(table.c.window_start < window_start))
    if submissions > limit:
        wait = int((window_start + SUBMISSION_WINDOW - now).total_seconds()) + 1
        raise TooManyRequests(
            f"At most {limit} ideas an hour can be sent from one "
            f"address. Try again in {wait} seconds, or hand in a paper form at an event.",
            code="too_many_ideas",
            headers={"Retry-After": str(wait)},
        )


def submit_idea(
    *,
    session: Session,
    actor: Actor,
    process_id: int,
    data: IdeaCreate,
    client_address: str | None,
    typed_by_staff: bool,
    unlimited: bool = False,
) -> Idea:
    """A resident's idea: online (anyone, limited per address by the process's limit) or a
    paper form typed by staff. `unlimited`: sent online from a signed-in staff member's or a
    kiosk's device, which the per-address limit never counts."""
    # Row lock: an idea is never accepted after the organizers close idea collection.
    process = process_for_change(session=session, process_id=process_id, allowed=IDEA_SHARING)
    if data.site_id is not None:
        site = sites.get_site(session=session, process_id=process.id, site_id=data.site_id)
        if site.kind != SiteKind.event.value:
            raise BadInput(
                f"Site {site.id} is a voting site; ideas are collected at events.",
                field="site_id",
                code="not_an_event",
            )
    if not (typed_by_staff or unlimited) and process.idea_rate_limit is not None:
        count_submission(
            session=session,
            client_address=client_address or "unknown",
            now=utcnow(),
            limit=process.idea_rate_limit,
        )
    idea = Idea(
        process_id=process.id,
        **data.model_dump(),
        channel=(IdeaChannel.paper if typed_by_staff else IdeaChannel.online).value,
        submitted_by_id=actor.user_id,
    )
    audit.saved(
        session,
        idea,
        actor=actor,
        action="idea.create",
        target=f"idea:{idea.id}",
        detail={"process_id": process.id, "channel": idea.channel, "site_id": idea.site_id},
    )
    return idea


def set_idea_rate_limit(
    *, session: Session, actor: Actor, process_id: int, per_hour: int | None
) -> Process:
    """How many ideas one address may send online an hour (None: no limit). Any phase but
    closed: a library's computer lab may need it lifted while ideas are collected."""
    target = f"process:{process_id}"
    process = process_for_change(
        session=session,
        process_id=process_id,
        allowed=IDEA_RATE_LIMIT,
        action="process.idea_rate_limit",
        target=target,
    )
    if per_hour is not None and not 1 <= per_hour <= MAX_IDEA_RATE_LIMIT:
        raise BadInput(
            f"The limit is a whole number from 1 to {MAX_IDEA_RATE_LIMIT}, or none.",
            field="idea_rate_limit",
            audit=("process.idea_rate_limit", target),
        )
    process.idea_rate_limit = per_hour
    audit.saved(
        session,
        process,
        actor=actor,
        action="process.idea_rate_limit",
        target=target,
        detail={"per_hour": per_hour},
    )
    return process


def get_idea(*, session: Session, idea_id: int, include_hidden: bool = True) -> Idea:
    idea = session.get(Idea, idea_id)
    if idea is None or (not include_hidden and idea.status == IdeaStatus.hidden.value):
        raise NotFound(f"There is no idea {idea_id}.", field="idea_id")
    return idea


def list_ideas(
    *, session: Session, process_id: int, include_hidden: bool, limit: int, offset: int
) -> list[Idea]:
    processes.get_process(session=session, process_id=process_id)
    query = select(Idea).where(Idea.process_id == process_id)
    if not include_hidden:
        query = query.where(Idea.status != IdeaStatus.hidden.value)
    return list(session.execute(query.order_by(Idea.id).limit(limit).offset(offset)).scalars())


def filter_ideas(
    *,
    session: Session,
    process_id: int,
    site_id: int | None = None,
    language: str | None = None,
    channel: str | None = None,
    status: str | None = None,
    limit: int = 500,
) -> tuple[list[Idea], int]:
    """The organizers' list: ideas matching every filter given (site_id 0: no event),
    oldest first, at most `limit`, and how many match in all."""
    processes.get_process(session=session, process_id=process_id)
    where = [Idea.process_id == process_id]
    if site_id is not None:
        where.append(Idea.site_id.is_(None) if site_id == 0 else Idea.site_id == site_id)
    if language:
        where.append(Idea.language.is_(None) if language == "-" else Idea.language == language)
    if channel:
        where.append(Idea.channel == channel)
    if status:
        where.append(Idea.status == status)
    total = session.execute(select(func.count()).select_from(Idea).where(*where)).scalar_one()
    ideas = session.execute(select(Idea).where(*where).order_by(Idea.id).limit(limit)).scalars()
    return list(ideas), total


def idea_counts(*, session: Session, process_id: int) -> dict[str, int]:
    """How many ideas the process has in each status, and in all ('all')."""
    rows = session.execute(
        select(Idea.status, func.count()).where(Idea.process_id == process_id).group_by(Idea.status)
    )
    counts = {status.value: 0 for status in IdeaStatus} | dict(rows.all())
    return {**counts, "all": sum(counts.values())}


def paper_ideas_from(*, session: Session, process_id: int, site_id: int | None) -> int:
    """How many paper forms were typed in for this event (or with no event)."""
    where = [Idea.process_id == process_id, Idea.channel == IdeaChannel.paper.value]
    where.append(Idea.site_id.is_(None) if site_id is None else Idea.site_id == site_id)
    return session.execute(select(func.count()).select_from(Idea).where(*where)).scalar_one()


def _moderated_idea(*, session: Session, idea_id: int, action: str) -> tuple[Idea, Process]:
    target = f"idea:{idea_id}"
    idea = session.get(Idea, idea_id)
    if idea is None:
        raise NotFound(f"There is no idea {idea_id}.", field="idea_id", audit=(action, target))
    process = process_for_change(
        session=session,
        process_id=idea.process_id,
        allowed=IDEA_MODERATION,
        action=action,
        target=target,
    )
    idea = read_for_change(session, Idea, idea_id)
    if idea.status != IdeaStatus.visible.value:
        where = f" into idea {idea.merged_into_id}" if idea.merged_into_id else ""
        raise Conflict(
            f"Idea {idea.id} is already {idea.status}{where}.",
            code=f"idea_{idea.status}",
            audit=(action, target),
        )
    return idea, process


def merge_idea(
    *, session: Session, actor: Actor, idea_id: int, into_idea_id: int, reason: str
) -> Idea:
    """Merge a duplicate into another idea of the same process; the duplicate stays readable."""
    action, target = "idea.merge", f"idea:{idea_id}"
    idea, process = _moderated_idea(session=session, idea_id=idea_id, action=action)
    if into_idea_id == idea.id:
        raise BadInput(
            "An idea cannot be merged into itself.",
            field="into_idea_id",
            code="merge_into_self",
            audit=(action, target),
        )
    into = session.get(Idea, into_idea_id)
    if into is None or into.process_id != process.id:
        raise NotFound(
            f"Process {process.id} has no idea {into_idea_id} to merge into.",
            field="into_idea_id",
            audit=(action, target),
        )
    if into.status != IdeaStatus.visible.value:
        raise Conflict(
            f"Idea {into.id} is {into.status}; merge into a visible idea instead.",
            field="into_idea_id",
            code=f"target_{into.status}",
            audit=(action, target),
        )
    idea.status = IdeaStatus.merged.value
    idea.merged_into_id = into.id
    idea.moderation_reason = reason
    audit.saved(
        session,
        idea,
        actor=actor,
        action=action,
        target=target,
        detail={"into_idea_id": into.id, "reason": reason[:500]},
    )
    return idea


def hide_idea(*, session: Session, actor: Actor, idea_id: int, reason: str) -> Idea:
    """Hide abuse from the public lists, the ranking and new proposals."""
    action, target = "idea.hide", f"idea:{idea_id}"
    idea, _ = _moderated_idea(session=session, idea_id=idea_id, action=action)
    idea.status = IdeaStatus.hidden.value
    idea.moderation_reason = reason
    audit.saved(
        session, idea, actor=actor, action=action, target=target, detail={"reason": reason[:500]}
    )
    return idea


def unhide_idea(*, session: Session, actor: Actor, idea_id: int, reason: str) -> Idea:
    """Undo a hide or a merge, with a reason: the idea is visible (and scoreable) again."""
    action, target = "idea.unhide", f"idea:{idea_id}"
    idea = session.get(Idea, idea_id)
    if idea is None:
        raise NotFound(f"There is no idea {idea_id}.", field="idea_id", audit=(action, target))
    process_for_change(
        session=session,
        process_id=idea.process_id,
        allowed=IDEA_MODERATION,
        action=action,
        target=target,
    )
    idea = read_for_change(session, Idea, idea_id)
    if idea.status == IdeaStatus.visible.value:
        raise Conflict(
            f"Idea {idea.id} is visible already.", code="idea_visible", audit=(action, target)
        )
    was = {"status": idea.status, "merged_into_id": idea.merged_into_id}
    idea.status = IdeaStatus.visible.value
    idea.merged_into_id = None
    idea.moderation_reason = reason
    audit.saved(
        session,
        idea,
        actor=actor,
        action=action,
        target=target,
        detail={**was, "reason": reason[:500]},
    )
    return idea


def _score_values(*, session: Session, score_id: int) -> dict[int, int]:
    rows = session.execute(
        select(CriterionScore).where(CriterionScore.delegate_score_id == score_id)
    ).scalars()
    return {row.criterion_id: row.value for row in rows}


def put_score(
    *, session: Session, actor: Actor, delegate_id: int, idea_id: int, data: ScoreIn
) -> tuple[DelegateScore, dict[int, int], dict[int, int]]:
    """Set this delegate's scores for the idea, replacing any earlier ones.

    Returns the row, the values by criterion id, and the weights by criterion id.
    """
    idea = get_idea(session=session, idea_id=idea_id, include_hidden=False)
    process = process_for_change(session=session, process_id=idea.process_id, allowed=IDEA_SCORING)
    idea = read_for_change(session, Idea, idea_id)
    if idea.status != IdeaStatus.visible.value:
        raise Conflict(
            f"Idea {idea.id} was merged into idea {idea.merged_into_id}; score that one.",
            code="idea_merged",
        )
    criteria = criteria_of(session=session, process_id=process.id)
    weights = {c.id: c.weight for c in criteria}
    given = {int(key): value for key, value in data.scores.items()}
    unknown = sorted(set(given) - set(weights))
    if unknown:
        raise BadInput(
            f"Criterion {unknown[0]} is not one of this process's criteria "
            f"(ids {', '.join(str(c) for c in weights)}).",
            field=f"scores.{unknown[0]}",
            code="unknown_criterion",
        )
    missing = [c for c in criteria if c.id not in given]
    if missing:
        names = ", ".join(f"{c.id} ({c.name})" for c in missing)
        raise BadInput(
            f"Score every criterion once; missing: {names}.",
            field="scores",
            code="criteria_missing",
        )
    now = utcnow()
    score = session.execute(
        select(DelegateScore)
        .where(DelegateScore.idea_id == idea.id, DelegateScore.delegate_id == delegate_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    replaced = score is not None
    if score is None:
        score = DelegateScore(idea_id=idea.id, delegate_id=delegate_id, created_at=now)
    else:
        session.execute(delete(CriterionScore).where(CriterionScore.delegate_score_id == score.id))
    score.comment = data.comment or None
    score.updated_at = now
    session.add(score)
    session.flush()
    session.add_all(
        CriterionScore(delegate_score_id=score.id, criterion_id=c, value=v)
        for c, v in given.items()
    )
    session.flush()
    audit.append(
        session=session,
        actor=actor,
        action="idea.score",
        target=f"idea:{idea.id}",
        detail={"scores": {str(c): v for c, v in sorted(given.items())}, "replaced": replaced},
    )
    return score, given, weights


def my_score(
    *, session: Session, delegate_id: int, idea_id: int
) -> tuple[DelegateScore, dict[int, int], dict[int, int]]:
    idea = get_idea(session=session, idea_id=idea_id, include_hidden=False)
    score = session.execute(
        select(DelegateScore).where(
            DelegateScore.idea_id == idea.id, DelegateScore.delegate_id == delegate_id
        )
    ).scalar_one_or_none()
    if score is None:
        raise NotFound(f"You have not scored idea {idea.id} yet.", code="not_scored")
    weights = {c.id: c.weight for c in criteria_of(session=session, process_id=idea.process_id)}
    return score, _score_values(session=session, score_id=score.id), weights


def ranking_of(*, session: Session, process_id: int) -> dict:
    """The process's visible ideas ranked by the delegates' scores (see app.ideas.ranking)."""
    processes.get_process(session=session, process_id=process_id)
    criteria = criteria_of(session=session, process_id=process_id)
    weights = {c.id: c.weight for c in criteria}
    ideas = list(
        session.execute(
            select(Idea.id, Idea.title, Idea.language).where(
                Idea.process_id == process_id, Idea.status == IdeaStatus.visible.value
            )
        )
    )
    rows = session.execute(
        select(
            DelegateScore.idea_id,
            DelegateScore.id,
            CriterionScore.criterion_id,
            CriterionScore.value,
        )
        .join(CriterionScore, CriterionScore.delegate_score_id == DelegateScore.id)
        .join(Idea, Idea.id == DelegateScore.idea_id)
        .where(Idea.process_id == process_id, Idea.status == IdeaStatus.visible.value)
    )
    by_score: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for idea_id, score_id, criterion_id, value in rows:
        by_score[(idea_id, score_id)][criterion_id] = value
    by_idea: dict[int, list[dict[int, int]]] = defaultdict(list)
    for (idea_id, _), values in sorted(by_score.items()):
        if set(values) == set(weights):
            by_idea[idea_id].append(values)
    ranked = ranking.rank_ideas(
        [ranking.IdeaScores(idea_id, by_idea.get(idea_id, [])) for idea_id, *_ in ideas], weights
    )
    titles = {idea_id: title for idea_id, title, _ in ideas}
    languages = {idea_id: language for idea_id, _, language in ideas}
    names = {c.id: c.name for c in criteria}
    return {
        "process_id": process_id,
        "definition": ranking.DEFINITION,
        "criteria": criteria,
        "ideas": [
            {
                "rank": position if r.weighted_mean is not None else None,
                "idea_id": r.idea_id,
                "title": titles[r.idea_id],
                "language": languages[r.idea_id],
                "delegates": r.delegates,
                "weighted_mean": None
                if r.weighted_mean is None
                else ranking.rounded(r.weighted_mean),
                "weighted_mean_exact": None
                if r.weighted_mean is None
                else ranking.fraction_text(r.weighted_mean),
                "spread": None if r.variance is None else ranking.rounded_sqrt(r.variance),
                "criterion_means": [
                    {"criterion_id": c, "name": names[c], "mean": ranking.rounded(m)}
                    for c, m in r.criterion_means.items()
                ],
            }
            for position, r in enumerate(ranked, start=1)
        ],
    }
