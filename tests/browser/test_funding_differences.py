"""The move to funding with a difference to acknowledge (issue 20), in Chromium with
JavaScript off: the practice process's site has more paper sheets typed in than paper
check-ins; the confirmation page lists it in plain words (en/es/vi), refuses the move
without a written note, and takes it with one; the note is shown with the results."""

import httpx

from app.demo import DEMO_ORGANIZER, DEMO_POLL_WORKER
from app.web.i18n import translate
from tests.browser.axe import axe_violations
from tests.browser.conftest import DOCS_SCREENSHOTS

PASSWORD = "demo-organizer-2019"
PRACTICE = 2  # the demo's practice process, open for voting, one site
DIFFERENCE = (
    "At Practice site: Central Library, more paper sheets were typed in than residents "
    "checked in to vote on paper (sheets: 3; check-ins: 1; difference: 2)."
)
NOTE = "Two residents at the library marked paper ballots without checking in; counted."


def _api(base: str, email: str) -> httpx.Client:
    token = httpx.post(
        f"{base}/api/auth/token", json={"email": email, "password": PASSWORD}
    ).json()["access_token"]
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"})


def _three_sheets_one_check_in(base: str) -> None:
    """At the practice site: one paper check-in, a batch of three sheets typed in twice
    (the poll worker, then the organizer) and closed; then voting ends."""
    worker, organizer = _api(base, DEMO_POLL_WORKER), _api(base, DEMO_ORGANIZER)
    (site,) = [s["id"] for s in worker.get(f"/api/processes/{PRACTICE}/sites").json()]
    checked = worker.post(
        f"/api/processes/{PRACTICE}/check-ins",
        json={
            "site_id": site,
            "mode": "paper",
            "identity": {"name": "Pat Paper", "birth_date": "1970-05-05", "postal_code": "14605"},
        },
    )
    assert checked.status_code == 201, checked.text
    batch = worker.post(
        f"/api/processes/{PRACTICE}/paper-batches", json={"site_id": site, "declared_sheets": 3}
    )
    assert batch.status_code == 201, batch.text
    batch_id = batch.json()["id"]
    for sheet in (1, 2, 3):
        for who in (worker, organizer):
            entered = who.post(
                f"/api/paper-batches/{batch_id}/entries",
                json={"sheet": sheet, "marks": [{"rank": 1, "ballot_number": sheet}]},
            )
            assert entered.status_code == 201, entered.text
    assert worker.post(f"/api/paper-batches/{batch_id}/close").status_code == 200
    ended = organizer.post(
        f"/api/processes/{PRACTICE}/window",
        json={"end_now": True, "reason": "The practice vote is over."},
    )
    assert ended.status_code == 201, ended.text


def _organizer(browser, base: str, *, javascript: bool):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(f"{base}/station")
    page.get_by_label("Email").fill(DEMO_ORGANIZER)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    return context, page


def test_the_funding_confirmation_asks_for_a_note(live_server, browser, backend):
    _three_sheets_one_check_in(live_server)
    # axe-core needs JavaScript: it reads the same pages in a context of its own.
    checker_context, checker = _organizer(browser, live_server, javascript=True)
    context, page = _organizer(browser, live_server, javascript=False)

    phase = f"{live_server}/organize/processes/{PRACTICE}/phase"
    for language, heading in (
        ("es", "El conteo se haría con estas diferencias"),
        ("vi", "Việc kiểm phiếu sẽ tiến hành với những chênh lệch sau"),
        ("en", "The count would go ahead with these differences"),
    ):
        page.goto(f"{phase}?lang={language}")
        assert heading in page.locator("#differences").inner_text()
        checker.goto(f"{phase}?lang={language}")
        assert axe_violations(checker) == []
    differences = page.locator("#differences li").all_inner_texts()
    assert differences == [DIFFERENCE]
    assert "Nothing is waiting" not in page.inner_text("main")
    page.get_by_label("Note acknowledging the differences").fill(NOTE)
    page.get_by_label("Why it moves on to funding").fill("The practice vote is over.")
    page.locator("main h1").click()  # no field focused in the picture
    if backend == "sqlite":
        page.screenshot(path=DOCS_SCREENSHOTS / "funding-differences.png", full_page=True)

    # A note of blanks passes the browser's own check, not the server's: refused, kept.
    page.get_by_label("Note acknowledging the differences").fill("   ")
    with page.expect_navigation():
        page.get_by_role("button", name="Move to funding").click()
    assert "Write a note acknowledging the differences" in page.locator("#e-note").inner_text()
    assert (
        page.get_by_label("Why it moves on to funding").input_value()
        == "The practice vote is over."
    )
    assert httpx.get(f"{live_server}/api/processes/{PRACTICE}").json()["phase"] == "voting"
    assert (
        page.get_by_label("Note acknowledging the differences").get_attribute("aria-invalid")
        == "true"
    )

    page.get_by_label("Note acknowledging the differences").fill(NOTE)
    with page.expect_navigation():
        page.get_by_role("button", name="Move to funding").click()
    assert page.url.split("?")[0].endswith(f"/organize/processes/{PRACTICE}")
    assert httpx.get(f"{live_server}/api/processes/{PRACTICE}").json()["phase"] == "funding"

    for results in (f"/organize/processes/{PRACTICE}/results", f"/processes/{PRACTICE}/results"):
        page.goto(f"{live_server}{results}")
        if results.startswith("/organize"):  # the organizer publishes what the public reads
            with page.expect_navigation():
                page.get_by_role(
                    "button", name=translate("en", "staff_results.publish_now")
                ).click()
        shown = page.locator("#count-note").inner_text()
        assert DIFFERENCE in shown and NOTE in shown
    page.goto(f"{live_server}/processes/{PRACTICE}/results?lang=vi")
    assert "Các chênh lệch trong việc kiểm phiếu đã được xác nhận" in page.inner_text("main")
    checker.goto(f"{live_server}/processes/{PRACTICE}/results?lang=vi")
    assert axe_violations(checker) == []
    checker.goto(f"{live_server}/organize/processes/{PRACTICE}/results")
    assert axe_violations(checker) == []
    context.close()
    checker_context.close()
