"""The README and docs/ stay short and their relative links lead somewhere.

Every relative link in README.md and docs/*.md must name a file or folder that exists,
and an anchor (`file.md#heading`) a heading of that file, as GitHub makes anchors. No
database, no network: external links (http, mailto) are not followed.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
README_MAX_LINES = 200

# [text](target) and [text](<target>), not images' alt texts in code.
LINK = re.compile(r"\[[^\]]*\]\(<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")


def prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks (a link-like text in code is not a link)."""
    lines, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line)
    return lines


def without_code_spans(line: str) -> str:
    return re.sub(r"`[^`]*`", "", line)


def anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, and
    -1, -2 ... after a repeated one."""
    seen: dict[str, int] = {}
    found = set()
    for line in prose_lines(path.read_text(encoding="utf-8")):
        match = HEADING.match(line)
        if not match:
            continue
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match.group(1))  # a link's text
        slug = re.sub(r"[^\w\- ]", "", text.replace("`", "").strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def relative_links(path: Path) -> list[str]:
    links = []
    for line in prose_lines(path.read_text(encoding="utf-8")):
        links += LINK.findall(without_code_spans(line))
    return [t for t in links if not re.match(r"^[a-z][a-z0-9+.-]*:", t, re.IGNORECASE)]


def broken(path: Path, target: str) -> str | None:
    file_part, _, anchor = target.partition("#")
    linked = (path.parent / file_part).resolve() if file_part else path
    if not linked.exists():
        return f"{target}: no such file"
    if ROOT not in linked.parents and linked != ROOT:
        return f"{target}: outside the repository"
    if anchor and linked.suffix == ".md" and anchor not in anchors(linked):
        return f"{target}: no heading #{anchor} in {linked.relative_to(ROOT)}"
    return None


@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_leads_somewhere(path):
    problems = [p for t in relative_links(path) if (p := broken(path, t))]
    assert problems == [], f"{path.relative_to(ROOT)}: " + "; ".join(problems)


def test_the_readme_stays_under_200_lines():
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines < README_MAX_LINES, f"README.md has {lines} lines; move detail into docs/"


def test_the_readme_lists_every_guide():
    listed = set(re.findall(r"\]\(docs/([^)#]+\.md)", README.read_text(encoding="utf-8")))
    assert {p.name for p in DOCS} <= listed


def test_the_check_finds_a_broken_link_and_a_missing_heading(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "a.md").write_text("# A `code` title, here\n\n## Twice\n## Twice\n")
    doc = tmp_path / "b.md"
    doc.write_text(
        "[ok](a.md#a-code-title-here) [ok](a.md#twice-1) [web](https://example.org/x)\n"
        "`[in code](nowhere.md)`\n```\n[in a block](nowhere.md)\n```\n"
        "[gone](missing.md) [no heading](a.md#nothing)\n"
    )
    problems = [p for t in relative_links(doc) if (p := broken(doc, t))]
    assert problems == [
        "missing.md: no such file",
        "a.md#nothing: no heading #nothing in a.md",
    ]
