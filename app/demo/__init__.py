"""The demo: an RMAPI-like process (Monroe County NY, 2019), loaded once.

Everything the demo loads lives in this package: the process, sites and rules here;
ideas and proposals (proposals.py, texts in proposal_content.py), voting (voting.py),
paper ballots (paper.py). Each goes through the service functions the API uses.
"""

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from app.audit import SYSTEM, Actor
from app.config import Settings, get_settings
from app.demo.equity import load_equity_demo
from app.demo.paper import load_paper_demo
from app.demo.proposal_content import PROPOSALS, WINNER_EQUITY
from app.demo.proposals import load_ideas_and_proposals_demo
from app.demo.voting import RMAPI_ONLINE, RMAPI_VOTERS, load_voting_demo
from app.ideas.schemas import IdeaCreate
from app.ideas.service import submit_idea
from app.processes import service as processes
from app.processes.models import Process
from app.processes.phases import Phase
from app.processes.schemas import ProcessCreate, ProcessTranslation
from app.proposals.schemas import EquityAssessment, ProposalCreate, Translation
from app.proposals.service import approve_proposal, ballot_proposals, create_proposal
from app.results.awards import record_award
from app.results.models import AwardStatus
from app.results.service import official_of, publish_result
from app.sites.models import SiteKind
from app.sites.schemas import SiteCreate
from app.sites.service import add_site
from app.users import service as users
from app.users.models import Role, User
from app.voting.models import CredentialKind
from app.voting.schemas import VotingRulesIn
from app.voting.service import assign_poll_worker, put_rules

DEMO_NAME = "Rochester-Monroe Anti-Poverty Initiative PB 2019"
DEMO_ORGANIZER = "organizer@demo.pbvote.org"
DEMO_POLL_WORKER = "pollworker@demo.pbvote.org"  # at the practice process's site
PAPER_VOTERS = 300  # of RMAPI's 1,141 in-person voters, those who marked paper
DEMO_DESCRIPTION = (
    "In 2019 the Rochester-Monroe Anti-Poverty Initiative (RMAPI) asked the community of "
    "Monroe County, New York, how to spend $200,000 on projects that meet its needs, guided "
    "by its principles: addressing structural racism, addressing trauma, building community. "
    "A 20-member Community Leadership Team led the process. Ideas were gathered at formal "
    "and informal events; volunteer budget delegates scored them for need, feasibility, "
    "equity and fit with the guiding principles, and developed the best into project "
    "outlines.\n\n"
    "Community members ranked their top five projects, online or in person at one of 45 "
    "voting sites, over three weeks. The projects with the most support are funded in "
    "order until the money runs out."
)
# The name and description in the demo's other languages.
DEMO_TRANSLATIONS = {
    "es": ProcessTranslation(
        name="Presupuesto participativo 2019 de la Iniciativa contra la Pobreza Rochester-Monroe",
        description="En 2019, la Iniciativa contra la Pobreza Rochester-Monroe (RMAPI) "
        "preguntó a la comunidad del condado de Monroe, Nueva York, cómo gastar $200,000 en "
        "proyectos que respondan a sus necesidades, guiada por sus principios: enfrentar el "
        "racismo estructural, enfrentar el trauma y construir comunidad. Un Equipo de "
        "Liderazgo Comunitario de 20 integrantes dirigió el proceso. Las ideas se recogieron "
        "en eventos formales e informales; delegados/as de presupuesto voluntarios/as las "
        "calificaron según necesidad, viabilidad, equidad y coherencia con los principios, y "
        "convirtieron las mejores en propuestas de proyecto.\n\n"
        "Durante tres semanas, la comunidad ordenó por preferencia sus cinco proyectos "
        "favoritos, en línea o en persona en uno de 45 centros de votación. Los proyectos con "
        "más apoyo se financian en ese orden hasta agotar el dinero.",
    ),
    "vi": ProcessTranslation(
        name="Ngân sách có sự tham gia 2019 của Sáng kiến Chống Đói nghèo Rochester-Monroe",
        description="Năm 2019, Sáng kiến Chống Đói nghèo Rochester-Monroe (RMAPI) đã hỏi ý "
        "kiến cộng đồng quận Monroe, tiểu bang New York, về cách chi 200.000 đô-la cho các dự "
        "án đáp ứng nhu cầu của cộng đồng, theo các nguyên tắc: giải quyết nạn phân biệt chủng "
        "tộc mang tính cơ cấu, giải quyết sang chấn tâm lý và xây dựng cộng đồng. Một Nhóm "
        "Lãnh đạo Cộng đồng gồm 20 thành viên đã điều hành quy trình. Ý tưởng được thu thập "
        "tại các sự kiện chính thức và không chính thức; các đại biểu ngân sách tình nguyện "
        "chấm điểm ý tưởng theo nhu cầu, tính khả thi, tính công bằng và sự phù hợp với các "
        "nguyên tắc, rồi phát triển những ý tưởng tốt nhất thành đề xuất dự án.\n\n"
        "Trong ba tuần, người dân trong cộng đồng xếp thứ tự năm dự án mình ưu tiên nhất, "
        "trực tuyến hoặc trực tiếp tại một trong 45 địa điểm bỏ phiếu. Các dự án được ủng hộ "
        "nhiều nhất được cấp kinh phí theo thứ tự cho đến khi hết ngân sách.",
    ),
}
PRACTICE_TRANSLATIONS = {
    "es": ProcessTranslation(
        name="Boleta de práctica: pruebe a votar aquí",
        description="Una demostración: ordene por preferencia hasta cinco de seis proyectos "
        "pequeños. Escriba cualquier nombre, fecha de nacimiento y código postal; los mismos "
        "datos solo pueden votar una vez.",
    ),
    "vi": ProcessTranslation(
        name="Lá phiếu thực hành: hãy thử bỏ phiếu tại đây",
        description="Phần trình diễn: xếp thứ tự tối đa năm trong sáu dự án nhỏ. Quý vị có "
        "thể nhập bất kỳ họ tên, ngày sinh và mã bưu điện nào; mỗi bộ thông tin chỉ bỏ phiếu "
        "được một lần.",
    ),
}


# RMAPI is in Rochester, New York: every date of the demo is shown in its time.
DEMO_TIME_ZONE = "America/New_York"


@dataclass(frozen=True)
class DemoResult:
    process: Process
    organizer_email: str
    created: bool


def load_demo(
    *,
    session: Session,
    organizer_password: str,
    settings: Settings | None = None,
    poll_worker_password: str | None = None,
) -> DemoResult:
    existing = session.execute(
        select(Process).where(Process.name == DEMO_NAME)
    ).scalar_one_or_none()
    if existing is not None:
        return DemoResult(process=existing, organizer_email=DEMO_ORGANIZER, created=False)
    settings = settings or get_settings()
    organizer = _demo_organizer(session=session, settings=settings, password=organizer_password)
    actor = Actor.of(organizer)
    for n in range(1, 21):
        # The Community Leadership Team: organizer accounts with unusable random passwords.
        users.create_user(
            session=session,
            settings=settings,
            actor=actor,
            email=f"clt{n:02d}@demo.pbvote.org",
            role=Role.organizer,
            password=secrets.token_urlsafe(24),
            display_name=f"Community Leadership Team member {n}",
        )
    process = processes.create_process(
        session=session,
        actor=actor,
        data=ProcessCreate(
            name=DEMO_NAME,
            description=DEMO_DESCRIPTION,
            translations=DEMO_TRANSLATIONS,
            budget_cents=200_000_00,
            currency="USD",
            ballot_size=5,
            languages=["en", "es", "vi"],
            time_zone=DEMO_TIME_ZONE,
        ),
    )
    processes.publish_process(session=session, actor=actor, process_id=process.id)
    processes.transition(
        session=session,
        actor=actor,
        process_id=process.id,
        to=Phase.idea_collection,
        reason="The Community Leadership Team approved the rules.",
    )
    load_ideas_and_proposals_demo(session=session, settings=settings, process=process, actor=actor)
    _vote_count_and_fund(session=session, process=process, organizer=organizer, settings=settings)
    practice = _practice_process(
        session=session,
        settings=settings,
        actor=actor,
        password=poll_worker_password or organizer_password,
    )
    load_equity_demo(session=session, actor=actor, process=process, practice=practice)
    return DemoResult(process=process, organizer_email=DEMO_ORGANIZER, created=True)


def _vote_count_and_fund(
    *, session: Session, process: Process, organizer: User, settings: Settings
) -> None:
    """RMAPI's vote (1,561 online, 1,141 in person, some on paper), the count, the awards."""
    actor = Actor.of(organizer)
    # The five projects RMAPI funded (their keys in WINNER_EQUITY) are favoured by voters.
    funded = {text[2] for text in PROPOSALS if text[0] in WINNER_EQUITY}
    winners = [
        p.id for p in ballot_proposals(session=session, process_id=process.id) if p.title in funded
    ]
    load_voting_demo(
        session=session,
        process=process,
        actor=actor,
        favoured=winners,
        voters=RMAPI_VOTERS - PAPER_VOTERS,
        online=RMAPI_ONLINE,
        settings=settings,
    )
    load_paper_demo(
        session=session,
        settings=settings,
        process=process,
        organizer=organizer,
        voters=PAPER_VOTERS,
        favoured=winners,
    )
    processes.transition(
        session=session,
        actor=actor,
        process_id=process.id,
        to=Phase.funding,
        reason="Three weeks of voting are over; every paper batch is closed.",
    )
    # The demo shows the result as residents will read it: published with the count.
    publish_result(session=session, actor=actor, process_id=process.id)
    official = official_of(session=session, process_id=process.id)
    for number in official.result["selected"] if official else []:
        proposal = next(
            p
            for p in ballot_proposals(session=session, process_id=process.id)
            if str(p.ballot_number) == number
        )
        record_award(
            session=session,
            user=organizer,
            process=process,
            proposal_id=proposal.id,
            amount_cents=proposal.cost_cents,
            organisation=_grantee(proposal.title),
            status=AwardStatus.awarded,
            note=None,
        )


def _grantee(title: str) -> str:
    return "REACH" if "REACH" in title else "Community partner (demo)"


PRACTICE_NAME = "Practice ballot: try voting here"


def _practice_process(
    *, session: Session, settings: Settings, actor: Actor, password: str
) -> Process:
    """A small process open for voting, where anyone can try the ballot with made-up
    details (name, birth date, ZIP code): each set of details votes once."""
    process = processes.create_process(
        session=session,
        actor=actor,
        data=ProcessCreate(
            name=PRACTICE_NAME,
            translations=PRACTICE_TRANSLATIONS,
            budget_cents=50_000_00,
            currency="USD",
            ballot_size=5,
            languages=["en", "es", "vi"],
            time_zone=DEMO_TIME_ZONE,
            description="A demonstration: rank up to five of six small projects. Enter any name, "
            "birth date and ZIP code; the same details can vote only once.",
        ),
    )
    processes.publish_process(session=session, actor=actor, process_id=process.id)
    put_rules(
        session=session,
        actor=actor,
        process_id=process.id,
        data=VotingRulesIn(credential=CredentialKind.identity),
    )
    for phase in (Phase.idea_collection, Phase.proposal_development):
        processes.transition(
            session=session,
            actor=actor,
            process_id=process.id,
            to=phase,
            reason="Practice process set-up.",
        )
        if phase == Phase.idea_collection:
            idea = submit_idea(
                session=session,
                actor=actor,
                process_id=process.id,
                data=IdeaCreate(
                    title="Make the neighbourhood better", description="Ideas from residents."
                ),
                client_address=None,
                typed_by_staff=True,
            )
    for title, dollars, es, vi in PRACTICE_PROJECTS:
        proposal = create_proposal(
            session=session,
            actor=actor,
            process_id=process.id,
            data=ProposalCreate(
                title=title,
                summary=title + ".",
                cost_cents=dollars * 100,
                idea_ids=[idea.id],
                translations={
                    code: Translation(
                        title=text, summary=text + ".", equity_assessment=PRACTICE_EQUITY_IN[code]
                    )
                    for code, text in (("es", es), ("vi", vi))
                },
                equity_assessment=PRACTICE_EQUITY,
            ),
        )
        approve_proposal(session=session, actor=actor, proposal_id=proposal.id)
    site = add_site(
        session=session,
        actor=actor,
        process_id=process.id,
        data=SiteCreate(
            name="Practice site: Central Library",
            kind=SiteKind.voting_site,
            address="115 South Ave",
        ),
    )
    processes.transition(
        session=session,
        actor=actor,
        process_id=process.id,
        to=Phase.voting,
        reason="Open for practice votes.",
    )
    worker = users.create_user(
        session=session,
        settings=settings,
        actor=actor,
        email=DEMO_POLL_WORKER,
        role=Role.poll_worker,
        password=password,
        display_name="Demo poll worker",
    )
    assign_poll_worker(session=session, actor=actor, site_id=site.id, user_id=worker.id)
    return process


PRACTICE_PROJECTS = [
    (
        "Benches and shade at the bus stops on Main Street",
        12_000,
        "Bancas y sombra en las paradas de autobús de Main Street",
        "Ghế ngồi và mái che tại các trạm xe buýt trên đường Main Street",
    ),
    (
        "Free summer swim lessons for children",
        15_000,
        "Clases de natación gratuitas en verano para niños",
        "Lớp học bơi miễn phí mùa hè cho trẻ em",
    ),
    (
        "Repair the community garden's water supply",
        8_000,
        "Reparar el suministro de agua del huerto comunitario",
        "Sửa hệ thống cấp nước của vườn cộng đồng",
    ),
    (
        "Laptops to borrow at the library",
        20_000,
        "Computadoras portátiles para pedir prestadas en la biblioteca",
        "Máy tính xách tay cho mượn tại thư viện",
    ),
    (
        "Street lights on the path to the school",
        18_000,
        "Alumbrado público en el camino a la escuela",
        "Đèn đường trên lối đi đến trường",
    ),
    (
        "Murals by young artists under the bridge",
        9_000,
        "Murales de jóvenes artistas debajo del puente",
        "Tranh tường của các nghệ sĩ trẻ dưới gầm cầu",
    ),
]
PRACTICE_EQUITY = EquityAssessment(
    goal="A practice ballot: small projects anyone can rank.",
    stakeholders="Residents trying the voting pages; the library hosts the practice site.",
    benefits="Everyone who wants to see how voting works before the real ballot.",
    burdens="None.",
    equity_impact="Lets residents who vote for the first time practise in their language.",
    needs="Nothing: it is a demonstration.",
)
# The same answers as the delegates translated them: a resident reading the practice
# ballot in Spanish or Vietnamese reads its equity assessment in that language too.
PRACTICE_EQUITY_IN = {
    "es": EquityAssessment(
        goal="Una boleta de práctica: proyectos pequeños que cualquiera puede ordenar.",
        stakeholders="Residentes que prueban las páginas de votación; la biblioteca acoge el "
        "centro de práctica.",
        benefits="Todas las personas que quieran ver cómo se vota antes de la boleta real.",
        burdens="Ninguna.",
        equity_impact="Permite que quienes votan por primera vez practiquen en su idioma.",
        needs="Nada: es una demostración.",
    ),
    "vi": EquityAssessment(
        goal="Một lá phiếu thử: các dự án nhỏ mà ai cũng có thể xếp hạng.",
        stakeholders="Cư dân dùng thử các trang bỏ phiếu; thư viện là nơi đặt địa điểm bỏ "
        "phiếu thử.",
        benefits="Mọi người muốn xem cách bỏ phiếu trước khi bỏ lá phiếu thật.",
        burdens="Không có.",
        equity_impact="Giúp những người lần đầu đi bầu được thực hành bằng ngôn ngữ của mình.",
        needs="Không cần gì: đây là bản trình diễn.",
    ),
}


def _demo_organizer(*, session: Session, settings: Settings, password: str) -> User:
    user = session.execute(select(User).where(User.email == DEMO_ORGANIZER)).scalar_one_or_none()
    if user is not None:
        return user
    return users.create_user(
        session=session,
        settings=settings,
        actor=SYSTEM,
        email=DEMO_ORGANIZER,
        role=Role.organizer,
        password=password,
        display_name="Demo organizer",
    )
