"""A whole small PB cycle run through the pages only, as its people would: an organizer
sets the process up, a delegate writes proposals, residents vote online and at a kiosk, a
poll worker types one paper batch in twice, the organizer funds and records an award and
downloads the exports. Every request the browsers make is recorded: none goes to /api."""

import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("America/New_York")
PASSWORD = "cycle-password-2027"
RUN = uuid.uuid4().hex[:6]  # the names of this run's accounts (one server may see two)
DELEGATE, POLL_WORKER = f"dee-{RUN}@cycle.example", f"pat-{RUN}@cycle.example"
WORKER_NAME = f"Pat Pollworker {RUN}"


class Recorder:
    """Every request of every browser context in the test."""

    def __init__(self):
        self.paths: list[str] = []

    def context(self, browser, width, height):
        """A new browser context without JavaScript (no page needs it), recorded."""
        context = browser.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=False
        )
        context.on("request", lambda request: self.paths.append(request.url))
        return context


def sign_in(page, base, email, password=PASSWORD):
    page.goto(f"{base}/station")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[action='/station/login'] button[type=submit]")


def submit(page, form_selector):
    """Sends a form with its own submit button; the answer must not be an error page."""
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").last.click()
    assert page.locator("[role=alert]").count() == 0, page.locator(
        "[role=alert]"
    ).first.inner_text()


def rank_and_cast(page, titles):
    """Ranks the projects in this order, reviews the ballot and casts it: the receipt."""
    for rank, title in enumerate(titles, start=1):
        choice = page.locator(f"select[name=rank_{rank}]")
        choice.select_option(choice.locator("option", has_text=title).get_attribute("value"))
    with page.expect_navigation():
        page.locator("form#ballot button[type=submit]").last.click()
    review = page.locator("button[name=step][value=cast]")
    assert review.count() == 1, page.inner_text("main")  # the review before casting
    for title in titles:
        assert title in page.inner_text("main")
    with page.expect_navigation():
        review.click()
    assert page.locator(".receipt code").count() == 1, page.inner_text("main")
    return page.locator(".receipt code").inner_text()


def next_phase(page, admin, phase):
    """The phase change, confirmed in plain words with a reason."""
    page.goto(f"{admin}/phase")
    assert page.input_value("input[name=to]") == phase
    page.fill("textarea[name=reason]", f"The calendar says {phase} starts today.")
    submit(page, "main form")


PAPER_IDEAS = [
    ("Lights on the path", "The park path is dark after five in winter."),
    ("Water fountain", "A fountain near the playground, for the children."),
]
# Title, cost, Spanish title, Vietnamese title.
PROPOSALS = [
    ("Path lights", "18,000", "Luces en el camino", "Đèn trên lối đi"),
    ("Playground fountain", "9,500", "Fuente en el parque infantil", "Vòi nước ở sân chơi"),
]


def run_cycle(base, browser, recorder):
    organizer = recorder.context(browser, 1280, 900)
    org = organizer.new_page()
    sign_in(org, base, "organizer@demo.pbvote.org", "demo-organizer-2019")
    assert org.url.endswith("/organize")

    # The process: three languages, a $30,000 budget, rank 2, voting from now for a week.
    org.goto(f"{base}/organize/processes/new")
    org.fill("input[name=name]", "Cycle Park PB")
    org.fill("textarea[name=description]", "Choose the park projects.")
    org.fill("input[name=name_es]", "PP del parque")
    org.fill("input[name=name_vi]", "Ngân sách công viên")
    org.fill("input[name=budget]", "30,000")
    org.fill("input[name=ballot_size]", "2")
    opens = datetime.now(ZONE) - timedelta(hours=1)
    closes = datetime.now(ZONE) + timedelta(days=7)
    org.fill("input[name=opens_date]", opens.strftime("%Y-%m-%d"))
    org.fill("input[name=opens_time]", opens.strftime("%H:%M"))
    org.fill("input[name=closes_date]", closes.strftime("%Y-%m-%d"))
    org.fill("input[name=closes_time]", closes.strftime("%H:%M"))
    submit(org, "form[action='/organize/processes/new']")
    process_id = int(re.search(r"/organize/processes/(\d+)", org.url).group(1))
    admin = f"{base}/organize/processes/{process_id}"
    # A new process is a draft for staff: published, residents see it (issue 20).
    org.goto(admin)
    submit(org, f"form[action='/organize/processes/{process_id}/publish']")

    # Sites: one formal idea event, one voting site in a neighbourhood.
    site_form = f"form[action='/organize/processes/{process_id}/sites']"
    org.goto(f"{admin}/sites")
    org.select_option(f"{site_form} select[name=kind]", "event_formal")
    org.fill(f"{site_form} input[name=name]", "Library idea night")
    org.fill(f"{site_form} input[name=address]", "115 South Ave")
    submit(org, site_form)
    org.select_option(f"{site_form} select[name=kind]", "voting_site")
    org.fill(f"{site_form} input[name=name]", "Community center")
    org.fill(f"{site_form} input[name=name_es]", "Centro comunitario")
    org.fill(f"{site_form} input[name=address]", "200 Joseph Ave")
    org.fill(f"{site_form} input[name=neighborhood]", "Joseph Avenue")
    submit(org, site_form)

    # Staff: a delegate and a poll worker, then the poll worker at the voting site.
    for name, email, role in [
        ("Dee Delegate", DELEGATE, "delegate"),
        (WORKER_NAME, POLL_WORKER, "poll_worker"),
    ]:
        org.goto(f"{base}/organize/staff")
        staff_form = "form[action='/organize/staff']"
        org.fill(f"{staff_form} input[name=display_name]", name)
        org.fill(f"{staff_form} input[name=email]", email)
        org.select_option(f"{staff_form} select[name=role]", role)
        org.fill(f"{staff_form} input[name=password]", PASSWORD)
        submit(org, staff_form)
    org.goto(f"{admin}/sites")
    assign = org.locator("form[action$='/poll-workers']:has(select[name=user_id])").last
    worker = assign.locator("select[name=user_id] option", has_text=WORKER_NAME)
    assign.locator("select[name=user_id]").select_option(worker.get_attribute("value"))
    with org.expect_navigation():
        assign.locator("button[type=submit]").click()
    assert WORKER_NAME in org.inner_text("main")

    # Criteria with weights.
    criteria_form = f"form[action='/organize/processes/{process_id}/criteria']"
    for name, weight in [("Serves the most in need", "3"), ("Can be built this year", "1")]:
        org.goto(f"{admin}/criteria")
        org.fill(f"{criteria_form} input[name=name]", name)
        org.fill(f"{criteria_form} input[name=weight]", weight)
        submit(org, criteria_form)
    assert "Can be built this year" in org.inner_text("main")

    next_phase(org, admin, "idea_collection")

    # Two paper idea forms from the library night, typed in by keyboard alone.
    org.goto(f"{admin}/ideas/paper")
    org.select_option("select[name=event]", label="Library idea night")
    for title, description in PAPER_IDEAS:
        # The title has the focus when the page opens (autofocus: waited for, not assumed).
        org.wait_for_function("document.activeElement && document.activeElement.name === 'title'")
        org.keyboard.type(title)
        org.keyboard.press("Tab")
        org.keyboard.type(description)
        with org.expect_navigation():
            org.locator("main form button[type=submit]").click()
        assert org.locator("[role=status]").count() == 1
        org.wait_for_function("document.activeElement && document.activeElement.name === 'title'")
    # And one idea from a resident online, in Spanish.
    resident = recorder.context(browser, 375, 740)
    home = resident.new_page()
    home.goto(f"{base}/processes/{process_id}/ideas/new?lang=es")
    home.fill("input[name=title]", "Bancos a la sombra")
    home.fill("textarea[name=description]", "Bancos bajo los árboles del parque.")
    submit(home, "main form")
    org.goto(f"{admin}/ideas")
    ideas_text = org.inner_text("main")
    assert (
        all(title in ideas_text for title, _ in PAPER_IDEAS) and "Bancos a la sombra" in ideas_text
    )

    next_phase(org, admin, "proposal_development")

    # The delegate scores an idea, then writes two costed proposals in three languages.
    delegate_context = recorder.context(browser, 1280, 900)
    dee = delegate_context.new_page()
    sign_in(dee, base, DELEGATE)
    assert dee.url.endswith("/delegate")
    dee.locator("a[href^='/delegate/ideas/']").first.click()
    for radio in dee.locator("fieldset.scale").all():
        radio.locator("input[value='4']").check()
    submit(dee, "main form")
    for number, (title, cost, es, vi) in enumerate(PROPOSALS):
        dee.goto(f"{base}/delegate/processes/{process_id}/ranking")
        dee.locator("input[name=idea]").nth(number).check()
        with dee.expect_navigation():
            dee.locator("form[action$='/proposals/new'] button[type=submit]").click()
        dee.fill("input[name=title]", title)
        dee.fill("textarea[name=summary]", f"{title}: what the idea forms asked for.")
        dee.fill("input[name=line_0_description]", "Materials and labour")
        dee.fill("input[name=line_0_amount]", cost)
        for field in dee.locator("textarea[name^=equity_]").all():
            field.fill("Joseph Avenue families, who asked for it at the library night.")
        for lang, text in (("es", es), ("vi", vi)):
            dee.fill(f"input[name=tr_{lang}_title]", text)
            dee.fill(f"textarea[name=tr_{lang}_summary]", text)
        with dee.expect_navigation():
            dee.click("button[name=action][value=save]")
        with dee.expect_navigation():
            dee.click("button[name=action][value=send]")
        assert dee.locator("[role=alert]").count() == 0, dee.inner_text("main")

    # The organizer approves both (each has every language and the equity answers).
    org.goto(f"{admin}/proposals")
    for _ in PROPOSALS:
        with org.expect_navigation():
            org.locator("form[action$='/approve'] button").first.click()
        assert org.locator("[role=alert]").count() == 0, org.inner_text("main")

    # Access codes, printed as cards: one for an online voter, two for the voting site.
    org.goto(f"{admin}/codes")
    org.fill("input[name=count]", "3")
    org.fill("input[name=label]", "Joseph Avenue mail-out")
    submit(org, f"form[action='/organize/processes/{process_id}/codes']")
    codes = org.locator(".card-code code").all_inner_texts()
    assert len(codes) == 3 and len(set(codes)) == 3

    next_phase(org, admin, "voting")

    # A resident votes online, in Spanish, on a phone without JavaScript.
    phone = recorder.context(browser, 375, 740)
    voter = phone.new_page()
    voter.goto(f"{base}/processes/{process_id}/vote?lang=es")
    voter.fill("input[name=access_code]", codes[0])
    receipt = rank_and_cast(voter, [PROPOSALS[1][2], PROPOSALS[0][2]])  # in Spanish

    # At the community center: the poll worker checks two voters in, one for the kiosk
    # and one for paper, opens a tablet as the kiosk, and types the paper sheet in.
    desk = recorder.context(browser, 1024, 900).new_page()
    sign_in(desk, base, POLL_WORKER)
    site = desk.locator("section.card", has_text="Community center")
    for code, mode in ((codes[1], "kiosk"), (codes[2], "paper")):
        site.locator("input[name=name]").fill(f"Voter {mode}")
        site.locator("input[name=birth_date]").fill("1980-03-04")
        site.locator("input[name=postal_code]").fill("14605")
        site.locator("input[name=access_code]").fill(code)
        site.locator(f"input[name=mode][value={mode}]").check()
        with desk.expect_navigation():
            site.locator("form[action$='/check-in'] button[type=submit]").click()
        assert desk.locator("[role=alert]").count() == 0, desk.inner_text("main")
        if mode == "kiosk":
            ticket = desk.locator(".receipt code").inner_text()
    tablet = recorder.context(browser, 820, 1180).new_page()
    sign_in(tablet, base, POLL_WORKER)
    kiosk_form = tablet.locator("section.card", has_text="Community center").locator(
        "form[action$='/kiosk']"
    )
    with tablet.expect_navigation():
        kiosk_form.locator("button[type=submit]").click()
    tablet.fill("input[name=kiosk_ticket]", ticket)
    with tablet.expect_navigation():
        tablet.locator("main form button[type=submit]").click()
    rank_and_cast(tablet, ["Path lights"])

    site = desk.locator("section.card", has_text="Community center")
    site.locator("input[name=sheets]").fill("1")
    with desk.expect_navigation():
        site.locator("form[action$='/paper-batches'] button[type=submit]").click()
    batch_url = desk.url.split("?")[0]
    desk.fill("input[name=marks]", "1:1 2:2")
    desk.keyboard.press("Enter")
    desk.wait_for_load_state()
    org.goto(batch_url)  # the second pass, by another person
    org.fill("input[name=marks]", "1:1 2:2")
    org.keyboard.press("Enter")
    org.wait_for_load_state()
    assert "(both entries agree)" in org.get_by_role("status").inner_text()
    with org.expect_navigation():  # asked first: closing cannot be undone
        org.get_by_role("link", name="Close the batch").click()
    assert "cannot be undone" in org.inner_text("main")
    with org.expect_navigation():
        org.get_by_role("button", name="Close the batch").click()

    # Live turnout while voting: three voters, one per channel.
    org.goto(f"{admin}/turnout")
    voters, ballots = org.locator("main table").first.locator("tfoot td").all_inner_texts()
    assert (voters, ballots) == ("3", "3")  # one online, one at the kiosk, one on paper

    # Voting ends early (audited, said to residents), then the count and funding.
    org.goto(f"{admin}/window")
    org.fill("textarea[name=reason]", "Every site has closed; the count starts tonight.")
    with org.expect_navigation():
        org.locator("button[name=end_now]").click()
    assert org.locator("[role=alert]").count() == 0, org.inner_text("main")
    next_phase(org, admin, "funding")
    # Counted at funding, public once an organizer publishes it (issue 20).
    org.goto(f"{admin}/results")
    submit(org, "form[action$='/results/publish']:has(input[value=now])")

    results = recorder.context(browser, 375, 740).new_page()
    results.goto(f"{base}/processes/{process_id}/results?lang=vi")
    funded = results.locator("main").inner_text()
    assert PROPOSALS[0][3] in funded and PROPOSALS[1][3] in funded  # both fit: in Vietnamese
    results.goto(f"{base}/processes/{process_id}/receipt?code={receipt}")
    assert results.locator("[role=alert]").count() == 0

    # An award, recorded and shown publicly; then the files anyone needs to recount.
    org.goto(f"{admin}/awards")
    award = org.locator(f"form[action^='/organize/processes/{process_id}/awards/']").first
    award.locator("input[name=organisation]").fill("Joseph Avenue Business Association")
    award.locator("input[name=amount]").fill("18,000")
    with org.expect_navigation():
        award.locator("button[type=submit]").click()
    assert org.locator("[role=alert]").count() == 0, org.inner_text("main")
    results.goto(f"{base}/processes/{process_id}/results?lang=en")
    assert "Joseph Avenue Business Association" in results.locator("main").inner_text()

    org.goto(f"{admin}/results")
    for name in ("ballots.pb", "ballots.csv", "results.csv", "proposals.csv", "ideas.csv"):
        with org.expect_download() as download:
            org.locator(f"a[href$='/exports/{name}']").first.click()
        text = Path(download.value.path()).read_text(encoding="utf-8")
        assert text.strip(), name
        if name == "ballots.csv":
            assert len(text.strip().splitlines()) == 1 + 3  # a header and three ballots
        if name == "proposals.csv":
            assert PROPOSALS[0][2] in text  # the Spanish title travels with the proposal

    # The audit chain holds after all of it.
    org.goto(f"{base}/organize/audit")
    with org.expect_navigation():
        org.locator("form[action='/organize/audit/verify'] button").click()
    assert org.locator("[role=alert]").count() == 0, org.inner_text("main")
    return process_id


def test_a_whole_cycle_through_the_pages_only(live_server, browser):
    recorder = Recorder()
    run_cycle(live_server, browser, recorder)
    api = [url for url in recorder.paths if "/api/" in url]
    assert not api, api
