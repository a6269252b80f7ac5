"""Proposals, their approval onto the ballot, and the ballot list."""

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlmodel import Session

from app import audit
from app.audit import Actor
from app.db import read_for_change, utcnow
from app.errors import BadInput, Conflict, Forbidden, NotFound
from app.ideas.models import Idea, IdeaStatus
from app.processes import service as processes
from app.processes.models import Process
from app.processes.phases import (
    BALLOT_PUBLISHED,
    PROPOSAL_WRITING,
    Phase,
    Waiting,
    guard,
    process_for_change,
)
from app.proposals.models import Proposal, ProposalIdea, ProposalStatus
from app.proposals.schemas import EQUITY_QUESTIONS, ProposalCreate, ProposalUpdate, Translation
from app.web import i18n


def ballot_proposals(*, session: Session, process_id: int) -> list[Proposal]:
    """The proposals on this process's ballot, in ballot-number order."""
    return list(
        session.execute(
            select(Proposal)
            .where(Proposal.process_id == process_id, Proposal.status == ProposalStatus.approved)
            .order_by(Proposal.ballot_number)
        ).scalars()
    )


def count_on_ballot(*, session: Session, process_id: int) -> int:
    return session.execute(
        select(func.count()).where(
            Proposal.process_id == process_id, Proposal.status == ProposalStatus.approved.value
        )
    ).scalar_one()


@guard(Phase.voting)
def _enough_on_ballot(session: Session, process: Process, _: datetime) -> str | None:
    on_ballot = count_on_ballot(session=session, process_id=process.id)
    if on_ballot >= process.ballot_size:
        return None
    verb = "proposal is" if on_ballot == 1 else "proposals are"
    return Waiting(
        f"{on_ballot} {verb} on the ballot; at least {process.ballot_size} are needed "
        "(approve more in proposal_development).",
        "guard.ballot_short",
        on_ballot=on_ballot,
        needed=process.ballot_size,
    )


def _check_ideas(*, session: Session, process: Process, idea_ids: list[int]) -> None:
    found = {
        idea.id: idea
        for idea in session.execute(select(Idea).where(Idea.id.in_(idea_ids))).scalars()
    }
    for index, idea_id in enumerate(idea_ids):
        idea = found.get(idea_id)
        if idea is None or idea.process_id != process.id:
            raise BadInput(
                f"Process {process.id} has no idea {idea_id}.",
                field=f"idea_ids.{index}",
                code="unknown_idea",
            )
        if idea.status == IdeaStatus.hidden.value:
            raise BadInput(
                f"Idea {idea_id} was hidden by an organizer and cannot back a proposal.",
                field=f"idea_ids.{index}",
                code="idea_hidden",
            )


def _check_translations(process: Process, translations: dict[str, Translation]) -> None:
    primary, others = process.languages[0], process.languages[1:]
    for language in translations:
        if language == primary:
            raise BadInput(
                f"title and summary are already in {primary}, the process's first language; "
                f"translations are for {', '.join(others) or 'no other language'}.",
                field=f"translations.{language}",
                code="translation_of_primary",
            )
        if language not in others:
            raise BadInput(
                f"{language!r} is not a language of this process "
                f"(it has {', '.join(process.languages)}).",
                field=f"translations.{language}",
                code="unknown_language",
            )


def _link_ideas(*, session: Session, proposal: Proposal, idea_ids: list[int]) -> None:
    session.execute(delete(ProposalIdea).where(ProposalIdea.proposal_id == proposal.id))
    session.add_all(ProposalIdea(proposal_id=proposal.id, idea_id=i) for i in idea_ids)
    session.flush()


def idea_ids_of(*, session: Session, proposal_id: int) -> list[int]:
    return list(
        session.execute(
            select(ProposalIdea.idea_id)
            .where(ProposalIdea.proposal_id == proposal_id)
            .order_by(ProposalIdea.idea_id)
        ).scalars()
    )


def _translations_json(translations: dict[str, Translation]) -> dict[str, Any]:
    return {lang: t.model_dump() for lang, t in sorted(translations.items())}


def _lines_json(lines) -> list[dict[str, Any]] | None:
    return [line.model_dump() for line in lines] if lines else None


def _source_text(proposal: Proposal) -> tuple:
    """What translations translate: a change here makes older translations stale."""
    return (proposal.title, proposal.summary, proposal.location, proposal.equity_assessment)


def _stamp_translations(
    proposal: Proposal, before: dict[str, Any], now: datetime, *, source_changed: bool
) -> None:
    if source_changed:
        proposal.source_updated_at = now
    stamps = {
        language: at
        for language, at in (proposal.translated_at or {}).items()
        if language in proposal.translations
    }
    for language, text in proposal.translations.items():
        # A translation kept from before these times were recorded has no stamp: it is
        # stale as soon as its source changes (its age is unknown).
        if before.get(language) != text:
            stamps[language] = now.isoformat()
    proposal.translated_at = stamps


def stale_languages(proposal: Proposal) -> list[str]:
    """The languages whose translation is older than the source text it translates."""
    source = proposal.source_updated_at
    if source is None:
        return []
    stamps = proposal.translated_at or {}
    return sorted(
        language
        for language in proposal.translations
        if language not in stamps or datetime.fromisoformat(stamps[language]) < source
    )


def missing_for_ballot(process: Process, proposal: Proposal) -> list[str]:
    """What approval waits for: every language of the process (title and summary) and an
    answer to every question of the equity assessment ('translation:es', 'equity:needs')."""
    missing = [
        f"translation:{language}"
        for language in process.languages[1:]
        if not (proposal.translations.get(language) or {}).get("title")
        or not (proposal.translations.get(language) or {}).get("summary")
    ]
    answers = proposal.equity_assessment or {}
    missing += [f"equity:{q}" for q in EQUITY_QUESTIONS if not (answers.get(q) or "").strip()]
    return missing


def _missing_words(missing: list[str]) -> str:
    languages = [m.split(":", 1)[1] for m in missing if m.startswith("translation:")]
    questions = [m.split(":", 1)[1] for m in missing if m.startswith("equity:")]
    parts = []
    if languages:
        parts.append(f"a translation into {', '.join(languages)} (title and summary)")
    if questions:
        parts.append(f"answers to the equity assessment's questions: {', '.join(questions)}")
    return " and ".join(parts)


def _require_complete(process: Process, proposal: Proposal, audit_as: tuple[str, str]) -> None:
    missing = missing_for_ballot(process, proposal)
    if missing:
        raise Conflict(
            f"Proposal {proposal.id} cannot go on the ballot yet: it needs "
            f"{_missing_words(missing)}. A proposal reaches the ballot only in every language "
            "of the process and with its equity assessment.",
            code="proposal_incomplete",
            audit=audit_as,
        )


def _within_budget(
    process: Process, cost_cents: int, audit_as: tuple[str, str], *, refusal: type = BadInput
) -> None:
    """A proposal costs no more than the process's whole budget: one that does could
    never be funded. Refused when its cost is set (422) and when it is sent or approved
    (409, a proposal stored before this rule)."""
    if cost_cents <= process.budget_cents:
        return
    cost = i18n.format_money("en", cost_cents, process.currency)
    budget = i18n.format_money("en", process.budget_cents, process.currency)
    raise refusal(
        f"The cost ({cost}) is more than the process's whole budget ({budget}): "
        "a proposal must cost no more than the budget.",
        field="cost_cents",
        code="cost_over_budget",
        extra={"cost": cost, "budget": budget},
        audit=audit_as,
    )


def ballot_total(*, session: Session, process_id: int) -> int:
    """What the proposals on the ballot (approved) cost together."""
    return session.execute(
        select(func.coalesce(func.sum(Proposal.cost_cents), 0)).where(
            Proposal.process_id == process_id, Proposal.status == ProposalStatus.approved.value
        )
    ).scalar_one()


def create_proposal(
    *, session: Session, actor: Actor, process_id: int, data: ProposalCreate
) -> Proposal:
    process = process_for_change(
        session=session,
        process_id=process_id,
        allowed=PROPOSAL_WRITING,
        action="proposal.create",
    )
    _check_ideas(session=session, process=process, idea_ids=data.idea_ids)
    _check_translations(process, data.translations)
    _within_budget(process, data.cost_cents, ("proposal.create", f"process:{process.id}"))
    now = utcnow()
    proposal = Proposal(
        process_id=process.id,
        title=data.title,
        summary=data.summary,
        cost_cents=data.cost_cents,
        cost_lines=_lines_json(data.cost_lines),
        location=data.location,
        category=data.category,
        translations=_translations_json(data.translations),
        equity_assessment=data.equity_assessment.model_dump() if data.equity_assessment else None,
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    _stamp_translations(proposal, {}, now, source_changed=True)
    session.add(proposal)
    session.flush()
    _link_ideas(session=session, proposal=proposal, idea_ids=data.idea_ids)
    audit.append(
        session=session,
        actor=actor,
        action="proposal.create",
        target=f"proposal:{proposal.id}",
        detail={"process_id": process.id, "cost_cents": proposal.cost_cents},
    )
    return proposal


def _proposal_for_change(
    *, session: Session, proposal_id: int, action: str
) -> tuple[Proposal, Process]:
    """The proposal and its process, both read for a change (the process first: its lock
    serialises approvals, which number the ballot, and the move to voting), in a phase where
    proposals are written."""
    target = f"proposal:{proposal_id}"
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(
            f"There is no proposal {proposal_id}.", field="proposal_id", audit=(action, target)
        )
    process = process_for_change(
        session=session,
        process_id=proposal.process_id,
        allowed=PROPOSAL_WRITING,
        action=action,
        target=target,
    )
    return read_for_change(session, Proposal, proposal_id), process


def update_proposal(
    *, session: Session, actor: Actor, proposal_id: int, changes: ProposalUpdate
) -> Proposal:
    action, target = "proposal.update", f"proposal:{proposal_id}"
    proposal, process = _proposal_for_change(
        session=session, proposal_id=proposal_id, action=action
    )
    _editable(proposal, (action, target))
    fields = changes.model_dump(exclude_unset=True)
    source_before, translations_before = _source_text(proposal), dict(proposal.translations)
    for required in ("title", "summary", "cost_cents", "idea_ids", "translations"):
        if required in fields and fields[required] is None:
            raise BadInput(f"{required} cannot be null.", field=required)
    if changes.cost_cents is not None:
        _within_budget(process, changes.cost_cents, (action, target))
    if changes.idea_ids is not None:
        _check_ideas(session=session, process=process, idea_ids=changes.idea_ids)
        _link_ideas(session=session, proposal=proposal, idea_ids=changes.idea_ids)
    if changes.translations is not None:
        _check_translations(process, changes.translations)
        proposal.translations = _translations_json(changes.translations)
    if "equity_assessment" in fields:
        proposal.equity_assessment = (
            changes.equity_assessment.model_dump() if changes.equity_assessment else None
        )
    for name in ("title", "summary", "cost_cents", "location", "category"):
        if name in fields:
            setattr(proposal, name, fields[name])
    if changes.cost_lines is not None:
        proposal.cost_lines = _lines_json(changes.cost_lines)
    elif "cost_cents" in fields:
        proposal.cost_lines = None  # a whole cost given again replaces the lines
    if proposal.status == ProposalStatus.returned.value:
        # Edited after being sent back: a draft again, to be sent for approval once more.
        proposal.status = ProposalStatus.draft.value
    now = utcnow()
    _stamp_translations(
        proposal,
        translations_before,
        now,
        source_changed=_source_text(proposal) != source_before,
    )
    proposal.updated_at = now
    audit.saved(
        session,
        proposal,
        actor=actor,
        action=action,
        target=target,
        detail={"fields": sorted(fields)},
    )
    return proposal


def _editable(proposal: Proposal, audit_as: tuple[str, str]) -> None:
    """Delegates edit a draft or a returned proposal; one sent for approval or approved
    waits for an organizer to return it."""
    if proposal.status == ProposalStatus.approved.value:
        raise Conflict(
            f"Proposal {proposal.id} is on the ballot as number {proposal.ballot_number}; "
            "an organizer must return it before it can be edited.",
            code="proposal_approved",
            audit=audit_as,
        )
    if proposal.status == ProposalStatus.submitted.value:
        raise Conflict(
            f"Proposal {proposal.id} was sent for approval; an organizer must return it "
            "before it can be edited.",
            code="proposal_submitted",
            audit=audit_as,
        )


def submit_proposal(*, session: Session, actor: Actor, proposal_id: int) -> Proposal:
    """The delegates send a complete draft (or a returned proposal) for approval."""
    action, target = "proposal.submit", f"proposal:{proposal_id}"
    proposal, process = _proposal_for_change(
        session=session, proposal_id=proposal_id, action=action
    )
    _editable(proposal, (action, target))
    _within_budget(process, proposal.cost_cents, (action, target), refusal=Conflict)
    _require_complete(process, proposal, (action, target))
    proposal.status = ProposalStatus.submitted.value
    proposal.updated_at = utcnow()
    audit.saved(session, proposal, actor=actor, action=action, target=target, detail={})
    return proposal


def next_ballot_number(*, session: Session, process_id: int) -> int:
    """The smallest positive number not on the ballot: 1, 2, 3 ..., refilling a returned gap."""
    taken = set(
        session.execute(
            select(Proposal.ballot_number).where(
                Proposal.process_id == process_id, Proposal.ballot_number.is_not(None)
            )
        ).scalars()
    )
    number = 1
    while number in taken:
        number += 1
    return number


def approve_proposal(*, session: Session, actor: Actor, proposal_id: int) -> Proposal:
    action, target = "proposal.approve", f"proposal:{proposal_id}"
    proposal, process = _proposal_for_change(
        session=session, proposal_id=proposal_id, action=action
    )
    if proposal.status == ProposalStatus.approved.value:
        raise Conflict(
            f"Proposal {proposal.id} is already on the ballot as number {proposal.ballot_number}.",
            code="already_approved",
            audit=(action, target),
        )
    _within_budget(process, proposal.cost_cents, (action, target), refusal=Conflict)
    _require_complete(process, proposal, (action, target))
    proposal.ballot_number = next_ballot_number(session=session, process_id=process.id)
    proposal.status = ProposalStatus.approved.value
    proposal.return_reason = None
    proposal.updated_at = utcnow()
    audit.saved(
        session,
        proposal,
        actor=actor,
        action=action,
        target=target,
        detail={"ballot_number": proposal.ballot_number, "cost_cents": proposal.cost_cents},
    )
    return proposal


def return_proposal(*, session: Session, actor: Actor, proposal_id: int, reason: str) -> Proposal:
    action, target = "proposal.return", f"proposal:{proposal_id}"
    proposal, process = _proposal_for_change(
        session=session, proposal_id=proposal_id, action=action
    )
    if proposal.status == ProposalStatus.returned.value:
        raise Conflict(
            f"Proposal {proposal.id} was already returned; the delegates must edit it first.",
            code="already_returned",
            audit=(action, target),
        )
    was_number = proposal.ballot_number
    proposal.status = ProposalStatus.returned.value
    proposal.ballot_number = None
    proposal.return_reason = reason
    proposal.updated_at = utcnow()
    audit.saved(
        session,
        proposal,
        actor=actor,
        action=action,
        target=target,
        detail={"reason": reason[:500], "was_ballot_number": was_number},
    )
    return proposal


def get_proposal(*, session: Session, proposal_id: int, staff: bool) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is not None and not staff:
        process = processes.get_process(session=session, process_id=proposal.process_id)
        public = (
            BALLOT_PUBLISHED.allows(process.phase)
            and proposal.status == ProposalStatus.approved.value
        )
        proposal = proposal if public else None
    if proposal is None:
        raise NotFound(f"There is no proposal {proposal_id}.", field="proposal_id")
    return proposal


def list_proposals(*, session: Session, process_id: int, staff: bool) -> list[Proposal]:
    """Staff: every proposal, by id. Public: the ballot, once voting has opened."""
    process = processes.get_process(session=session, process_id=process_id)
    if not staff:
        if not BALLOT_PUBLISHED.allows(process.phase):
            return []
        return ballot_proposals(session=session, process_id=process_id)
    return list(
        session.execute(
            select(Proposal).where(Proposal.process_id == process_id).order_by(Proposal.id)
        ).scalars()
    )


def proposals_written_by(*, session: Session, user_id: int) -> list[tuple[Process, list[Proposal]]]:
    """The proposals a delegate wrote, by process (archived processes left out), the
    newest process first and each process's proposals in the order they were written."""
    rows = session.execute(
        select(Proposal, Process)
        .join(Process, Process.id == Proposal.process_id)
        .where(Proposal.created_by_id == user_id, Process.archived_at.is_(None))
        .order_by(Process.id.desc(), Proposal.id)
    ).all()
    grouped: dict[int, tuple[Process, list[Proposal]]] = {}
    for proposal, process in rows:
        grouped.setdefault(process.id, (process, []))[1].append(proposal)
    return list(grouped.values())


def choose_language(*, languages: list[str], asked: str | None, accept_language: str | None) -> str:
    """?lang= first, then Accept-Language by preference, else the process's first language."""
    return i18n.negotiate(languages, asked, header=accept_language) or languages[0]


def ballot_of(
    *,
    session: Session,
    process_id: int,
    staff: bool,
    asked: str | None,
    accept_language: str | None,
) -> dict[str, Any]:
    process = processes.get_process(session=session, process_id=process_id)
    if not staff and not BALLOT_PUBLISHED.allows(process.phase):
        raise Forbidden(
            f"The ballot is published when voting opens; the process is in {process.phase}.",
            code="ballot_not_published",
        )
    language = choose_language(
        languages=process.languages, asked=asked, accept_language=accept_language
    )
    entries = []
    for proposal in ballot_proposals(session=session, process_id=process.id):
        translated = proposal.translations.get(language)
        entries.append(
            {
                "ballot_number": proposal.ballot_number,
                "proposal_id": proposal.id,
                "title": translated["title"] if translated else proposal.title,
                "summary": translated["summary"] if translated else proposal.summary,
                "cost_cents": proposal.cost_cents,
                "category": proposal.category,
                "location": (translated or {}).get("location") or proposal.location,
                "language": language if translated else process.languages[0],
            }
        )
    return {
        "process_id": process.id,
        "phase": process.phase,
        "language": language,
        "languages": process.languages,
        "currency": process.currency,
        "budget_cents": process.budget_cents,
        "ballot_size": process.ballot_size,
        "total_cost_cents": sum(e["cost_cents"] for e in entries),
        "proposals": entries,
    }


def public_proposal(
    *, session: Session, process: Process, proposal_id: int, language: str
) -> dict[str, Any]:
    """A proposal as residents read it: in `language` where the delegates translated it,
    else in the process's first language (`translated` False says so). Only approved
    proposals of a published ballot; anything else is 404."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.process_id != process.id:
        raise NotFound(f"There is no proposal {proposal_id}.", field="proposal_id")
    proposal = get_proposal(session=session, proposal_id=proposal.id, staff=False)
    source = process.languages[0]
    own = proposal.translations.get(language) if language != source else None
    ideas = session.execute(
        select(Idea)
        .where(Idea.id.in_(idea_ids_of(session=session, proposal_id=proposal.id)))
        .where(Idea.status != IdeaStatus.hidden.value)
        .order_by(Idea.id)
    ).scalars()
    return {
        "proposal": proposal,
        "title": own["title"] if own else proposal.title,
        "summary": own["summary"] if own else proposal.summary,
        "location": ((own or {}).get("location") or proposal.location),
        "language": language if own else source,
        "translated": language == source or own is not None,
        "source_language": source,
        # (question, answer, its language): the reader's translation where a delegate
        # wrote one, else the original's answer.
        "equity": equity_in(proposal, own, language, source),
        # Cost lines, where the proposal's data has them: [{"item": ..., "cost_cents": ...}].
        "cost_lines": list(getattr(proposal, "cost_lines", None) or []),
        "ideas": [(idea.id, idea.title) for idea in ideas],
    }


def equity_in(
    proposal: Proposal, own: dict | None, language: str, source: str
) -> list[tuple[str, str, str]]:
    """The equity assessment's answers as a reader of `language` sees them, each with the
    language it is written in: the translation's answer where there is one."""
    translated = (own or {}).get("equity_assessment") or {}
    return [
        (question, translated[question], language)
        if (translated.get(question) or "").strip()
        else (question, answer, source)
        for question, answer in (proposal.equity_assessment or {}).items()
        if answer
    ]
