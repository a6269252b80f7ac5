"""Steps of the ballot as a resident takes them, with or without JavaScript."""

from playwright.sync_api import expect


def ballot_ready(page, *, javascript: bool = True) -> None:
    """Waits until the ballot is there to use: with JavaScript, until ballot.js has run
    (it marks <html> with `js-ranking` and, running start to end in one go, has by then
    hidden the choice fields and made the cards tappable); without, until the choice
    fields are shown."""
    if javascript:
        expect(page.locator("html.js-ranking")).to_be_attached()
        expect(page.locator("#tray")).to_be_visible()
    else:
        expect(page.locator("#choices select").first).to_be_visible()


def rank(page, picks, *, javascript: bool = True) -> list[str]:
    """Ranks the projects at these places of the list (1 = the first project), in order:
    by tapping cards with JavaScript, with the choice fields without it.
    Returns the chosen projects' option texts ("3. Title ($cost)")."""
    ballot_ready(page, javascript=javascript)
    options = page.get_by_label("Choice 1").locator("option").all_inner_texts()
    chosen = [options[n] for n in picks]
    if javascript:
        cards = page.locator("#cards .card")
        for n in picks:
            cards.nth(n - 1).locator("h3").click()
    else:
        for place, label in enumerate(chosen, start=1):
            page.get_by_label(f"Choice {place}").select_option(label=label)
    return chosen


def review_and_cast(page, *, review="Review my ballot", cast="Cast my ballot") -> None:
    page.get_by_role("button", name=review).click()
    page.wait_for_url("**/review")
    page.get_by_role("button", name=cast).click()
