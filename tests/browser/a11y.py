"""axe-core (the copy shipped in the axe-playwright-python package) run on a loaded page."""

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()


def axe_violations(page) -> list[str]:
    """Every violation axe finds on the page, one line each: rule, impact, where."""
    found = _axe.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
    ]
