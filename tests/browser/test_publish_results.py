"""Issue 20 in Chromium with JavaScript off, in Spanish: the count is official but not
published, so a resident reads when results will come and no numbers; the organizer
publishes it from the results page; the resident's reload shows the result.

The module's demo copy is its own: its funded process is put back to "counted, not
published" (as a process entering funding now is)."""

from sqlalchemy import create_engine
from sqlmodel import Session

from app.demo import DEMO_ORGANIZER
from app.models import load_all_models
from app.results.models import OfficialResult
from app.web.i18n import translate
from tests.browser.conftest import DATABASE_OF
from tests.browser.test_whole_cycle import sign_in

FUNDED = 1  # the demo's funded process
PASSWORD = "demo-organizer-2019"


def _unpublish(database_url: str) -> None:
    load_all_models()
    engine = create_engine(database_url)
    with Session(engine) as session:
        session.get(OfficialResult, FUNDED).publish_at = None
        session.commit()
    engine.dispose()


def test_an_organizer_publishes_the_results_and_a_resident_reads_them(live_server, browser):
    _unpublish(DATABASE_OF[live_server])
    contexts = [browser.new_context(java_script_enabled=False) for _ in range(2)]
    resident, organizer = (context.new_page() for context in contexts)
    results = f"{live_server}/processes/{FUNDED}/results?lang=es"
    resident.goto(results)
    main = resident.locator("main")
    assert translate("es", "results.not_published") in main.inner_text()
    assert resident.locator("figure.chart").count() == 0
    assert resident.locator("a[href*='/exports/']").count() == 0
    resident.goto(f"{live_server}/processes/{FUNDED}?lang=es")
    assert translate("es", "results.not_published") in resident.locator("main").inner_text()

    sign_in(organizer, live_server, DEMO_ORGANIZER, PASSWORD)
    organizer.goto(f"{live_server}/organize/processes/{FUNDED}/results?lang=es")
    assert translate("es", "staff_results.unpublished") in organizer.locator("main").inner_text()
    with organizer.expect_navigation():
        organizer.get_by_role("button", name=translate("es", "staff_results.publish_now")).click()
    said = organizer.get_by_role("status").inner_text()
    assert said.startswith("Los resultados están publicados"), said
    assert organizer.locator("#unpublished").count() == 0

    resident.goto(results)
    assert resident.locator("figure.chart").count() == 1
    assert translate("es", "results.funded_heading") in resident.locator("main").inner_text()
    assert resident.locator("a[href$='/exports/ballots.pb']").count() == 1
    for context in contexts:
        context.close()
