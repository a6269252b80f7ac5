from app.demo import DEMO_NAME


def test_a_resident_finds_the_process_and_its_phase(live_server, page, screenshots, backend):
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Decide how the money is spent"
    page.screenshot(path=screenshots / f"home-{backend}.png", full_page=True)

    page.get_by_role("link", name=DEMO_NAME).click()
    page.wait_for_url("**/processes/*")
    assert page.get_by_role("heading", level=1).inner_text() == DEMO_NAME
    assert "$200,000" in page.locator(".meta").inner_text()
    current = page.locator("[aria-current=step]")
    assert current.inner_text() == "Idea collection"
    page.screenshot(path=screenshots / f"process-{backend}.png", full_page=True)


def test_keyboard_users_can_skip_to_content(live_server, page):
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"


def test_pages_speak_spanish_and_vietnamese(live_server, page, screenshots):
    page.goto(live_server + "/")
    page.get_by_role("link", name="Español").click()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", level=1).inner_text() == "Decida cómo se gasta el dinero"
    # The choice is remembered (cookie) on the next page.
    page.get_by_role("link", name=DEMO_NAME).click()
    assert page.locator("[aria-current=step]").inner_text() == "Recolección de ideas"
    page.get_by_role("link", name="Tiếng Việt").click()
    assert page.locator("[aria-current=step]").inner_text() == "Thu thập ý tưởng"
    page.screenshot(path=screenshots / "process-vi.png", full_page=True)
