"""The browser tests' CSP watcher (conftest.py `no_csp_violations`) sees what Chromium
blocks: a page with an inline script and an inline style under the app's policy."""

from app.headers import PAGE_POLICY
from tests.browser.conftest import CSP_VIOLATION

PAGE = (
    '<!doctype html><html lang="en"><title>t</title><p style="color: red">inline style</p>'
    '<script>document.title = "ran"</script>'
)


def test_the_watcher_sees_what_the_policy_blocks(browser, no_csp_violations):
    page = browser.new_context().new_page()
    page.route(
        "http://pbvote.test/",
        lambda route: route.fulfill(
            body=PAGE, headers={"Content-Type": "text/html", "Content-Security-Policy": PAGE_POLICY}
        ),
    )
    with page.expect_console_message(lambda message: "inline script" in message.text):
        page.goto("http://pbvote.test/")
    assert page.title() == "t"  # the script did not run
    assert any("inline script" in seen for seen in no_csp_violations)
    assert any("inline style" in seen for seen in no_csp_violations)
    assert all(CSP_VIOLATION in seen for seen in no_csp_violations)
    no_csp_violations.clear()  # seen on purpose: this test passes
    page.context.close()
