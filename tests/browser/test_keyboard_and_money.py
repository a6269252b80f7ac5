"""Issue 19: the ballot by keyboard and by screen reader, and its money in one format.

On a 1280×800 desktop and a phone, with and without JavaScript: every element Tab reaches
shows a focus ring of 3:1 or more against what surrounds it and is never hidden behind the
ranking held at the bottom of the screen; the voter's details come before the ranking
controls; a card's spoken name says what it shows. The money the script adds up reads
exactly as the server writes money, in English, Spanish and Vietnamese. The kiosk's pages
(ticket, ballot, review, thank-you, idle warning and reset, expired) pass axe in the three
languages.
"""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, update
from sqlmodel import Session

from app.db import utcnow
from app.models import load_all_models
from app.voting.models import KioskTicket
from app.voting.station_pages import IDLE_WARN_AFTER, IDLE_WARNING
from app.web.i18n import format_money, translate
from tests.browser.axe import axe_violations
from tests.browser.ballot_steps import ballot_ready, rank
from tests.browser.conftest import DATABASE_OF
from tests.browser.test_kiosk import _kiosk, _signed_in, _ticket

PRACTICE = 2  # the demo's practice process: name, birth date and ZIP; a $50,000 budget
BUDGET_CENTS = 50_000_00
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
LANGS = ["en", "es", "vi"]

# Run in the page after each Tab: where the focused element is, what hides it, and the
# contrast of its focus ring against what is drawn right outside the ring.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  const tray = document.getElementById('tray');
  const rgba = (text) => {
    const [r, g, b, a] = text.match(/[\\d.]+/g).map(Number);
    return {r, g, b, a: a === undefined ? 1 : a};
  };
  const luminance = (c) => {
    const ch = [c.r, c.g, c.b].map((v) => v / 255)
      .map((v) => v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const contrast = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const backgroundOf = (node) => {
    for (; node && node.nodeType === 1; node = node.parentElement) {
      const c = rgba(getComputedStyle(node).backgroundColor);
      if (c.a > 0.5) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  const width = parseFloat(style.outlineWidth) || 0;
  const ring = style.outlineStyle === 'none' ? null : rgba(style.outlineColor);
  const out = parseFloat(style.outlineOffset) + width / 2;
  const around = [
    [box.left + box.width / 2, box.top - out], [box.left + box.width / 2, box.bottom + out],
    [box.left - out, box.top + box.height / 2], [box.right + out, box.top + box.height / 2],
  ];
  const ratios = ring && width >= 2 ? around
    .filter(([x, y]) => x >= 0 && y >= 0 && x < innerWidth && y < innerHeight)
    .map(([x, y]) => {
      const under = document.elementsFromPoint(x, y).find((n) => n !== el && !el.contains(n));
      return contrast(ring, backgroundOf(under));
    }) : [0];
  const shown = tray && !tray.hidden && !tray.contains(el) ? tray.getBoundingClientRect() : null;
  const hidden = shown !== null && box.bottom > shown.top + 0.5 && box.top < shown.bottom;
  return {
    what: el.id || el.className || el.tagName, tag: el.tagName,
    name: el.getAttribute('aria-label') || el.textContent.trim().slice(0, 60),
    ring: Math.min(...(ratios.length ? ratios : [99])),
    inView: box.top >= -0.5 && box.bottom <= innerHeight + 0.5,
    hidden: hidden,
  };
}"""


def _ballot(browser, live_server, viewport, *, javascript, lang="en"):
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{live_server}/processes/{PRACTICE}/vote?lang={lang}")
    ballot_ready(page, javascript=javascript)
    return page


def _tab_through(page, last="button[value=review]", limit=150) -> list[dict]:
    """Every stop of Tab from the top of the page to `last`, as FOCUS_STATE sees it."""
    page.mouse.click(1, 1)  # nothing focused: Tab starts at the top
    page.evaluate("document.activeElement.blur(); scrollTo(0, 0)")
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUS_STATE))
        if page.evaluate(f"document.activeElement.matches({last!r})"):
            return stops
    raise AssertionError(f"Tab never reached {last}: {[s['what'] for s in stops]}")


# Each screen with and without JavaScript in English; with it (where the ranking is held
# at the bottom, taller with longer words) in Spanish and Vietnamese too.
SEEN = [
    pytest.param(viewport, javascript, lang, id=f"{where}-{'js' if javascript else 'nojs'}-{lang}")
    for where, viewport in (("desktop", DESKTOP), ("phone", PHONE))
    for javascript, langs in ((True, LANGS), (False, ["en"]))
    for lang in langs
]


@pytest.mark.parametrize(("viewport", "javascript", "lang"), SEEN)
def test_focus_is_seen_everywhere_and_the_details_come_first(
    live_server, browser, viewport, javascript, lang
):
    page = _ballot(browser, live_server, viewport, javascript=javascript, lang=lang)
    if javascript:  # a tall ranking at the bottom: five projects chosen
        for n in range(5):
            page.locator("#cards .card").nth(n).locator("h3").click()
    stops = _tab_through(page)
    said = [f"{s['what']} ({s['name']})" for s in stops]
    faint = [f"{w}: {s['ring']:.2f}:1" for w, s in zip(said, stops, strict=True) if s["ring"] < 3]
    assert faint == [], f"focus rings under 3:1: {faint}"
    unseen = [w for w, s in zip(said, stops, strict=True) if s["hidden"] or not s["inView"]]
    assert unseen == [], "focus hidden behind the ranking or off the screen"
    order = [s["what"] for s in stops]
    first_ranking = next(
        i for i, s in enumerate(stops) if "pick" in s["what"] or s["tag"] == "SELECT"
    )
    assert order.index("name") < first_ranking and order.index("postal_code") < first_ranking
    print(f"\n{len(stops)} Tab stops; the weakest ring {min(s['ring'] for s in stops):.2f}:1")
    page.context.close()


def test_a_chosen_cards_spoken_name_says_what_it_shows(live_server, browser):
    page = _ballot(browser, live_server, DESKTOP, javascript=True)
    rank(page, [3, 1])
    pick = page.locator("#cards .card").nth(0).locator(".pick")
    assert pick.inner_text() == "Choice 2 · Remove"
    title = page.locator("#cards .card").nth(0).get_attribute("data-title")
    assert page.get_by_role("button", name=f"Choice 2 · Remove: {title}").count() == 1
    page.context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_money_reads_the_servers_way_with_and_without_javascript(live_server, browser, lang):
    page = _ballot(browser, live_server, PHONE, javascript=True, lang=lang)
    cards = page.locator("#cards .card")
    cents = cards.evaluate_all("cs => cs.map(c => Number(c.dataset.cents))")
    budget = format_money(lang, BUDGET_CENTS, "USD")
    note = translate(lang, "vote.budget_note.ranked")
    assert page.locator("#budget-note").inner_text() == note
    assert page.locator("#tray-over").is_hidden()

    def meter(total):
        return translate(
            lang, "vote.review_total", total=format_money(lang, total, "USD"), budget=budget
        )

    for n in (1, 2, 3, 4):  # tapped one by one: each total as the server writes it
        cards.nth(n - 1).locator("h3").click()
        assert page.locator("#tray-meter").inner_text() == meter(sum(cents[:n]))
    # More than the budget is fine, and the tray says why.
    assert sum(cents[:4]) > BUDGET_CENTS
    assert page.locator("#tray-over").inner_text() == note
    # An amount with cents and millions, as no demo project costs: the same way again.
    cards.nth(5).evaluate("c => c.dataset.cents = '123456789'")
    cards.nth(5).locator("h3").click()
    assert page.locator("#tray-meter").inner_text() == meter(sum(cents[:4]) + 123456789)
    page.context.close()

    # Without JavaScript the server writes it all, the review's total too.
    page = _ballot(browser, live_server, PHONE, javascript=False, lang=lang)
    assert page.locator("#budget-note").inner_text() == note
    choices = page.locator("#choices select")
    options = choices.first.locator("option").all_inner_texts()
    assert all(format_money(lang, c, "USD") in " ".join(options) for c in cents)
    for n in range(4):
        choices.nth(n).select_option(label=options[n + 1])
    page.get_by_label(translate(lang, "vote.name")).fill(f"Money Voter {lang}")
    page.get_by_label(translate(lang, "vote.birth_date")).fill("1984-06-02")
    page.get_by_label(translate(lang, "vote.postal_code")).fill("14605")
    page.get_by_role("button", name=translate(lang, "vote.review")).click()
    page.wait_for_url("**/review")
    assert meter(sum(cents[:4])) in page.locator(".ballot-form").inner_text()
    assert note in page.locator(".ballot-form").inner_text()
    page.context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_the_kiosk_pages_pass_axe(live_server, browser, backend, lang):
    desk = _signed_in(browser, live_server)
    tablet = _kiosk(browser, live_server, javascript=True)
    found = {}

    def check(where):
        assert tablet.locator("html").get_attribute("lang") == lang, where
        found[where] = axe_violations(tablet)

    tablet.goto(f"{live_server}/kiosk?lang={lang}")
    check("ticket")
    tablet.get_by_label(translate(lang, "kiosk.ticket")).fill("AAAAA-BBBBB")
    tablet.get_by_role("button", name=translate(lang, "kiosk.start")).click()
    check("ticket refused")
    ticket = _ticket(desk, f"Kiosk Axe {backend} {lang}")
    tablet.get_by_label(translate(lang, "kiosk.ticket")).fill(ticket)
    tablet.get_by_role("button", name=translate(lang, "kiosk.start")).click()
    ballot_ready(tablet)
    check("ballot")
    tablet.locator("#cards .card").nth(1).locator("h3").click()
    check("ballot, ranked")
    tablet.get_by_role("button", name=translate(lang, "vote.review")).click()
    tablet.wait_for_url("**/review")
    check("review")
    tablet.get_by_role("button", name=translate(lang, "vote.submit")).click()
    tablet.wait_for_url("**/kiosk/done*")
    check("thank-you")  # no timed refresh: kiosk.js resets it, with "More time"
    tablet.get_by_role("link", name=translate(lang, "kiosk.next_voter")).click()
    tablet.wait_for_url("**/kiosk*")
    # A walk-away: the ballot asks "Are you still voting?", then goes back to the start.
    tablet.clock.install()
    ticket = _ticket(desk, f"Kiosk Axe Idle {backend} {lang}")
    tablet.goto(f"{live_server}/kiosk?lang={lang}")
    tablet.get_by_label(translate(lang, "kiosk.ticket")).fill(ticket)
    tablet.get_by_role("button", name=translate(lang, "kiosk.start")).click()
    ballot_ready(tablet)
    tablet.clock.fast_forward((IDLE_WARN_AFTER + 1) * 1000)
    expect(tablet.get_by_role("alertdialog")).to_be_visible()
    check("idle warning")
    tablet.clock.fast_forward((IDLE_WARNING + 1) * 1000)
    tablet.wait_for_url("**/kiosk*")
    expect(tablet.get_by_role("status")).to_contain_text(translate(lang, "kiosk.idle_reset"))
    check("idle reset")
    # A ticket that ran out: the kiosk's start says so, in the voter's language.
    expired = _ticket(desk, f"Kiosk Axe Expired {backend} {lang}")
    load_all_models()
    with Session(create_engine(DATABASE_OF[live_server])) as session:
        gone = utcnow() - timedelta(minutes=1)
        session.execute(
            update(KioskTicket).where(KioskTicket.used_at.is_(None)).values(expires_at=gone)
        )
        session.commit()
    tablet.get_by_label(translate(lang, "kiosk.ticket")).fill(expired)
    tablet.get_by_role("button", name=translate(lang, "kiosk.start")).click()
    expect(tablet.get_by_role("alert")).to_contain_text(translate(lang, "error.ticket_expired"))
    check("expired")
    assert {k: v for k, v in found.items() if v} == {}
    desk.context.close()
    tablet.context.close()
