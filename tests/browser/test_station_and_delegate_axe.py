"""The staff pages that came before the set-up pages pass axe (WCAG 2.2 A/AA) in English,
Spanish and Vietnamese too: the polling station, a paper batch being typed in, the
organizers' page to settle a batch, and the delegates' start page."""

import pytest

from app.demo import DEMO_ORGANIZER, DEMO_POLL_WORKER
from tests.browser.axe import axe_violations

PASSWORD = "demo-organizer-2019"


def signed_in(browser, live_server, email, password=PASSWORD, **context):
    """A page signed in at /station; `context`: the browser context's options."""
    page = browser.new_context(viewport={"width": 1024, "height": 900}, **context).new_page()
    page.goto(f"{live_server}/station")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[action='/station/login'] button[type=submit]")
    return page


@pytest.mark.parametrize("lang", ["en", "es", "vi"])
def test_the_station_batch_and_delegate_pages_pass_axe(live_server, browser, lang):
    found = {}

    def check(page, path):
        response = page.goto(f"{live_server}{path}{'&' if '?' in path else '?'}lang={lang}")
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == lang, path
        if problems := axe_violations(page):
            found[path] = problems

    worker = signed_in(browser, live_server, DEMO_POLL_WORKER)
    check(worker, "/station")
    worker.locator("input[name=sheets]").first.fill("2")
    with worker.expect_navigation():
        worker.locator("form[action$='/paper-batches'] button[type=submit]").first.click()
    check(worker, worker.url.removeprefix(live_server).split("?")[0])
    worker.context.close()

    organizer = signed_in(browser, live_server, DEMO_ORGANIZER)
    check(organizer, "/organize/batches/1")
    check(organizer, "/delegate")
    organizer.context.close()
    assert found == {}, found
