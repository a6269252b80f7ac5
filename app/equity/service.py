"""Turnout equity: who took part where, against who lives there; the anonymous survey.

Where the figures come from (nothing here reads or joins the `ballot` table):
- Voters per site and channel: `participation`, counted per (channel, site, neighbourhood).
  Every voter has exactly one row, written by a check-in at a site (kiosk, paper) or by an
  online cast (no site). A site's neighbourhood (`site.neighborhood`) places its voters:
  "neighbourhood" is where they voted, not where they live. An online voter who typed a
  ZIP code that the population list gives to a neighbourhood (`neighbourhood_zip`) has
  that neighbourhood on their participation row (the neighbourhood, never the ZIP).
- Per day: the audit log's check-ins (site, moment) and online casts (moment), counted
  by the day they happened in the process's time zone.
- Other online voters (an access code only, or a ZIP not in the list) have no place:
  they stay "online (no site)", and so do all online voters in one day's figures (the
  audit's casts carry no place). The survey asks residents where they live; its answers
  are shown beside the figures, never mixed into them.

Small counts: the survey's figures (and every public figure) below SMALL are shown as
"fewer than 10"; where exactly one figure of a set whose total is known is hidden, the
next smallest is hidden too, so it cannot be worked out by subtraction.
"""

import hashlib
import hmac
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from itsdangerous import BadSignature
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from app import audit
from app.audit import Actor, AuditEntry
from app.db import rewrite_in_key_order
from app.equity.models import (
    NeighbourhoodZip,
    ReferencePopulation,
    SurveyAnswer,
    SurveyQuestion,
    SurveyTokenSpent,
)
from app.equity.population import ZIP_HEADER, PopulationRow
from app.errors import BadInput, Conflict, Forbidden
from app.processes.models import Process
from app.processes.phases import (
    POPULATION,
    RESULTS_PUBLISHED,
    SURVEY,
    SURVEY_QUESTIONS,
    Phase,
    on_enter,
    process_for_change,
)
from app.security import serializer
from app.sites.models import Site
from app.voting.models import Channel, Participation

SMALL = 10  # counts below this are never shown where they could single people out
OUTREACH_BELOW = 0.8  # a neighbourhood's share of voters against its share of people
AGE_BANDS = ("under_18", "18_24", "25_34", "35_44", "45_54", "55_64", "65_plus")
ELSEWHERE = "elsewhere"  # the survey's "somewhere else" neighbourhood
ONLINE = "online"  # the neighbourhood bucket of online voters: no site, no place
NO_NEIGHBOURHOOD = "no_neighbourhood"  # in person at a site with no neighbourhood given
NOT_LISTED = "not_listed"  # at a site whose neighbourhood is not in the population list
MAX_QUESTIONS = 3
MAX_OPTIONS = 8


# --- reference population ---------------------------------------------------------------


def population_of(*, session: Session, process_id: int) -> list[ReferencePopulation]:
    return list(
        session.execute(
            select(ReferencePopulation)
            .where(ReferencePopulation.process_id == process_id)
            .order_by(ReferencePopulation.position)
        ).scalars()
    )


def replace_population(
    *, session: Session, actor: Actor, process: Process, rows: list[PopulationRow]
) -> list[ReferencePopulation]:
    """Replaces the whole list (the file is the list); audited with what changed. Any
    phase but closed (a city may correct its figures after the vote; the archive stays)."""
    process_for_change(
        session=session, process_id=process.id, allowed=POPULATION, action="equity.population"
    )
    before = population_of(session=session, process_id=process.id)
    session.execute(delete(ReferencePopulation).where(ReferencePopulation.process_id == process.id))
    session.execute(delete(NeighbourhoodZip).where(NeighbourhoodZip.process_id == process.id))
    session.flush()
    stored = [
        ReferencePopulation(
            process_id=process.id,
            position=n,
            neighborhood=row.neighborhood,
            population=row.population,
            groups=row.groups,
        )
        for n, row in enumerate(rows, start=1)
    ]
    session.add_all(stored)
    session.add_all(
        NeighbourhoodZip(process_id=process.id, zip_code=code, neighborhood=row.neighborhood)
        for row in rows
        for code in row.zip_codes
    )
    session.flush()
    audit.append(
        session=session,
        actor=actor,
        action="equity.population",
        target=f"process:{process.id}",
        detail={
            "neighbourhoods": len(rows),
            "population": sum(r.population for r in rows),
            "groups": sorted({g for r in rows for g in r.groups}),
            "zip_codes": sum(len(r.zip_codes) for r in rows),
            "replaced_neighbourhoods": len(before),
        },
    )
    return stored


def population_rows_for_csv(*, session: Session, process_id: int) -> tuple[list[str], list[list]]:
    """The stored list as the upload format (header, rows), to download and edit."""
    areas = population_of(session=session, process_id=process_id)
    groups = _group_names(areas)
    zips = zip_codes_of(session=session, process_id=process_id)
    header = ["neighbourhood", "population", *groups, *([ZIP_HEADER] if zips else [])]
    return header, [
        [
            a.neighborhood,
            a.population,
            *(a.groups.get(g, 0) for g in groups),
            *([" ".join(zips.get(a.neighborhood, []))] if zips else []),
        ]
        for a in areas
    ]


def zip_codes_of(*, session: Session, process_id: int) -> dict[str, list[str]]:
    """Each neighbourhood's ZIP codes (those that have any), in ZIP order."""
    out: dict[str, list[str]] = {}
    for name, code in session.execute(
        select(NeighbourhoodZip.neighborhood, NeighbourhoodZip.zip_code)
        .where(NeighbourhoodZip.process_id == process_id)
        .order_by(NeighbourhoodZip.zip_code)
    ).all():
        out.setdefault(name, []).append(code)
    return out


def _group_names(areas: list[Any]) -> list[str]:
    names: list[str] = []
    for area in areas:
        names += [g for g in area.groups if g not in names]
    return names


# --- the figures --------------------------------------------------------------------------


@dataclass
class Area:
    name: str
    population: int
    groups: dict[str, int]
    by_channel: Counter = field(default_factory=Counter)  # kiosk / paper / online voters here
    population_share: float = 0.0
    voter_share: float | None = None
    ratio: float | None = None

    @property
    def voters(self) -> int:
        """In person at a site here, and online with a ZIP code of here."""
        return sum(self.by_channel.values())

    @property
    def outreach(self) -> bool:
        return self.ratio is not None and self.ratio < OUTREACH_BELOW


@dataclass
class Figures:
    process: Process
    day: date | None
    days: list[date]
    areas: list[Area]
    # online voters, in person at sites with no neighbourhood / one not in the list
    unplaced: dict[str, Counter]
    by_channel: Counter
    per_day: list[tuple[date, Counter]]
    groups: list[dict[str, Any]]
    placed: int  # voters placed in a listed neighbourhood: the shares' denominator
    zip_mapped: bool  # the list gives ZIP codes: online voters can be placed
    population: int

    @property
    def voters(self) -> int:
        return sum(self.by_channel.values())


def _voters_by_place(*, session: Session, process_id: int) -> Counter:
    """Voters per (channel, site, neighbourhood of an online voter's ZIP)."""
    place = (Participation.channel, Participation.site_id, Participation.neighborhood)
    rows = session.execute(
        select(*place, func.count()).where(Participation.process_id == process_id).group_by(*place)
    ).all()
    return Counter({(channel, site, where): n for channel, site, where, n in rows})


def _moments(*, session: Session, process: Process, sites: dict[int, str | None]):
    """(local day, channel, site id or None) of every check-in and online cast."""
    zone = ZoneInfo(process.time_zone or "UTC")
    targets = {f"site:{site_id}": site_id for site_id in sites}
    if targets:
        for at, target, detail in session.execute(
            select(AuditEntry.at, AuditEntry.target, AuditEntry.detail).where(
                AuditEntry.action == "voting.check_in",
                AuditEntry.outcome == "ok",
                AuditEntry.target.in_(list(targets)),
            )
        ).all():
            yield at.astimezone(zone).date(), (detail or {}).get("mode"), targets[target]
    for at, detail in session.execute(
        select(AuditEntry.at, AuditEntry.detail).where(
            AuditEntry.action == "ballot.cast",
            AuditEntry.outcome == "ok",
            AuditEntry.target == f"process:{process.id}",
        )
    ).all():
        if (detail or {}).get("channel") == Channel.online.value:
            yield at.astimezone(zone).date(), Channel.online.value, None


def figures(*, session: Session, process: Process, day: date | None = None) -> Figures:
    """Voters per neighbourhood, channel and day, and each neighbourhood's share of the
    placed voters against its share of the reference population."""
    sites = dict(
        session.execute(
            select(Site.id, Site.neighborhood).where(Site.process_id == process.id)
        ).all()
    )
    moments = list(_moments(session=session, process=process, sites=sites))
    daily: dict[date, Counter] = {}
    for when, channel, _ in moments:
        daily.setdefault(when, Counter())[channel] += 1
    if day is None:
        voters = _voters_by_place(session=session, process_id=process.id)
    else:
        voters = Counter((c, s, None) for when, c, s in moments if when == day)
    areas = [
        Area(name=a.neighborhood, population=a.population, groups=dict(a.groups))
        for a in population_of(session=session, process_id=process.id)
    ]
    by_name = {a.name.casefold(): a for a in areas}
    unplaced: dict[str, Counter] = {k: Counter() for k in (ONLINE, NO_NEIGHBOURHOOD, NOT_LISTED)}
    by_channel: Counter = Counter({c.value: 0 for c in Channel})
    for (channel, site_id, zip_place), n in voters.items():
        by_channel[channel] += n
        if site_id is None:
            area = by_name.get(zip_place.casefold()) if zip_place else None
            if area is not None:
                area.by_channel[channel] += n
            else:
                unplaced[ONLINE][channel] += n
            continue
        where = (sites.get(site_id) or "").strip()
        area = by_name.get(where.casefold()) if where else None
        if area is not None:
            area.by_channel[channel] += n
        else:
            unplaced[NOT_LISTED if where else NO_NEIGHBOURHOOD][channel] += n
    population = sum(a.population for a in areas)
    placed = sum(a.voters for a in areas)
    for area in areas:
        area.population_share = area.population / population if population else 0.0
        if placed and area.population:
            area.voter_share = area.voters / placed
            area.ratio = area.voter_share / area.population_share
    return Figures(
        process=process,
        day=day,
        days=sorted(daily),
        areas=areas,
        unplaced=unplaced,
        by_channel=by_channel,
        per_day=sorted(daily.items()),
        groups=_group_estimates(areas, placed),
        placed=placed,
        population=population,
        zip_mapped=bool(zip_codes_of(session=session, process_id=process.id)),
    )


def _group_estimates(areas: list[Area], placed: int) -> list[dict[str, Any]]:
    """Each target group's share of the people against its estimated share of the
    in-person voters, if voters were like their neighbourhood (an estimate, said so)."""
    out = []
    population = sum(a.population for a in areas)
    for name in _group_names(areas):
        people = sum(a.groups.get(name, 0) for a in areas)
        if not population or not placed:
            continue
        reached = sum(
            a.voters * a.groups.get(name, 0) / a.population for a in areas if a.population
        )
        share, voter_share = people / population, reached / placed
        out.append(
            {
                "name": name,
                "people": people,
                "population_share": share,
                "voter_share": voter_share,
                "ratio": voter_share / share if share else None,
            }
        )
    return out


def figures_csv_rows(fig: Figures) -> tuple[list[str], list[list]]:
    """The staff figures as a table to download (app.exports.csv_files.write_csv)."""
    header = [
        "neighbourhood",
        "population",
        "population_share",
        "kiosk",
        "paper",
        "online",
        "voter_share",
        "ratio",
        "send_outreach",
    ]
    rows = []
    for a in fig.areas:
        share = "" if a.voter_share is None else round(a.voter_share, 4)
        ratio = "" if a.ratio is None else round(a.ratio, 3)
        rows.append(
            [
                a.name,
                a.population,
                round(a.population_share, 4),
                a.by_channel["kiosk"],
                a.by_channel["paper"],
                a.by_channel["online"],
                share,
                ratio,
                "yes" if a.outreach else "",
            ]
        )
    for key, counts in fig.unplaced.items():
        rows.append(
            [f"({key})", "", "", counts["kiosk"], counts["paper"], counts["online"], "", "", ""]
        )
    return header, rows


# --- small counts -------------------------------------------------------------------------


def suppressed(counts: dict[Any, int]) -> dict[Any, int | None]:
    """Counts below SMALL become None ("fewer than 10"); if that hides exactly one of
    several, the smallest shown one is hidden too, so a known total gives nothing away."""
    hidden = {k for k, n in counts.items() if n < SMALL}
    if len(hidden) == 1 and len(counts) > 1:
        rest = [k for k in counts if k not in hidden]
        hidden.add(min(rest, key=lambda k: counts[k]))
    return {k: (None if k in hidden else n) for k, n in counts.items()}


# --- the survey ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionIn:
    text: dict[str, str]
    options: list[dict[str, str]]


def questions_of(*, session: Session, process_id: int) -> list[SurveyQuestion]:
    return list(
        session.execute(
            select(SurveyQuestion)
            .where(SurveyQuestion.process_id == process_id)
            .order_by(SurveyQuestion.position)
        ).scalars()
    )


def answer_count(*, session: Session, process_id: int) -> int:
    return session.execute(
        select(func.count()).select_from(SurveyAnswer).where(SurveyAnswer.process_id == process_id)
    ).scalar_one()


def put_questions(
    *, session: Session, actor: Actor, process: Process, questions: list[QuestionIn]
) -> list[SurveyQuestion]:
    """Replaces the extra questions; refused once anyone has answered (answers point at
    the options by their place, which a change would scramble)."""
    process_for_change(
        session=session,
        process_id=process.id,
        allowed=SURVEY_QUESTIONS,
        action="equity.survey_questions",
    )
    if len(questions) > MAX_QUESTIONS:
        raise BadInput(f"At most {MAX_QUESTIONS} extra questions.", field="questions")
    for n, question in enumerate(questions, start=1):
        for language in process.languages:
            if not question.text.get(language, "").strip():
                raise BadInput(
                    f"Question {n} needs its text in every language of the process "
                    f"({language} is missing).",
                    field=f"q{n}_text_{language}",
                )
            if len(question.options) < 2 or len(question.options) > MAX_OPTIONS:
                raise BadInput(
                    f"Question {n} needs 2 to {MAX_OPTIONS} answers to choose from.",
                    field=f"q{n}_options_{language}",
                )
            if any(not o.get(language, "").strip() for o in question.options):
                raise BadInput(
                    f"Question {n}: give the same number of answers in every language "
                    f"({language} has fewer).",
                    field=f"q{n}_options_{language}",
                )
    if answer_count(session=session, process_id=process.id):
        raise Conflict(
            "Residents have answered the survey already: its questions can no longer change.",
            code="survey_answered",
        )
    session.execute(delete(SurveyQuestion).where(SurveyQuestion.process_id == process.id))
    stored = [
        SurveyQuestion(process_id=process.id, position=n, text=q.text, options=q.options)
        for n, q in enumerate(questions, start=1)
    ]
    session.add_all(stored)
    session.flush()
    audit.append(
        session=session,
        actor=actor,
        action="equity.survey_questions",
        target=f"process:{process.id}",
        detail={"questions": len(stored)},
    )
    return stored


def survey_open(process: Process) -> bool:
    return SURVEY.allows(process.phase)


def survey_token(secret_key: str, process_id: int, *, receipt: str) -> str:
    """The survey invitation of the ballot whose receipt code is `receipt`: the process and
    a nonce keyed from the receipt, signed. One per ballot: the thank-you page shown again
    (its language buttons, a reload within the flash's minute) invites with the same one,
    which can be answered once. The nonce is an HMAC, so neither it nor the spent table's
    hash of it gives the receipt back; nothing in it says who voted, how or when."""
    key = hmac.new(secret_key.encode(), f"survey:{process_id}:{receipt}".encode(), "sha256")
    return serializer(secret_key, "survey").dumps({"p": process_id, "n": key.hexdigest()[:32]})


def _nonce(secret_key: str, process_id: int, token: str) -> str | None:
    try:
        found = serializer(secret_key, "survey").loads(token)
    except BadSignature:
        return None
    if not isinstance(found, dict) or found.get("p") != process_id:
        return None
    nonce = found.get("n")
    return nonce if isinstance(nonce, str) else None


def token_usable(*, session: Session, secret_key: str, process_id: int, token: str) -> bool:
    nonce = _nonce(secret_key, process_id, token)
    return nonce is not None and session.get(SurveyTokenSpent, _spent_key(nonce)) is None


def _spent_key(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _spend(session: Session, nonce: str) -> bool:
    """Marks an invitation answered; False if it was already (the database decides)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = SurveyTokenSpent.__table__  # type: ignore[attr-defined]
    spent = session.execute(
        insert(table)
        .values(token_hash=_spent_key(nonce))
        .on_conflict_do_nothing()
        .returning(table.c.token_hash)
    ).first()
    return spent is not None


def record_answer(
    *,
    session: Session,
    secret_key: str,
    process: Process,
    token: str,
    age_band: str | None,
    neighborhood: str | None,
    answers: dict[int, int],
) -> bool:
    """Stores one anonymous answer (False if every question was skipped: nothing stored).

    Not audited: an audit entry's time would say when someone answered, right after
    casting. The invitation is spent in its own table, with no link to the answer.
    """
    # Shared, as a ballot: an answer never lands after the move to funding reseals the survey.
    process_for_change(session=session, process_id=process.id, allowed=SURVEY, shared=True)
    nonce = _nonce(secret_key, process.id, token)
    if nonce is None:
        raise Forbidden(
            "Open the survey from the page that thanks you for voting.", code="survey_link"
        )
    if age_band is not None and age_band not in AGE_BANDS:
        raise BadInput("Choose an age group from the list.", field="age_band")
    names = {a.neighborhood for a in population_of(session=session, process_id=process.id)}
    if neighborhood is not None and neighborhood not in names | {ELSEWHERE}:
        raise BadInput("Choose a neighbourhood from the list.", field="neighborhood")
    questions = {q.id: q for q in questions_of(session=session, process_id=process.id)}
    for question_id, option in answers.items():
        if question_id not in questions or not 0 <= option < len(questions[question_id].options):
            raise BadInput(
                "Choose one of the answers given.", field=f"q{question_id}", code="survey_choice"
            )
    if not _spend(session, nonce):
        raise Conflict("This survey has been answered already. Thank you!", code="survey_done")
    if age_band is None and neighborhood is None and not answers:
        return False
    session.add(
        SurveyAnswer(
            id=secrets.token_hex(16),
            process_id=process.id,
            age_band=age_band,
            neighborhood=neighborhood,
            answers={str(k): v for k, v in answers.items()},
        )
    )
    session.flush()
    return True


@on_enter(Phase.funding)
def _reseal_survey(session: Session, process: Process, _: Any) -> None:
    """Rewrite the survey's tables in key order when voting ends (as app.voting.service's
    `_reseal` does for ballots): answers were written one by one soon after casts, so
    the order they sit in the files could be set beside the order of the ballots. After
    this, neither their place on disk (SQLite cells, PostgreSQL heap order and xmin) nor
    their keys say in what order anyone answered."""
    rewrite_in_key_order(session, (("survey_answer", "id"), ("survey_token_spent", "token_hash")))


def _survey_counts(session: Session, process_id: int, column: Any) -> Counter:
    return Counter(
        dict(
            session.execute(
                select(column, func.count())
                .where(SurveyAnswer.process_id == process_id, column.is_not(None))
                .group_by(column)
            ).all()
        )
    )


def survey_breakdown(*, session: Session, process: Process) -> dict[str, Any]:
    """Every survey figure, small counts already hidden (None), for staff and public alike."""
    ages = _survey_counts(session, process.id, SurveyAnswer.age_band)
    places = _survey_counts(session, process.id, SurveyAnswer.neighborhood)
    listed = [a.neighborhood for a in population_of(session=session, process_id=process.id)]
    questions = []
    answers = session.execute(
        select(SurveyAnswer.answers).where(SurveyAnswer.process_id == process.id)
    ).scalars()
    chosen: Counter = Counter()
    for given in answers:
        chosen.update((k, v) for k, v in given.items())
    for question in questions_of(session=session, process_id=process.id):
        counts = {i: chosen[(str(question.id), i)] for i in range(len(question.options))}
        questions.append({"question": question, "counts": suppressed(counts)})
    return {
        "respondents": answer_count(session=session, process_id=process.id),
        "age_bands": suppressed({band: ages[band] for band in AGE_BANDS}),
        "neighbourhoods": suppressed(
            {name: places[name] for name in [*listed, ELSEWHERE]} if listed else {}
        ),
        "questions": questions,
    }


def public_equity(*, session: Session, process: Process) -> dict[str, Any] | None:
    """The public figures, once the process is funded: small counts hidden."""
    if not RESULTS_PUBLISHED.allows(process.phase):
        return None
    fig = figures(session=session, process=process)
    if not fig.areas:
        return None
    counts = {a.name: a.voters for a in fig.areas}
    for key in (NO_NEIGHBOURHOOD, NOT_LISTED):
        counts[key] = sum(fig.unplaced[key].values())
    shown = suppressed(counts)
    rows = [
        {
            "name": a.name,
            "population_share": a.population_share,
            "voters": shown[a.name],
            "voter_share": a.voter_share if shown[a.name] is not None else None,
            "ratio": a.ratio if shown[a.name] is not None else None,
            "outreach": a.outreach and shown[a.name] is not None,
        }
        for a in fig.areas
    ]
    survey = survey_breakdown(session=session, process=process)
    respondents = survey["respondents"]
    return {
        "rows": rows,
        "online": fig.unplaced[ONLINE][Channel.online.value],
        "placed": fig.placed,
        "zip_mapped": fig.zip_mapped,
        "unplaced": {k: shown[k] for k in (NO_NEIGHBOURHOOD, NOT_LISTED)},
        "age_bands": survey["age_bands"],
        "respondents": respondents if respondents >= SMALL else None,
    }
