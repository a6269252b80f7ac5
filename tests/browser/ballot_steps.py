"""Steps of the ballot as a resident takes them, with or without JavaScript."""


def rank(page, picks) -> list[str]:
    """Ranks the projects at these places of the list (1 = the first project), in order:
    with the choice fields when they are shown (no JavaScript), else by tapping cards.
    Returns the chosen projects' option texts ("3. Title ($cost)")."""
    options = page.get_by_label("Choice 1").locator("option").all_inner_texts()
    chosen = [options[n] for n in picks]
    if page.locator("#choices").is_visible():
        for place, label in enumerate(chosen, start=1):
            page.get_by_label(f"Choice {place}").select_option(label=label)
    else:
        cards = page.locator("#cards .card")
        for n in picks:
            cards.nth(n - 1).locator("h3").click()
    return chosen


def review_and_cast(page, *, review="Review my ballot", cast="Cast my ballot") -> None:
    page.get_by_role("button", name=review).click()
    page.wait_for_url("**/review")
    page.get_by_role("button", name=cast).click()
