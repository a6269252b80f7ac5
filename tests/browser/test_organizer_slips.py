"""Issue 20's slips in Chromium with JavaScript off: every criterion saved by one Save, and
an irreversible action (deactivating an account) asked on a page of its own."""

import uuid

import httpx
from playwright.sync_api import expect

from tests.browser.test_people_pages import new_design_process, organizer_page


def criteria(base: str, pid: int) -> list[dict]:
    return httpx.get(f"{base}/api/processes/{pid}/criteria").json()


def test_one_save_for_every_criterion_and_a_confirmation_page(live_server, browser):
    pid = new_design_process(live_server)
    page = organizer_page(browser, live_server, java_script_enabled=False)

    # Two criteria changed, one Save: neither change is dropped.
    page.goto(f"{live_server}/organize/processes/{pid}/criteria")
    need, feasibility = criteria(live_server, pid)[:2]
    page.locator(f"#c{need['id']}-weight").fill("4")
    page.locator(f"#c{feasibility['id']}-name_es").fill("Viabilidad")
    assert page.get_by_role("button", name="Save all criteria").count() == 1
    page.get_by_role("button", name="Save all criteria").click()
    expect(page.get_by_role("status")).to_contain_text("The criteria were saved")
    saved = criteria(live_server, pid)
    assert saved[0]["weight"] == 4
    assert saved[1]["translations"]["es"]["name"] == "Viabilidad"

    # Deactivating an account: asked first, in plain words; Back and reload never act twice.
    name = f"Lan {uuid.uuid4().hex[:6]}"
    page.goto(f"{live_server}/organize/staff")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(f"{name.split()[1]}@example.org")
    page.get_by_label("Role").select_option("poll_worker")
    page.get_by_role("button", name="Create the account").click()
    expect(page.get_by_role("status")).to_contain_text(name)
    page.goto(f"{live_server}/organize/staff")
    row = page.locator("tr", has_text=name)
    row.get_by_role("link", name="Deactivate").click()
    expect(page.locator("h1")).to_have_text(f"Deactivate the account of {name}?")
    expect(page.locator("main")).to_contain_text("signed out at once on every device")
    page.get_by_role("button", name=f"Deactivate {name}").click()
    expect(page.get_by_role("status")).to_contain_text(f"The account of {name} is deactivated")
    page.go_back()  # the confirmation again: it now says what happened, and does nothing
    expect(page.get_by_role("status")).to_contain_text("already")
    page.reload()
    assert "/organize/staff" in page.url
    page.context.close()


def test_the_new_forms_and_a_confirmation_page_pass_axe(live_server, browser):
    from tests.browser.axe import axe_violations

    pid = new_design_process(live_server)
    page = organizer_page(browser, live_server)
    page.goto(f"{live_server}/organize/staff")
    ask = page.locator("a[href$='/deactivate']").first.get_attribute("href")
    found = {}
    for language in ("en", "es", "vi"):
        for path in (f"/organize/processes/{pid}/criteria", ask, f"/organize/processes/{pid}"):
            page.goto(f"{live_server}{path}?lang={language}")
            assert page.locator("html").get_attribute("lang") == language
            if problems := axe_violations(page):
                found[f"{path} ({language})"] = problems
    assert not found, found
