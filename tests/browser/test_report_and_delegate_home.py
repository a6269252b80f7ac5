"""A budget delegate's home and the printable report of a process, in Chromium with
JavaScript off, in English, Spanish and Vietnamese (issue 20): the delegate signs in and
sees their proposals with where each stands and what to do next; anyone opens the report
of the demo's funded process, one printed page per section.

The module's demo copy is its own: a delegate account is added, given some of the demo's
proposals (funded, not funded, one on the practice ballot) and a returned and a draft one."""

import pytest
from sqlalchemy import create_engine, select
from sqlmodel import Session

from app.models import load_all_models
from app.proposals.models import Proposal
from app.results.models import OfficialResult
from app.security import hash_password
from app.users.models import Role, User
from app.web.i18n import translate
from tests.browser.conftest import DATABASE_OF, DOCS_SCREENSHOTS
from tests.browser.test_station_and_delegate_axe import signed_in
from tests.conftest import settings_for

LANGUAGES = ["en", "es", "vi"]
FUNDED, PRACTICE = 1, 2  # the demo's funded process and its practice process, in voting
EMAIL, PASSWORD = "delegate@demo.pbvote.org", "delegate-demo-2019"
RETURNED = "Get a second quote: the shelter estimate is from 2017."
SECTIONS = ["timeline", "ideas", "scoring", "equity-assessments", "turnout", "result"]
SECTIONS += ["verify", "funding"]


@pytest.fixture(scope="module")
def delegate(live_server) -> dict:
    """Proposal id: the step the delegate's home shows it in (and "returned": its id)."""
    load_all_models()
    url = DATABASE_OF[live_server]
    engine = create_engine(url)
    with Session(engine) as session:
        user = User(
            email=EMAIL,
            display_name="Ana Delegate",
            role=Role.delegate.value,
            password_hash=hash_password(PASSWORD, settings=settings_for(url)),
        )
        session.add(user)
        session.flush()
        selected = session.get(OfficialResult, FUNDED).result["selected"]
        ballot = list(
            session.execute(
                select(Proposal)
                .where(Proposal.process_id == FUNDED, Proposal.ballot_number.is_not(None))
                .order_by(Proposal.ballot_number)
            ).scalars()
        )
        funded = next(p for p in ballot if str(p.ballot_number) in selected)
        not_funded = next(p for p in ballot if str(p.ballot_number) not in selected)
        practice = (
            session.execute(
                select(Proposal).where(Proposal.process_id == PRACTICE).order_by(Proposal.id)
            )
            .scalars()
            .first()
        )
        for proposal in (funded, not_funded, practice):
            proposal.created_by_id = user.id
        returned = Proposal(
            process_id=FUNDED,
            title="Bus shelters on Joseph Avenue",
            summary="Three shelters with benches and lights.",
            cost_cents=45_000_00,
            status="returned",
            return_reason=RETURNED,
            created_by_id=user.id,
        )
        draft = Proposal(
            process_id=FUNDED,
            title="Winter coats for school children",
            summary="Coats for 300 children.",
            cost_cents=12_000_00,
            created_by_id=user.id,
        )
        session.add_all([returned, draft])
        session.commit()
        steps = {
            funded.id: "funded",
            not_funded.id: "not_funded",
            practice.id: "on_ballot_voting",
            returned.id: "not_on_ballot",
            draft.id: "not_on_ballot",
        }
        steps["returned"] = returned.id
    engine.dispose()
    return steps


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_delegate_follows_their_proposals_and_opens_the_report(
    browser, live_server, delegate, lang
):
    t = lambda key, **v: translate(lang, key, **v)  # noqa: E731
    page = signed_in(browser, live_server, EMAIL, PASSWORD, java_script_enabled=False)
    assert page.url.endswith("/delegate"), page.url
    page.goto(f"{live_server}/delegate?lang={lang}")
    assert page.locator("h1").inner_text() == t("delegate.home")
    steps = {k: v for k, v in delegate.items() if k != "returned"}
    for proposal_id, step in steps.items():
        item = page.locator(f"#proposal-{proposal_id}")
        assert item.get_attribute("class") == f"step-{step}"
        assert item.locator(".next-step").inner_text() == t(f"delegate.step.{step}")
    reason = page.locator(f"#proposal-{delegate['returned']} .returned-reason").inner_text()
    assert reason == t("delegate.returned_reason", reason=RETURNED)
    if lang == "en":
        page.screenshot(path=str(DOCS_SCREENSHOTS / "delegate-home.png"), full_page=True)

    with page.expect_navigation():
        page.locator(f'a[href="/processes/{FUNDED}/report"]').first.click()
    page.goto(f"{live_server}/processes/{FUNDED}/report?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text().startswith(t("report.title"))
    for name in SECTIONS:
        assert page.locator(f"section#{name} > h2").is_visible()
    assert len(page.locator("#ballots-sha256").inner_text()) == 64
    assert page.locator("#result-table tbody tr").count() > 5
    page.emulate_media(media="print")
    breaks = page.eval_on_selector_all(
        "section.report-page", "all => all.map(s => getComputedStyle(s).breakAfter)"
    )
    assert breaks == ["page"] * 8 + ["auto"]
    assert not page.locator("header.site").is_visible()
    page.emulate_media(media="screen")
    if lang == "en":
        page.screenshot(
            path=str(DOCS_SCREENSHOTS / "report.png"),
            clip={"x": 0, "y": 0, "width": 1024, "height": 2400},
            full_page=True,
        )
    page.context.close()
