"""axe-core (the engine behind most accessibility checkers) run on the page shown."""

from axe_playwright_python.sync_playwright import Axe

_AXE = Axe()


def axe_violations(page) -> list[str]:
    """Each violation of WCAG 2.x A/AA and best practice on the page, as a readable line."""
    results = _AXE.run(page)
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]
