"""Demo equity data: Rochester neighbourhoods for the demo's voting sites, a reference
population (app/demo/demo_population.csv), demo survey answers, and one extra survey
question on the practice ballot.

The neighbourhood names are Rochester's; the population and group counts are
ILLUSTRATIVE, of a plausible size, not census figures. The demo's in-person voters chose
their site at random, so neighbourhoods with many people and few sites come out below
their share: that is what the equity view is for.
"""

import random
import secrets
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from app.audit import Actor
from app.equity import service as equity
from app.equity.models import SurveyAnswer
from app.equity.population import parse_population
from app.processes.models import Process
from app.sites.models import Site, SiteKind

POPULATION_CSV = Path(__file__).with_name("demo_population.csv")
PRACTICE_SITE_NEIGHBOURHOOD = "South Wedge"  # 115 South Ave, the Central Library's corner
SURVEY_SHARE = 0.26  # of the demo's voters, those who answer the optional survey
AGE_WEIGHTS = {"under_18": 2, "18_24": 9, "25_34": 17, "35_44": 18, "45_54": 17, "55_64": 19,
               "65_plus": 18}  # fmt: skip
BANDS = list(AGE_WEIGHTS)
HEARD_OF_IT = {
    "text": {
        "en": "How did you hear about this vote?",
        "es": "¿Cómo se enteró de esta votación?",
        "vi": "Quý vị biết đến cuộc bỏ phiếu này bằng cách nào?",
    },
    "options": [
        {"en": "A flyer or poster", "es": "Un volante o cartel", "vi": "Tờ rơi hoặc áp phích"},
        {"en": "Family or friends", "es": "Familia o amistades", "vi": "Gia đình hoặc bạn bè"},
        {"en": "A community group", "es": "Un grupo comunitario", "vi": "Một hội nhóm cộng đồng"},
        {"en": "Social media", "es": "Redes sociales", "vi": "Mạng xã hội"},
        {"en": "Another way", "es": "De otra manera", "vi": "Cách khác"},
    ],
}


def load_equity_demo(
    *, session: Session, actor: Actor, process: Process, practice: Process | None, seed: int = 45
) -> None:
    """Neighbourhoods and population for the demo process (after its vote) and the
    practice ballot (open for voting, with the extra survey question). The caller commits."""
    rng = random.Random(seed)
    rows = parse_population(POPULATION_CSV.read_bytes())
    names = [r.neighborhood for r in rows]
    sites = session.execute(
        select(Site)
        .where(Site.process_id == process.id, Site.kind == SiteKind.voting_site.value)
        .order_by(Site.id)
    ).scalars()
    for n, site in enumerate(sites):
        site.neighborhood = names[n % len(names)]
        session.add(site)
    equity.replace_population(session=session, actor=actor, process=process, rows=rows)
    _survey_answers(session=session, process=process, rows=rows, rng=rng)
    if practice is not None:
        for site in session.execute(select(Site).where(Site.process_id == practice.id)).scalars():
            site.neighborhood = PRACTICE_SITE_NEIGHBOURHOOD
            session.add(site)
        equity.replace_population(session=session, actor=actor, process=practice, rows=rows)
        equity.put_questions(
            session=session,
            actor=actor,
            process=practice,
            questions=[equity.QuestionIn(**HEARD_OF_IT)],
        )
    session.flush()


def _survey_answers(*, session: Session, process: Process, rows, rng: random.Random) -> None:
    """The answers residents would have left (the survey closed with the vote, so they are
    written as the survey writes them: a random key, no time, no link)."""
    voters = equity.figures(session=session, process=process).voters
    names = [r.neighborhood for r in rows] + [equity.ELSEWHERE]
    weights = [r.population for r in rows] + [sum(r.population for r in rows) // 20]
    for _ in range(round(voters * SURVEY_SHARE)):
        skip = rng.random()
        session.add(
            SurveyAnswer(
                id=secrets.token_hex(16),
                process_id=process.id,
                age_band=None if skip < 0.06 else rng.choices(BANDS, list(AGE_WEIGHTS.values()))[0],
                neighborhood=None if skip > 0.9 else rng.choices(names, weights)[0],
                answers={},
            )
        )
