"""Arabic added by a city (a catalog of 30 texts in PBVOTE_LOCALE_DIRS, the language named in
the processes' languages, no code): on a 375 px touch phone in Chromium the ballot and the
results are laid out right to left, fit the screen, show no raw message id, and the ballot's
script still ranks with the money written as the server writes it."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine
from sqlmodel import Session

from app.models import load_all_models
from app.processes.models import Process
from app.web.i18n import format_money
from tests import arabic_locale
from tests.browser.ballot_steps import ballot_ready
from tests.browser.conftest import DOCS_SCREENSHOTS, serving
from tests.conftest import demo_copy

FUNDED, PRACTICE = 1, 2  # the demo's funded process and its practice process, in voting
PHONE = {"viewport": {"width": 375, "height": 812}, "has_touch": True, "is_mobile": True}
# A message id shown as it is (file names such as results.csv are data).
RAW_ID = re.compile(
    r"\b(?:vote|process|results|ballot|site|phase|equity)\.(?!(?:json|csv|pb)\b)[a-z_]+(?:\.[a-z_]+)*"
)


@pytest.fixture(scope="module")
def arabic_server(backend, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("rtl")
    url = demo_copy(backend, tmp_path).url
    load_all_models()
    engine = create_engine(url)
    with Session(engine) as session:  # the organizers add Arabic to both processes
        for process_id in (FUNDED, PRACTICE):
            process = session.get(Process, process_id)
            process.languages = [*process.languages, "ar"]
            session.add(process)
        session.commit()
    engine.dispose()
    catalogs = arabic_locale.write_catalog(tmp_path / "locale")
    with serving(url, tmp_path, PBVOTE_LOCALE_DIRS=str(catalogs)) as base:
        yield base


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    yield context.new_page()
    context.close()


def assert_right_to_left(page, where: str) -> None:
    assert page.evaluate("document.documentElement.dir") == "rtl", where
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl", where
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 375, f"{where}: the page is {wide} px wide on a 375 px phone"
    # The brand starts the header on the right; the language menu is at its other end.
    brand = page.locator("header.site .brand").bounding_box()
    assert brand["x"] + brand["width"] > 375 - 60, where
    shown = page.locator("body").inner_text()
    assert not RAW_ID.findall(shown), (where, RAW_ID.findall(shown))


def test_the_ballot_reads_right_to_left_on_a_phone(arabic_server, phone):
    phone.goto(f"{arabic_server}/processes/{PRACTICE}/vote?lang=ar")
    said = arabic_locale.TEXTS
    assert phone.locator("h1").inner_text().startswith(said["vote.title"])
    assert_right_to_left(phone, "the Arabic ballot")
    # The script ranks in Arabic too: a tapped card becomes a choice, its total written as
    # the server writes money (Arabic in the US: CLDR's own digits and signs).
    ballot_ready(phone)
    card = phone.locator("#cards .card").first
    card.locator("h3").tap()
    cents = int(card.get_attribute("data-cents"))
    expect(phone.locator("#tray-meter")).to_contain_text(format_money("ar", cents, "USD"))
    assert_right_to_left(phone, "the Arabic ballot with a choice")
    phone.screenshot(path=DOCS_SCREENSHOTS / "rtl-ballot-ar.png", full_page=True)


def test_the_results_read_right_to_left_on_a_phone(arabic_server, phone):
    phone.goto(f"{arabic_server}/processes/{FUNDED}/results?lang=ar")
    assert arabic_locale.TEXTS["results.title"] in phone.locator("h1").inner_text()
    assert_right_to_left(phone, "the Arabic results")
    phone.screenshot(path=DOCS_SCREENSHOTS / "rtl-results-ar.png")  # the first screen
