"""axe-core (the engine shipped in the axe-playwright-python package) run on the page a
browser test has open: the WCAG 2.2 A and AA rules, and what they found."""

from functools import cache
from pathlib import Path

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@cache
def _engine() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def axe_violations(page, within: str | None = None) -> list[str]:
    """Each WCAG 2.2 AA violation on the open page (or only in the part `within`, a CSS
    selector), as "rule: where (what to fix)"."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_engine())
    # Only the violations are read: axe then keeps one example of each rule that passes
    # instead of every node it looked at (far less to gather and to send back).
    result = page.evaluate(
        """async ([tags, within]) => await axe.run(within || document,
            {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        [WCAG_AA, within],
    )
    return [
        f"{v['id']}: {node['target']} ({v['help']})"
        for v in result["violations"]
        for node in v["nodes"]
    ]
