"""Every organizer page on a phone 375 px wide (issue 21): in English, Spanish and
Vietnamese, no page scrolls sideways (a table may scroll in its own box). The pages are
read off the app's routes, so a new staff page is covered the day it is added."""

import re

import pytest
from fastapi.routing import iter_route_contexts

from app.main import create_app
from tests.browser.conftest import DATABASE_OF
from tests.browser.test_voting_staff_pages import organizer_page
from tests.conftest import settings_for

RMAPI, PRACTICE = 1, 2  # the demo: RMAPI in funding, the practice process open for voting
# A page that shows something once (printed codes) or needs an id we do not know here.
SKIPPED = {"/organize/processes/{process_id}/codes/cards"}
# What runs past the right edge of the screen, outside a table's own scrolling box.
WIDER = """width => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-wrap'))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + e.textContent.trim().slice(0, 50))"""


def staff_pages(database_url: str) -> list[str]:
    app = create_app(settings_for(database_url), check_schema=False)
    routes = [context.original_route for context in iter_route_contexts(app.routes)]
    paths = sorted(
        route.path
        for route in routes
        if route.path.startswith("/organize")
        and "GET" in (getattr(route, "methods", None) or ())
        and route.path not in SKIPPED
        and not route.path.endswith((".csv", ".json", ".pb", ".txt"))  # files, not pages
        and set(re.findall(r"\{(\w+)\}", route.path)) <= {"process_id"}
    )
    return [
        path.format(process_id=process)
        for path in paths
        for process in ((RMAPI, PRACTICE) if "{process_id}" in path else (None,))
    ]


@pytest.mark.parametrize("language", ["en", "es", "vi"])
def test_every_organizer_page_fits_a_phone(live_server, browser, language):
    page = organizer_page(browser, live_server, width=375, height=812)
    pages = staff_pages(DATABASE_OF[live_server])
    assert len(pages) > 30
    wide = {}
    for path in pages:
        answer = page.goto(f"{live_server}{path}?lang={language}")
        assert answer.status < 500, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            wide[path] = (width, page.evaluate(WIDER, 375))
    page.context.close()
    assert not wide, wide
