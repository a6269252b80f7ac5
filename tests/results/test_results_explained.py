"""The results page explains itself in the count's own numbers: what IRV's Votes are, which
rounds the tie-break decided and between whom, and why MES left money over; in English,
Spanish and Vietnamese, and in tables that stack on a phone (every cell names its column)."""

import html
import re

import pytest

from app.proposals.models import Proposal
from app.web.i18n import format_money, translate
from tests.helpers import store_ballot
from tests.results.test_results_and_exports import to_funding
from tests.results.test_results_public import LANGUAGES, generated, official, rows, tables
from tests.voting.helpers import set_phase


def hint(page: str, id_: str) -> str | None:
    found = re.search(rf'<p class="hint" id="{id_}">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else None


@pytest.mark.parametrize("language", LANGUAGES)
def test_irv_says_what_its_votes_are(client, paper, session_factory, language):
    pid = generated(client, paper, session_factory, count_method="irv")
    page = client.get(f"/processes/{pid}/results?lang={language}").text
    assert hint(page, "votes-meaning") == translate(language, "results.votes_meaning.irv")
    assert translate(language, "results.rounds_votes") in page


def test_borda_has_no_irv_votes_sentence_nor_leftover(client, paper, session_factory):
    pid = generated(client, paper, session_factory)
    page = client.get(f"/processes/{pid}/results?lang=en").text
    assert hint(page, "votes-meaning") is None and hint(page, "leftover") is None


@pytest.mark.parametrize("rule", ["seeded", "lexicographic"])
def test_each_round_the_tie_break_decided_says_so_and_names_the_tied(
    client, paper, session_factory, rule
):
    # Few ballots and many projects: eliminations among equals are frequent.
    pid = generated(
        client, paper, session_factory, ballots=14, seed=3, count_method="irv", tie_break=rule
    )
    result = official(client, pid)
    uses = result["tie_breaks"]
    assert uses, "this world has ties (change the seed if the count changes)"
    page = client.get(f"/processes/{pid}/results?lang=en").text
    stages = sorted({r["stage"] for r in result["rounds"]})
    shown = dict(zip(stages, tables(page), strict=True))
    decided = {(u["stage"], u["round"]) for u in uses}
    for stage, table in shown.items():
        for cells in rows(table):
            said = "order drawn by lot" in cells[1] or "order of the ballot numbers" in cells[1]
            assert said == ((stage, int(cells[0])) in decided)
    for use in uses:
        others = ", ".join(f"#{p}" for p in use["tied"] if p != use["chosen"])
        sentence = translate(
            "en", f"results.tied_row.{rule}", project=f"#{use['chosen']}", others=others
        )
        cells = next(c for c in rows(shown[use["stage"]]) if c[0] == str(use["round"]))
        assert sentence in cells[1]


@pytest.mark.parametrize("language", LANGUAGES)
def test_mes_says_why_money_is_left(client, paper, session_factory, language):
    pid = generated(client, paper, session_factory, count_method="mes")
    result = official(client, pid)
    assert result["budget_left"] > 0
    unfunded = [line for line in result["projects"] if not line["funded"]]
    cheapest = min(unfunded, key=lambda line: line["cost"])
    key = "fits" if cheapest["cost"] <= result["budget_left"] else "too_dear"
    page = client.get(f"/processes/{pid}/results?lang={language}").text
    money = {
        "left": format_money(language, result["budget_left"], "USD"),
        "cost": format_money(language, cheapest["cost"], "USD"),
    }
    expected = translate(
        language, f"results.leftover.{key}", project=f"#{cheapest['project']}", **money
    )
    assert hint(page, "leftover") == expected


def test_every_cell_of_the_stacked_tables_names_its_column(client, paper, session_factory):
    pid = generated(client, paper, session_factory, count_method="irv")
    page = client.get(f"/processes/{pid}/results?lang=es").text
    stacked = re.findall(r'<table class="[^"]*\bstack\b[^"]*"[^>]*>(.*?)</table>', page, re.S)
    assert len(stacked) >= 2  # all projects, and the rounds
    for table in stacked:
        body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
        for cell in re.findall(r"<td([^>]*)>", body):
            assert 'class="key"' in cell or 'data-label="' in cell, cell
    assert f'data-label="{translate("es", "results.outcome")}"' in page


def mirrored(client, paper, session_factory, **count) -> int:
    """Two projects of the same cost, each the only choice of as many voters: counted in
    rounds (MES), they tie in the first round."""
    world = paper.world
    pid = world.process_id
    set_phase(session_factory, pid, "voting", languages=LANGUAGES, **count)
    with session_factory() as session:
        for proposal_id in world.proposals[:2]:
            session.get(Proposal, proposal_id).cost_cents = 30_000_00
        session.commit()
    for _ in range(5):
        for proposal_id in world.proposals[:2]:
            store_ballot(session_factory, pid, [proposal_id])
    to_funding(client, paper)
    return pid


# Few ballots and many projects: ties are frequent (change a seed if the count changes).
TIED_WORLDS = {
    "borda": {"ballots": 14, "seed": 3},
    "approval": {"ballots": 14, "seed": 3},
    "points": {"ballots": 14, "seed": 3},
    "mes": None,  # mirrored
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("rule", ["seeded", "lexicographic"])
@pytest.mark.parametrize("method", sorted(TIED_WORLDS))
def test_every_method_says_which_ties_were_decided_by_the_rule(
    client, paper, session_factory, method, rule, language
):
    """Not only IRV: a count by score (Borda, approval, points) says each group of tied
    projects and which went first; MES says so on the round the rule decided."""
    count = {"count_method": method, "tie_break": rule}
    if TIED_WORLDS[method] is None:
        pid = mirrored(client, paper, session_factory, **count)
    else:
        pid = generated(client, paper, session_factory, **TIED_WORLDS[method], **count)
    result = official(client, pid)
    uses = result["tie_breaks"]
    assert uses, f"{method}: this world has ties (change the seed if the count changes)"
    page = html.unescape(client.get(f"/processes/{pid}/results?lang={language}").text)
    for use in uses:
        others = ", ".join(f"#{p}" for p in use["tied"] if p != use["chosen"])
        if method == "mes":
            key, values = f"results.tied_row_mes.{rule}", {"project": f"#{use['chosen']}"}
            values["others"] = others
        else:
            assert use["chosen"] == use["tied"][0]
            projects = ", ".join(f"#{p}" for p in use["tied"])
            key = f"results.tied_order.{rule}"
            values = {"projects": projects, "first": f"#{use['chosen']}"}
        assert translate(language, key, **values) in page, (method, use)
    said = page.count("<li>") if method != "mes" else page.count('class="tied"')
    assert said >= len(uses)
