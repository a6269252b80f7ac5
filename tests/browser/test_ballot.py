"""The resident's ballot on a 375 px phone, with and without JavaScript and by keyboard
alone: ranking by tapping cards, reorder and remove, the review step, errors explained
before casting, a language switch that keeps everything, and the receipt with its QR code.
"""

import re
import time

import pytest
import segno

from app.voting.ballot_form import DRAFT_SECONDS
from app.web.i18n import translate
from tests.browser.axe import axe_violations
from tests.browser.ballot_steps import rank, review_and_cast
from tests.browser.conftest import DOCS_SCREENSHOTS

PRACTICE = 2  # the demo's practice process, open for voting with name, birth date and ZIP
PHONE = {"width": 375, "height": 740}
SCREENSHOTS = DOCS_SCREENSHOTS
BEFORE_TAPS = 19  # a five-choice vote with five dropdowns (issue 12)


def _phone(browser, *, javascript=True):
    page = browser.new_context(viewport=PHONE, java_script_enabled=javascript).new_page()
    page.set_default_timeout(20_000)
    return page


def _vote_page(browser, live_server, *, javascript=True, lang=None):
    page = _phone(browser, javascript=javascript)
    page.goto(f"{live_server}/processes/{PRACTICE}/vote" + (f"?lang={lang}" if lang else ""))
    return page


def _identity(page, name, *, lang="en"):
    page.get_by_label(translate(lang, "vote.name")).fill(name)
    page.get_by_label(translate(lang, "vote.birth_date")).fill("1984-06-02")
    page.get_by_label(translate(lang, "vote.postal_code")).fill("14605")


def _filled_in(browser, live_server, name, picks, *, javascript):
    """The vote page with the voter's details and these projects ranked."""
    page = _vote_page(browser, live_server, javascript=javascript)
    _identity(page, name)
    rank(page, picks, javascript=javascript)
    return page


def _ranked_titles(page) -> list[str]:
    return [t.split("\n")[0] for t in page.locator("#ranked li .what strong").all_inner_texts()]


def _choices(page) -> list[str]:
    return [page.locator(f"#rank_{n}").input_value() for n in range(1, 6)]


def _focused(page) -> str:
    """The id of the focused element, once one has focus: a page's autofocus lands a moment
    after it loads (on a busy machine, after the test's first look)."""
    page.wait_for_function("document.activeElement && document.activeElement.id !== ''")
    return page.evaluate("document.activeElement.id")


def _receipt(page) -> str:
    return page.locator(".receipt code").inner_text()


class Taps:
    """Counts what a resident taps (a field, a card, a button) and the time it all takes."""

    def __init__(self, page):
        self.page, self.count, self.start = page, 0, time.monotonic()

    def tap(self, locator):
        locator.click()
        self.count += 1

    def type(self, locator, text):
        self.tap(locator)
        locator.fill(text)

    def seconds(self) -> float:
        return time.monotonic() - self.start


def test_a_five_choice_vote_by_tapping_cards_with_review(live_server, browser, backend):
    page = _vote_page(browser, live_server)
    taps = Taps(page)
    taps.type(page.get_by_label("Full name"), f"Tap Voter {backend}")
    taps.type(page.get_by_label("Date of birth"), "1980-02-03")
    taps.type(page.get_by_label("ZIP code"), "14605-1234")
    cards = page.locator("#cards .card")
    titles = [t.split(". ", 1)[1] for t in cards.locator("h3").all_inner_texts()]
    for n in (2, 0, 4, 1, 5):
        taps.tap(cards.nth(n).locator("h3"))
    ranked = [titles[n] for n in (2, 0, 4, 1, 5)]
    assert [t.split(". ", 1)[1] for t in _ranked_titles(page)] == ranked
    # The ranking stays in view at the bottom of a phone's screen while cards scroll by.
    cards.nth(5).scroll_into_view_if_needed()
    box = page.locator("#tray").bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"] + 1 and box["y"] < PHONE["height"]
    assert "$" in page.locator("#tray small").first.inner_text()
    cents = cards.evaluate_all("cs => cs.map(c => Number(c.dataset.cents))")
    costs = sum(cents[n] for n in (2, 0, 4, 1, 5))
    meter = page.locator("#tray-meter").inner_text()
    assert meter == f"Your choices cost ${costs // 100:,} together; the budget is $50,000."
    page.screenshot(path=SCREENSHOTS / "ballot-phone.png")
    # The form's own fields follow the cards: the same POST as without JavaScript.
    ids = [cards.nth(n).get_attribute("data-id") for n in (2, 0, 4, 1, 5)]
    assert _choices(page) == ids
    review_button = page.get_by_role("button", name="Review my ballot")
    taps.tap(review_button)
    page.wait_for_url("**/vote/review")
    shown = page.locator(".review-list li .what strong").all_inner_texts()
    assert [s.split(". ", 1)[1] for s in shown] == ranked
    assert page.locator(".review-list .cost").count() == 5
    assert page.get_by_role("link", name="Change Choice 3").count() == 1
    page.screenshot(path=SCREENSHOTS / "ballot-review.png", full_page=True)
    taps.tap(page.get_by_role("button", name="Cast my ballot"))
    assert "Thank you for voting" in page.get_by_role("status").inner_text()
    seconds = taps.seconds()
    print(
        f"\nA five-choice vote on a phone: {taps.count} taps, {seconds:.1f} s "
        f"(Playwright's pace; before: {BEFORE_TAPS} taps)"
    )
    assert taps.count < BEFORE_TAPS
    page.context.close()


def test_reorder_and_remove_with_the_buttons_and_change_from_the_review(
    live_server, browser, backend
):
    page = _vote_page(browser, live_server)
    cards = page.locator("#cards .card")
    ids = [cards.nth(n).get_attribute("data-id") for n in range(6)]
    for n in (0, 1, 2):
        cards.nth(n).locator(".pick").click()
    page.get_by_role("button", name=re.compile(r"^Move down: 1\.")).click()
    assert _choices(page)[:3] == [ids[1], ids[0], ids[2]]
    page.get_by_role("button", name=re.compile(r"^Move up: 3\.")).click()
    assert _choices(page)[:3] == [ids[1], ids[2], ids[0]]
    page.locator("#ranked").get_by_role("button", name=re.compile(r"^Remove: 3\.")).click()
    assert _choices(page) == [ids[1], ids[0], "", "", ""]
    # Tapping a chosen card takes it out again; the choices close up.
    cards.nth(1).locator("h3").click()
    assert _choices(page) == [ids[0], "", "", "", ""]
    _identity(page, f"Reorder Voter {backend}")
    cards.nth(3).locator("h3").click()
    page.get_by_role("button", name="Review my ballot").click()
    page.wait_for_url("**/review")
    # "Change" goes back to the ballot with everything kept.
    page.get_by_role("link", name="Change Choice 2").click()
    assert page.get_by_label("Full name").input_value() == f"Reorder Voter {backend}"
    assert _choices(page)[:2] == [ids[0], ids[3]]
    assert _focused(page) == "tray-title"
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_refused_cast_then_back_never_asks_to_resend_a_form(
    live_server, browser, backend, javascript
):
    name = f"Back Voter {backend} {javascript}"
    page = _filled_in(browser, live_server, name, [1, 2], javascript=javascript)
    review_and_cast(page)
    receipt = _receipt(page)
    # The same person again: refused (already voted), then Back through all of it.
    page.goto(f"{live_server}/processes/{PRACTICE}/vote")
    _identity(page, name)
    rank(page, [3], javascript=javascript)
    review_and_cast(page)
    assert "already voted" in page.get_by_role("alert").inner_text()
    page.goto(f"{live_server}/")
    for _ in range(5):
        page.go_back(wait_until="load")
        assert page.url.startswith(live_server), page.url  # not Chromium's resend prompt
        if page.url.endswith("/vote/done"):  # shown again on this device for a while
            assert receipt in page.content()
    page.context.close()


def test_read_more_then_back_keeps_everything_typed(live_server, browser, backend):
    """With JavaScript "Read more" opens the project in this tab: the form is kept in the
    server's draft first, so Back shows the details and the ranking as they were."""
    name = f"Read More Voter {backend}"
    page = _filled_in(browser, live_server, name, [1, 3], javascript=True)
    ids = _choices(page)[:2]
    page.locator("#cards .card").nth(1).locator("a.more").click()
    page.wait_for_url("**/proposals/*")
    assert "/vote" not in page.url
    page.go_back(wait_until="load")
    page.wait_for_url(f"**/processes/{PRACTICE}/vote")
    assert page.get_by_label("Full name").input_value() == name
    assert page.get_by_label("ZIP code").input_value() == "14605"
    assert page.get_by_label("Date of birth").input_value() == "1984-06-02"
    assert _choices(page)[:2] == ids and _ranked_titles(page)  # the tray shows it too
    page.context.close()


def test_left_idle_the_ballot_warns_then_empties_itself(live_server, browser, backend):
    """A shared computer: the resident filled in the ballot and walked away. Two minutes
    before the draft's time a warning shows (a key keeps everything); then the page
    empties itself and says why. Chromium's clock is moved on, not waited for."""
    name = f"Idle Voter {backend}"
    page = _phone(browser)
    page.clock.install()
    page.goto(f"{live_server}/processes/{PRACTICE}/vote")
    _identity(page, name)
    rank(page, [1, 2], javascript=True)
    page.get_by_role("button", name="Review my ballot").click()
    page.wait_for_url("**/review")
    warning = page.locator("#idle-warning")
    assert warning.is_hidden()
    page.clock.run_for((DRAFT_SECONDS - 100) * 1000)
    assert warning.is_visible() and "Are you still there?" in warning.inner_text()
    page.keyboard.press("Shift")  # still there: the warning goes, nothing is lost
    assert warning.is_hidden() and name in page.content()
    page.clock.run_for((DRAFT_SECONDS + 1) * 1000)
    page.wait_for_url("**/vote?idle=1")
    assert page.get_by_label("Full name").input_value() == ""
    assert _choices(page) == [""] * 5
    said = translate("en", "vote.draft_expired", minutes=DRAFT_SECONDS // 60)
    assert said in page.locator("#error-summary").inner_text()
    page.go_back(wait_until="load")  # the review page asks again: nothing is there
    assert name not in page.content()
    page.context.close()


def test_errors_are_summarised_linked_and_focused_without_javascript(live_server, browser):
    page = _vote_page(browser, live_server, javascript=False)
    options = page.get_by_label("Choice 1").locator("option").all_inner_texts()
    title = options[2].split(". ", 1)[1].rsplit(" (", 1)[0]
    page.get_by_label("Choice 1").select_option(label=options[1])
    page.get_by_label("Choice 2").select_option(label=options[2])
    page.get_by_label("Choice 3").select_option(label=options[3])
    page.get_by_label("Choice 4").select_option(label=options[2])
    page.get_by_role("button", name="Review my ballot").click()
    summary = page.locator("#error-summary")
    assert _focused(page) == "error-summary"
    said = summary.inner_text()
    assert f"Choice 2 and choice 4 are both “{title}”" in said
    assert "Enter your full name" in said and "Enter your ZIP code" in said
    choice_4 = page.get_by_label("Choice 4")
    assert choice_4.get_attribute("aria-invalid") == "true"
    assert "rank_4-error" in choice_4.get_attribute("aria-describedby")
    assert choice_4.input_value() != ""  # the choices are kept, to correct
    page.screenshot(path=SCREENSHOTS / "ballot-errors.png", full_page=True)
    summary.get_by_role("link", name=re.compile("Choice 2 and choice 4")).click()
    assert _focused(page) == "rank_4"

    # Only choices 3 and 5 filled: the empty ones before are named, not closed up.
    page.context.close()
    page = _vote_page(browser, live_server, javascript=False)
    page.get_by_label("Choice 3").select_option(label=options[1])
    page.get_by_label("Choice 5").select_option(label=options[2])
    with page.expect_navigation():
        page.get_by_role("button", name="Review my ballot").click()
    links = page.locator("#error-summary a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert {"#rank_1", "#rank_2", "#rank_4"} <= set(hrefs)
    assert "#rank_3" not in hrefs and "#rank_5" not in hrefs
    said = page.locator("#error-summary").inner_text()
    assert "Choice 1 is empty but choice 5 is filled in" in said
    page.context.close()


def test_mistakes_are_said_before_sending_with_javascript(live_server, browser):
    page = _vote_page(browser, live_server, lang="es")
    page.evaluate("window.stillHere = true")
    page.get_by_role("button", name="Revisar mi boleta").click()
    assert page.evaluate("window.stillHere") is True  # nothing was sent
    assert _focused(page) == "error-summary"
    said = page.locator("#error-summary").inner_text()
    assert translate("es", "vote.err_none") in said and translate("es", "vote.err_name") in said
    assert page.get_by_label("Nombre completo").get_attribute("aria-invalid") == "true"
    # A choice's link leads to the ranking, the choice fields being hidden here.
    page.locator("#error-summary a[href='#rank_1']").click()
    assert _focused(page) == "tray-title"
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_switching_language_keeps_everything_and_the_receipt(
    live_server, browser, backend, javascript
):
    name = f"Lang Voter {backend} {javascript}"
    page = _filled_in(browser, live_server, name, [5, 3], javascript=javascript)
    chosen = _choices(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Español").click()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_label("Nombre completo").input_value() == name
    assert page.get_by_label("Código postal").input_value() == "14605"
    assert _choices(page) == chosen
    if javascript:
        assert len(_ranked_titles(page)) == 2
    page.get_by_role("button", name="Revisar mi boleta").click()
    page.wait_for_url("**/review")
    # On the review page too, and on the thank-you page, which keeps the receipt.
    with page.expect_navigation():
        page.get_by_role("button", name="Tiếng Việt").click()
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator(".review-list li").count() == 2
    page.get_by_role("button", name=translate("vi", "vote.submit")).click()
    receipt = _receipt(page)
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Thank you for voting" in page.get_by_role("status").inner_text()
    assert _receipt(page) == receipt
    assert page.locator("figure.qr svg").count() == 1
    page.context.close()


def _svg_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules (row, column) drawn by segno's SVG path, quiet zone removed."""
    scale_border = re.search(r'd="([^"]+)"', svg).group(1)
    x = y = 0.0
    dark = set()
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", scale_border):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            for i in range(int(a)):
                dark.add((int(y - 0.5), int(x) + i))
            x += int(a)
    border = min(c for _, c in dark)
    return {(r - border, c - border) for r, c in dark}


def test_the_thank_you_page_shows_a_qr_code_of_the_receipt_check(live_server, browser, backend):
    page = _vote_page(browser, live_server)
    _identity(page, f"QR Voter {backend}")
    rank(page, [6])
    review_and_cast(page)
    receipt = _receipt(page)
    link = f"{live_server}/processes/{PRACTICE}/receipt?code={receipt}"
    svg = page.locator("figure.qr svg").evaluate("e => e.outerHTML")
    expected = segno.make(link, error="m").matrix
    want = {(r, c) for r, row in enumerate(expected) for c, bit in enumerate(row) if bit}
    assert _svg_modules(svg) == want  # the QR code encodes exactly the check's link
    page.screenshot(path=SCREENSHOTS / "ballot-thanks-qr.png", full_page=True)
    page.get_by_role("link", name="Check that this ballot was stored").click()
    assert "was stored and will be counted" in page.get_by_role("status").inner_text()
    # The check is linked from the process page too.
    page.goto(f"{live_server}/processes/{PRACTICE}")
    page.get_by_role("link", name=translate("en", "receipt.title")).click()
    page.get_by_label("Receipt code").fill(receipt)
    page.get_by_role("button", name=translate("en", "receipt.check")).click()
    assert "was stored and will be counted" in page.get_by_role("status").inner_text()
    page.context.close()


def test_a_vote_by_keyboard_alone(live_server, browser, backend):
    page = _vote_page(browser, live_server)

    def tab_to(selector, limit=120):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    # The voter's details come first in Tab order, before the cards and the ranking.
    tab_to("#name")
    page.keyboard.type(f"Keyboard Voter {backend}")
    page.keyboard.press("Tab")
    page.keyboard.type("06021984")  # the date field takes digits in its own order
    tab_to("#postal_code")  # Tab also steps through the date's month, day and year
    page.keyboard.type("14605")
    tab_to("#cards .card:nth-child(2) .pick")
    page.keyboard.press("Enter")
    tab_to("#cards .card:nth-child(4) .pick")
    page.keyboard.press("Space")
    tab_to("#ranked-2 .up")
    page.keyboard.press("Enter")  # the fourth project is now first
    cards = page.locator("#cards .card")
    ids = [cards.nth(n).get_attribute("data-id") for n in (3, 1)]
    assert _choices(page)[:2] == ids
    assert page.evaluate("document.activeElement.closest('#ranked') !== null")  # focus stays
    tab_to("button[value=review]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/review")
    tab_to("button[value=cast]")
    page.keyboard.press("Enter")
    assert "Thank you for voting" in page.get_by_role("status").inner_text()
    page.context.close()


def test_the_first_ballot_page_weighs_under_60_kb(live_server, browser):
    page = _phone(browser)
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(f"{live_server}/processes/{PRACTICE}/vote", wait_until="networkidle")
    sizes = {r.url: len(r.body()) for r in responses}
    total = sum(sizes.values())
    parts = ", ".join(f"{url.rsplit('/', 1)[-1]} {n / 1024:.1f} KB" for url, n in sizes.items())
    print(f"\nThe first ballot page weighs {total / 1024:.1f} KB: {parts}")
    assert all(url.startswith(live_server) for url in sizes)  # no third-party host
    assert total < 60 * 1024
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "es", "vi"])
def test_ballot_pages_are_axe_clean(live_server, browser, backend, lang):
    page = _vote_page(browser, live_server, lang=lang)
    found = {"vote": axe_violations(page)}
    page.locator("#cards .card").nth(0).locator("h3").click()
    found["vote, ranked"] = axe_violations(page)
    page.get_by_role("button", name=translate(lang, "vote.review")).click()
    found["errors"] = axe_violations(page)
    _identity(page, f"Axe Voter {backend} {lang}", lang=lang)
    page.get_by_role("button", name=translate(lang, "vote.review")).click()
    page.wait_for_url("**/review")
    found["review"] = axe_violations(page)
    page.get_by_role("button", name=translate(lang, "vote.submit")).click()
    found["thanks"] = axe_violations(page)
    page.get_by_role("link", name=translate(lang, "receipt.check_this")).click()
    found["receipt"] = axe_violations(page)
    # The server's own error summary (axe needs JavaScript, so the form is sent by hand,
    # past ballot.js's checks).
    page.goto(f"{live_server}/processes/{PRACTICE}/vote?lang={lang}")
    with page.expect_navigation():
        page.evaluate("document.getElementById('ballot').submit()")
    assert page.locator("#error-summary a[href='#rank_1']").count() == 1
    found["errors from the server"] = axe_violations(page)
    assert {k: v for k, v in found.items() if v} == {}
    page.context.close()
