"""Results and turnout a resident can read on a phone (issue 19): in Chromium, on a touch
phone 375 px wide and on a 1280 px desktop, in English, Spanish and Vietnamese, no table of
the results page or of the turnout figures runs past its box (the results, the rounds, the
turnout by neighbourhood), and the sentences that explain them are there: what IRV's Votes
are, why MES left money over, what "neighbourhood" means; and the process page after the
vote says it ended, with no "Vote now".

The module's demo copy is its own: the tests recount process 1 with IRV and MES in it (as
if the organizers had chosen them) and close process 2's voting window."""

from datetime import timedelta

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session

from app.db import utcnow
from app.models import load_all_models
from app.processes.models import Process
from app.results.models import OfficialResult
from app.results.service import count_input, run_count
from app.web.i18n import format_money, translate
from tests.browser.conftest import DATABASE_OF

LANGUAGES = ["en", "es", "vi"]
PHONE = {"viewport": {"width": 375, "height": 812}, "has_touch": True, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
FUNDED, PRACTICE = 1, 2  # the demo's funded process and its practice process, in voting

# Every table in a box (.table-wrap) of the page: how wide it is against the room it has.
TABLE_WIDTHS = """() => [...document.querySelectorAll('main .table-wrap')].map(box => ({
  label: box.getAttribute('aria-label') || box.getAttribute('aria-labelledby'),
  wide: box.scrollWidth, room: box.clientWidth,
  right: box.querySelector('table').getBoundingClientRect().right}))"""


# What runs past the right edge of the screen, if anything: the innermost elements.
WIDER = """width => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > width && !e.querySelector('*'))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + e.textContent.slice(0, 60))"""


@pytest.fixture(scope="module")
def recount(live_server):
    """Recounts process 1 of the module's demo with another method, as its official result."""
    load_all_models()
    engine = create_engine(DATABASE_OF[live_server])

    def again(method: str) -> dict:
        with Session(engine) as session:
            process = session.get(Process, FUNDED)
            process.count_method = method
            session.add(process)
            session.flush()
            result = run_count(count_input(session=session, process=process)).to_dict()
            official = session.get(OfficialResult, FUNDED)
            official.result = result
            session.add(official)
            session.commit()
            return result

    yield again
    engine.dispose()


@pytest.fixture(params=["phone", "desktop"])
def screen(request, browser):
    context = browser.new_context(**(PHONE if request.param == "phone" else DESKTOP))
    page = context.new_page()
    yield request.param, page
    context.close()


def assert_tables_fit(page, where: str) -> int:
    boxes = page.evaluate(TABLE_WIDTHS)
    width = page.viewport_size["width"]
    for box in boxes:
        assert box["wide"] <= box["room"], f"{where}: {box}"
        assert box["right"] <= width, f"{where}: {box}"
    wider = page.evaluate(WIDER, width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{where}: {wider}"
    return len(boxes)


@pytest.mark.parametrize("method", ["borda", "irv", "mes"])
def test_results_and_turnout_tables_fit_and_explain_themselves(
    live_server, recount, screen, method
):
    kind, page = screen
    result = recount(method)
    for language in LANGUAGES:
        page.goto(f"{live_server}/processes/{FUNDED}/results?lang={language}")
        where = f"{method} results in {language} on the {kind}"
        # The results, the rounds (IRV: a table per stage; MES: one), the turnout.
        rounds = len({r["stage"] for r in result["rounds"]}) if method != "borda" else 0
        assert assert_tables_fit(page, where) == 1 + rounds + 2, where
        assert page.locator("section.equity-public table.stack").count() == 1
        means = page.locator("#equity-public-where")
        assert means.inner_text() == translate(language, "equity.neighbourhood_means"), where
        votes = page.locator("#votes-meaning")
        if method == "irv":
            assert votes.inner_text() == translate(language, "results.votes_meaning.irv")
            tied = page.locator("table.rounds .tied")
            assert tied.count() == len(result["tie_breaks"]), where
        else:
            assert votes.count() == 0, where
        leftover = page.locator("#leftover")
        if method == "mes" and result["budget_left"]:
            left = format_money(language, result["budget_left"], "USD")
            assert left in leftover.inner_text(), where
        else:
            assert leftover.count() == 0, where
        if kind == "phone":
            # Stacked: the outcome of the first project is on screen, named.
            outcome = page.locator("table.stack tbody tr").first.locator("td").nth(3)
            box = outcome.bounding_box()
            assert box and box["x"] + box["width"] <= 375, where
            label = translate(language, "results.outcome")
            shown = outcome.evaluate("td => getComputedStyle(td, '::before').content")
            assert label in shown, where


def test_the_staff_turnout_table_fits_a_phone_and_a_desktop(live_server, browser):
    for options in (PHONE, DESKTOP):
        context = browser.new_context(**options)
        page = context.new_page()
        page.goto(f"{live_server}/station")
        page.get_by_label("Email").fill("organizer@demo.pbvote.org")
        page.get_by_label("Password").fill("demo-organizer-2019")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/organize")
        for language in LANGUAGES:
            page.goto(f"{live_server}/organize/processes/{FUNDED}/equity?lang={language}")
            where = f"staff turnout in {language} at {options['viewport']['width']} px"
            assert page.locator("table.equity-table").count() == 1, where
            box = page.locator("table.equity-table").evaluate(
                "t => ({wide: t.closest('.table-wrap').scrollWidth,"
                " room: t.closest('.table-wrap').clientWidth})"
            )
            assert box["wide"] <= box["room"], f"{where}: {box}"
            assert page.locator("#equity-where").inner_text() == translate(
                language, "equity.neighbourhood_means"
            )
        context.close()


def test_the_process_page_after_voting_says_it_ended_and_offers_no_vote(live_server, browser):
    engine = create_engine(DATABASE_OF[live_server])
    load_all_models()
    with Session(engine) as session:  # the practice process's window closed an hour ago
        process = session.get(Process, PRACTICE)
        process.voting_closes_at = utcnow() - timedelta(hours=1)
        session.add(process)
        session.commit()
    engine.dispose()
    for options in (PHONE, DESKTOP):
        context = browser.new_context(**options)
        page = context.new_page()
        for language in LANGUAGES:
            for pid in (PRACTICE, FUNDED):
                page.goto(f"{live_server}/processes/{pid}?lang={language}")
                where = f"process {pid} in {language}"
                assert page.locator("#voting-state").count() == 1, where
                said = page.locator("#voting-state").inner_text()
                if pid == PRACTICE:  # in voting still, its window closed: being counted
                    text = translate(language, "process.voting_ended_counting", when="\x00")
                    before, after = text.split("\x00")
                    assert said.startswith(before) and said.endswith(after), where
                else:  # funded, the demo gave it no window: ended, without a date
                    assert said == translate(language, "vote.ended"), where
                assert page.get_by_role("link", name=translate(language, "vote.cta")).count() == 0
                assert page.locator(f"a[href='/processes/{pid}/vote']").count() == 0, where
                assert (
                    page.evaluate("document.documentElement.scrollWidth")
                    <= (options["viewport"]["width"])
                )
        context.close()
