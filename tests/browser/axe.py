"""axe-core (the engine behind most accessibility checkers) run in the page under test.

The script is the one the `axe-playwright-python` package ships (no network); the rules
are WCAG 2.0, 2.1 and 2.2, levels A and AA."""

from pathlib import Path

import axe_playwright_python

AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_RUN = """async (tags) => {
  const found = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return found.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
  }));
}"""


def axe_violations(page) -> list[dict]:
    """What axe finds wrong on the page as it is now (an empty list when nothing)."""
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(_RUN, WCAG_AA)
