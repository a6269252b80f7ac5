"""First run in Chromium, JavaScript off (issue 20): `pbvote serve` on a database without
any staff account prints the one-time setup address; the coordinator opens it, makes the
first organizer, lands signed in on the organizers' page, and signs out."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DOCS_SCREENSHOTS
from tests.conftest import _migrate, drop_database, shared_copy
from tests.test_proxy_address import serving

SETUP_ADDRESS = re.compile(r"setup address in a browser: (http://\S+/setup/[0-9a-f]+)")


@pytest.fixture
def fresh_server(backend, tmp_path) -> Iterator[tuple[str, str]]:
    """`pbvote serve` on a migrated database with no account: (its base, what it printed)."""
    database_url = shared_copy("migrated", backend, _migrate, tmp_path).url
    log_path = tmp_path / "server.log"
    try:
        with serving(database_url, log_path) as base:
            yield base, log_path.read_text()
    finally:
        drop_database(database_url)


def test_first_run_makes_the_first_organizer_who_then_signs_out(fresh_server, browser, screenshots):
    base, printed = fresh_server
    found = SETUP_ADDRESS.search(printed)
    assert found, printed
    address = found.group(1).replace("localhost", "127.0.0.1")
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1000, "height": 900}
    )
    page = context.new_page()

    page.goto(address)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up pbvote")
    page.screenshot(path=DOCS_SCREENSHOTS / "first-run.png", full_page=True)
    page.get_by_label("Your name").fill("Rosa Díaz")
    page.get_by_label("Email").fill("rosa@example.org")
    page.get_by_label("Password", exact=True).fill("a long first password")
    page.get_by_label("Password again").fill("a long first pasword")  # a slip
    page.get_by_role("button", name="Create the account and sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("the two passwords differ")
    expect(page.get_by_label("Email")).to_have_value("rosa@example.org")  # kept
    page.get_by_label("Password", exact=True).fill("a long first password")
    page.get_by_label("Password again").fill("a long first password")
    page.get_by_role("button", name="Create the account and sign in").click()

    page.wait_for_url("**/organize")
    expect(page.get_by_role("status")).to_contain_text("Welcome, Rosa Díaz")
    header = page.locator("header.site")
    expect(header).to_contain_text("Signed in as Rosa Díaz")
    expect(page.locator("footer.site")).not_to_contain_text("Staff sign-in")
    page.screenshot(path=screenshots / "organize-signed-in.png")

    header.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/station")
    expect(page.get_by_role("status")).to_contain_text("You are signed out")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.locator("footer.site")).to_contain_text("Staff sign-in")

    # The address is used up: it says so, to this browser and any other.
    answer = page.goto(address)
    assert answer is not None and answer.status == 410
    expect(page.get_by_role("alert")).to_contain_text("was used already")
    context.close()
