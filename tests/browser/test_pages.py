import httpx

from app.demo import DEMO_NAME, DEMO_TRANSLATIONS
from app.web.i18n import translate
from tests.browser.ballot_steps import ballot_ready, rank, review_and_cast


def test_a_resident_finds_the_process_and_its_phase(live_server, page, screenshots, backend):
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Decide how the money is spent"
    page.screenshot(path=screenshots / f"home-{backend}.png", full_page=True)

    page.get_by_role("link", name=DEMO_NAME).click()
    page.wait_for_url("**/processes/*")
    assert page.get_by_role("heading", level=1).inner_text() == DEMO_NAME
    assert "$200,000" in page.locator(".meta").inner_text()
    phase = httpx.get(f"{live_server}/api/processes/1").json()["phase"]
    current = page.locator("[aria-current=step]")
    assert current.inner_text() == translate("en", f"phase.{phase}")
    page.screenshot(path=screenshots / f"process-{backend}.png", full_page=True)


def test_keyboard_users_can_skip_to_content(live_server, page):
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"


def test_pages_speak_spanish_and_vietnamese(live_server, page, screenshots):
    page.goto(live_server + "/")
    with page.expect_navigation():
        page.get_by_role("link", name="Español").click()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", level=1).inner_text() == "Decida cómo se gasta el dinero"
    # The choice is remembered (cookie) on the next page.
    page.get_by_role("link", name=DEMO_TRANSLATIONS["es"].name).click()  # named in Spanish
    phase = httpx.get(f"{live_server}/api/processes/1").json()["phase"]
    assert page.locator("[aria-current=step]").inner_text() == translate("es", f"phase.{phase}")
    with page.expect_navigation():  # the Spanish page has the same step marked
        page.get_by_role("link", name="Tiếng Việt").click()
    assert page.locator("[aria-current=step]").inner_text() == translate("vi", f"phase.{phase}")
    page.screenshot(path=screenshots / "process-vi.png", full_page=True)


PRACTICE = 2  # the demo's practice process, open for voting with name, birth date and ZIP


def fill_identity(page, name):
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Date of birth").fill("1984-06-02")
    page.get_by_label("ZIP code").fill("14605")


def test_a_resident_votes_on_a_phone_and_checks_the_receipt(
    live_server, page, screenshots, backend
):
    page.goto(f"{live_server}/processes/{PRACTICE}")
    page.get_by_role("link", name="Vote now").click()
    page.wait_for_url("**/vote")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Vote")
    page.screenshot(path=screenshots / f"vote-form-{backend}.png", full_page=True)
    fill_identity(page, "Ada Resident")
    options = page.get_by_label("Choice 1").locator("option").all_inner_texts()
    assert len(options) == 7  # "(no project)" and the six projects
    rank(page, [2, 4, 1])
    review_and_cast(page)
    status = page.get_by_role("status")
    assert "Thank you for voting" in status.inner_text()
    receipt = page.locator(".receipt code").inner_text()
    assert len(receipt) >= 8
    page.screenshot(path=screenshots / f"vote-done-{backend}.png", full_page=True)

    # The link carries the receipt: the check is done, nothing to retype.
    page.get_by_role("link", name="Check that this ballot was stored").click()
    assert page.get_by_label("Receipt code").input_value() == receipt
    assert "was stored and will be counted" in page.get_by_role("status").inner_text()

    # The same person again: refused, in words; what they typed is kept to correct
    # (issue 19), and nothing of the first ballot comes back.
    page.goto(f"{live_server}/processes/{PRACTICE}/vote")
    fill_identity(page, "ADA  résident".replace("é", "e"))
    rank(page, [3])
    review_and_cast(page)
    alert = page.get_by_role("alert")
    assert "already voted" in alert.inner_text()
    assert page.get_by_label("Full name").input_value() == "ADA  resident"
    assert page.get_by_label("Choice 1", exact=True).input_value() != ""
    assert page.get_by_label("Choice 2", exact=True).input_value() == ""
    page.screenshot(path=screenshots / f"vote-refused-{backend}.png", full_page=True)


def test_a_repeated_choice_is_explained_in_spanish(live_server, page):
    page.goto(f"{live_server}/processes/{PRACTICE}/vote?lang=es")
    page.get_by_label("Nombre completo").fill("Beto Vecino")
    page.get_by_label("Fecha de nacimiento").fill("1990-01-15")
    page.get_by_label("Código postal").fill("14611")
    ballot_ready(page)  # its check of the choices is what answers here
    first = page.get_by_label("Opción 1").locator("option").all_inner_texts()[1]
    page.get_by_label("Opción 1").select_option(label=first, force=True)
    page.get_by_label("Opción 2").select_option(label=first, force=True)
    page.get_by_role("button", name="Revisar mi boleta").click()
    title = first.split(". ", 1)[1].rsplit(" (", 1)[0]
    said = page.get_by_role("alert").inner_text()
    assert f"La opción 1 y la opción 2 son ambas “{title}”" in said


def test_the_public_reads_the_results_and_can_download_the_ballots(live_server, page, screenshots):
    page.goto(f"{live_server}/processes/1")
    page.get_by_role("link", name="Results").click()
    page.wait_for_url("**/results")
    funded = page.locator("ol.cards h3").all_inner_texts()
    assert len(funded) == 5 and any("REACH" in title for title in funded)
    assert "2,702 ballots counted" in page.locator(".meta").first.inner_text()
    page.screenshot(path=screenshots / "results.png", full_page=True)
    ballots = httpx.get(f"{live_server}/api/processes/1/exports/ballots.pb")
    assert ballots.status_code == 200 and "num_votes;2702" in ballots.text


def test_a_poll_worker_checks_in_a_voter_who_casts_at_the_kiosk(
    live_server, browser, screenshots, backend
):
    from app.demo import DEMO_POLL_WORKER

    def signed_in_page():
        page = browser.new_context(viewport={"width": 820, "height": 1180}).new_page()
        page.goto(f"{live_server}/station")
        page.get_by_label("Email").fill(DEMO_POLL_WORKER)
        page.get_by_label("Password").fill("demo-organizer-2019")
        page.get_by_role("button", name="Sign in").click()
        return page

    desk, tablet = signed_in_page(), signed_in_page()
    # The tablet becomes the practice site's kiosk.
    tablet.get_by_role("button", name="Open this device as the kiosk").click()
    tablet.wait_for_url("**/kiosk")
    assert "Type the ticket" in tablet.locator(".lead").inner_text()
    # At the desk, a voter is checked in for the kiosk and gets a ticket.
    desk.get_by_label("Full name").fill("Kim Kiosk")
    desk.get_by_label("Date of birth").fill("1975-03-04")
    desk.get_by_label("ZIP code").fill("14608")
    desk.get_by_role("button", name="Check in").click()
    ticket = desk.locator(".receipt code").inner_text()
    desk.screenshot(path=screenshots / f"station-{backend}.png", full_page=True)
    # The voter types the ticket on the tablet and votes.
    tablet.get_by_label("Your ticket").fill(ticket)
    tablet.get_by_role("button", name="Start voting").click()
    rank(tablet, [1])
    review_and_cast(tablet)
    assert "Thank you for voting" in tablet.get_by_role("status").inner_text()
    tablet.screenshot(path=screenshots / f"kiosk-done-{backend}.png", full_page=True)
    # The ticket is spent: the next voter cannot reuse it, and hears so before any ballot.
    tablet.get_by_role("link", name="Next voter").click()
    tablet.get_by_label("Your ticket").fill(ticket)
    tablet.get_by_role("button", name="Start voting").click()
    assert "already been used" in tablet.get_by_role("alert").inner_text()
    assert tablet.get_by_label("Choice 1").count() == 0
    # The same person cannot check in twice.
    desk.get_by_label("Full name").fill("Kim Kiosk")
    desk.get_by_label("Date of birth").fill("1975-03-04")
    desk.get_by_label("ZIP code").fill("14608")
    desk.get_by_role("button", name="Check in").click()
    assert "already voted" in desk.get_by_role("alert").inner_text()


def test_station_forms_refuse_other_sites(live_server):
    r = httpx.post(
        f"{live_server}/station/login",
        data={"email": "x@example.org", "password": "whatever"},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403 and r.json()["error"] == "cross_site"


def test_two_people_type_in_a_paper_batch_by_keyboard(live_server, browser, screenshots, backend):
    from app.demo import DEMO_ORGANIZER, DEMO_POLL_WORKER

    def sign_in(email):
        page = browser.new_context(viewport={"width": 820, "height": 1000}).new_page()
        page.goto(f"{live_server}/station")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill("demo-organizer-2019")
        page.get_by_label("Password").press("Enter")
        return page

    worker = sign_in(DEMO_POLL_WORKER)
    worker.get_by_label("Sheets in a new batch").fill("2")
    worker.get_by_role("button", name="Start typing in a new batch").click()
    worker.wait_for_url("**/station/batches/*")
    batch_url = worker.url.split("?")[0]
    assert worker.get_by_label("Sheet number").input_value() == "1"
    worker.get_by_label("Marks exactly as written").fill("1:2 2:5 2:6")  # an overvote, as written
    worker.keyboard.press("Enter")
    assert (
        "sheet 1, entry 1 (waiting for the second entry)"
        in worker.get_by_role("status").inner_text()
    )
    assert worker.get_by_label("Sheet number").input_value() == "2"
    worker.get_by_label("Marks exactly as written").fill("1-4")
    worker.keyboard.press("Enter")
    assert "rank:number" in worker.get_by_role("alert").inner_text()  # a typo, explained
    worker.get_by_label("Marks exactly as written").fill("")
    worker.get_by_label("Blank").check()
    worker.get_by_role("button", name="Save sheet").click()
    assert "typed every sheet you can" in worker.locator(".notice").inner_text()

    second = sign_in(DEMO_ORGANIZER)  # organizers may type the second pass too
    second.goto(batch_url)
    second.get_by_label("Marks exactly as written").fill("2:6 1:2 2:5")
    second.keyboard.press("Enter")
    assert "(both entries agree)" in second.get_by_role("status").inner_text()
    second.get_by_label("Blank").check()
    second.get_by_role("button", name="Save sheet").click()
    second.get_by_role("link", name="Close the batch").click()  # a page says what it means
    second.get_by_role("button", name="Close the batch").click()
    assert "closed" in second.locator(".meta").inner_text()
    second.screenshot(path=screenshots / f"paper-batch-{backend}.png", full_page=True)
    worker.goto(batch_url)
    assert "closed" in worker.locator(".meta").inner_text()  # the batch's page, read-only:
    assert worker.get_by_label("Marks exactly as written").count() == 0


def test_results_read_in_spanish(live_server, page, screenshots):
    page.goto(f"{live_server}/processes/1/results?lang=es")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Resultados")
    funded = page.locator("ol.cards h3").all_inner_texts()
    assert any("REACH" in t and "Casas" in t for t in funded), funded
    assert "Una primera opción recibe 5 puntos" in page.locator("#how-counted").inner_text()
    assert page.locator("tbody tr td").first.inner_text() == "1"  # the rank, not ballot no.
    page.screenshot(path=screenshots / "results-es.png", full_page=True)


def test_an_organizer_watches_turnout_and_moves_the_phase(live_server, browser, screenshots):
    from app.demo import DEMO_ORGANIZER

    page = browser.new_context(viewport={"width": 1000, "height": 1200}).new_page()
    page.goto(f"{live_server}/station")
    page.get_by_label("Email").fill(DEMO_ORGANIZER)
    page.get_by_label("Password").fill("demo-organizer-2019")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/organize")
    rmapi = page.locator("section.card").first
    assert "2,702" in rmapi.inner_text() and "Funding" in rmapi.inner_text()
    page.screenshot(path=screenshots / "organize.png", full_page=True)
    # The organizer's cookie also opens the preview downloads (reads only).
    practice = page.locator("section.card").nth(1)
    # The step is confirmed on its own page, which says what it freezes and what waits.
    practice.get_by_role("link", name="Next step: Funding").click()
    page.get_by_label("Why it moves on to Funding").fill("Practice vote is over.")
    with page.expect_navigation():
        page.get_by_role("button", name="Move to Funding").click()
    outcome = page.locator("[role=status], [role=alert]").first.inner_text()
    assert "now in the phase “Funding”" in outcome or "No ballots" in outcome
