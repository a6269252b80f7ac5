"""The public results page after funding: a bar chart with a text alternative, the rounds
of IRV, STV and MES as tables (checked against the count's own record), the tie-break
rule in plain words in each language, and the funding progress organizers record."""

import random
import re
from fractions import Fraction

import pytest

from app.proposals.models import Proposal
from app.web.i18n import translate
from tests.helpers import store_ballot
from tests.results.test_results_and_exports import to_funding
from tests.voting.helpers import set_phase

LANGUAGES = ["en", "es", "vi"]
# Costs of ballot numbers 1..8 in dollars: the $100,000 budget cannot fund them all.
COSTS = [40_000, 10_000, 25_000, 15_000, 30_000, 20_000, 35_000, 5_000]


def generated(client, paper, session_factory, *, ballots=120, seed=7, **count) -> int:
    """A process of the test world counted with `count`, on random ranked ballots."""
    world = paper.world
    pid = world.process_id
    set_phase(session_factory, pid, "voting", languages=LANGUAGES, **count)
    with session_factory() as session:
        for proposal_id, dollars in zip(world.proposals, COSTS, strict=True):
            session.get(Proposal, proposal_id).cost_cents = dollars * 100
        session.commit()
    rng = random.Random(seed)
    # Some projects are liked more, so the counts have winners and losers.
    weights = [8, 6, 5, 4, 3, 2, 2, 1]
    for _ in range(ballots):
        ranking = []
        while len(ranking) < rng.randint(1, 5):
            choice = rng.choices(world.proposals, weights=weights)[0]
            if choice not in ranking:
                ranking.append(choice)
        store_ballot(session_factory, pid, ranking)
    to_funding(client, paper)
    return pid


def official(client, pid) -> dict:
    return client.get(f"/api/processes/{pid}/results").json()["result"]


def number(text: str) -> Fraction:
    """A number as the English page writes it (1,234.5)."""
    return Fraction(text.replace(",", "")) if text else Fraction(0)


def close(shown: str, exact) -> bool:
    value = Fraction(exact) if isinstance(exact, str) else Fraction(int(exact))
    return abs(number(shown) - value) <= Fraction(1, 100)


def tables(page: str) -> list[str]:
    return re.findall(r'<table class="rounds[^"]*"[^>]*>(.*?)</table>', page, re.S)


def rows(table: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        ]
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_chart_has_a_bar_per_project_and_a_text_alternative(client, paper, session_factory):
    pid = generated(client, paper, session_factory)
    result = official(client, pid)
    page = client.get(f"/processes/{pid}/results?lang=en").text
    svg = re.search(r'<svg role="img"(.*?)</svg>', page, re.S)
    assert svg, "the chart is drawn on the server"
    assert 'aria-labelledby="chart-title"' in svg.group(0)
    assert svg.group(1).count("<rect") == len(result["projects"]) == 8
    desc = re.search(r'<desc id="chart-desc">(.*?)</desc>', svg.group(1), re.S).group(1)
    for rank, line in enumerate(result["projects"], start=1):
        assert f"{rank}. #{line['project']} Proposal {line['project']}: " in desc
        assert f"{line['score']:,} points" in desc
    assert "Points per project" in page
    # The table stays, with the same numbers.
    assert re.search(rf'<td class="num"[^>]*>{result["projects"][0]["score"]:,}</td>', page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_chart_speaks_the_readers_language(client, paper, session_factory, language):
    pid = generated(client, paper, session_factory, ballots=30)
    page = client.get(f"/processes/{pid}/results?lang={language}").text
    assert translate(language, "results.chart_caption.points") in page
    assert translate(language, "results.how.borda", first=5, second=4, last=1, size=5) in page


def test_irv_rounds_are_the_counts_rounds(client, paper, session_factory):
    pid = generated(client, paper, session_factory, count_method="irv")
    result = official(client, pid)
    page = client.get(f"/processes/{pid}/results?lang=en").text
    assert translate("en", "results.rounds_hint.irv") in page
    stages = sorted({r["stage"] for r in result["rounds"]})
    shown = tables(page)
    assert len(shown) == len(stages) > 1
    for stage, table in zip(stages, shown, strict=True):
        expected = [r for r in result["rounds"] if r["stage"] == stage]
        got = rows(table)
        assert len(got) == len(expected)
        for cells, record in zip(got, expected, strict=True):
            decided = record.get("elected") or record.get("eliminated")
            word = "Elected" if "elected" in record else "Eliminated"
            assert cells[0] == str(record["round"])
            assert cells[1].startswith(f"{word}: #{decided} Proposal {decided}")
            assert close(cells[2], record["tallies"][decided])
            assert translate("en", "results.out_of_count", n=record["exhausted"]) in cells[1]
            for to, moved in record.get("transfers", {}).items():
                if moved:
                    name = "Exhausted" if to == "exhausted" else f"#{to}"
                    assert f"{name}: {moved:,}" in cells[1]
    # The chart: every project's first choices (round 1), as IRV scores only its winners.
    first = result["rounds"][0]["tallies"]
    desc = re.search(r'<desc id="chart-desc">(.*?)</desc>', page, re.S).group(1)
    assert translate("en", "results.chart_caption.first_choices") in page
    for rank, line in enumerate(result["projects"], start=1):
        p = line["project"]
        assert f"{rank}. #{p} Proposal {p}: {first[p]:,} votes" in desc
    # Stage 1's last round elects the first project funded.
    assert rows(shown[0])[-1][1].startswith("Elected: #" + result["selected"][0] + " ")


def test_stv_rounds_show_fractional_transfers(client, paper, session_factory):
    pid = generated(client, paper, session_factory, count_method="stv", count_seats=3)
    result = official(client, pid)
    page = client.get(f"/processes/{pid}/results?lang=en").text
    assert translate("en", "results.rounds_hint.stv") in page
    quota = re.search(r"Droop quota (\d+) for 3 seats", " ".join(result["notes"])).group(1)
    assert translate("en", "results.quota", quota=int(quota), seats=3) in page
    (table,) = tables(page)
    got = rows(table)
    assert len(got) == len(result["rounds"])
    elected = []
    for cells, record in zip(got, result["rounds"], strict=True):
        decided = record.get("elected") or record.get("eliminated")
        if "elected" in record:
            elected.append(decided)
        assert f": #{decided} Proposal {decided}" in cells[1]
        assert close(cells[2], record["tallies"][decided])
        for to, moved in record.get("transfers", {}).items():
            if Fraction(moved) and to != "exhausted":
                part = re.search(rf"#{to}: ([\d,.]+)", cells[1])
                assert part and close(part.group(1), moved)
    assert elected == [p for p in result["selected"] if p in elected]
    assert len(elected) == 3


def test_mes_rounds_show_the_cost_per_supporter(client, paper, session_factory):
    pid = generated(client, paper, session_factory, count_method="mes")
    result = official(client, pid)
    page = client.get(f"/processes/{pid}/results?lang=en").text
    assert translate("en", "results.rounds_hint.mes") in page
    (table,) = tables(page)
    got = rows(table)
    assert [cells[0].split("\n")[0] for cells in got] == [
        f"Round {n}: #{p} Proposal {p}" for n, p in enumerate(result["selected"], start=1)
    ]
    costs = {line["project"]: line["cost"] for line in result["projects"]}
    for cells, record in zip(got, result["rounds"], strict=True):
        cost = costs[record["elected"]]
        assert f"Cost: ${cost // 100:,}" in cells[0]
        assert record["supporters"] > 0 and cells[1] == f"{record['supporters']:,}"
        average = Fraction(cost, record["supporters"]) / 100
        assert abs(number(cells[2].lstrip("$")) - average) <= Fraction(1, 100)
        first = Fraction(record["price_per_point"]) * 5 / 100
        paid = re.search(r"Most a first choice paid: \$([\d,.]+)", cells[0]).group(1)
        assert abs(number(paid) - first) <= Fraction(1, 100)


def test_borda_has_no_rounds_table(client, paper, session_factory):
    pid = generated(client, paper, session_factory, ballots=20)
    assert tables(client.get(f"/processes/{pid}/results").text) == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("rule", ["seeded", "lexicographic"])
def test_the_tie_break_rule_in_plain_words(client, paper, session_factory, language, rule):
    pid = generated(client, paper, session_factory, ballots=20, tie_break=rule)
    page = client.get(f"/processes/{pid}/results?lang={language}").text
    plain = re.search(r'<p class="hint" id="tie-break">(.*?)</p>', page, re.S).group(1)
    assert plain.startswith(translate(language, f"results.tie_plain.{rule}"))
    assert "sha256" not in plain and "lexicographic" not in plain


def test_funding_progress_once_organizers_record_it(client, paper, session_factory):
    pid = generated(client, paper, session_factory)
    result = official(client, pid)
    number_to_id = dict(enumerate(paper.world.proposals, start=1))
    first = int(result["selected"][0])
    before = client.get(f"/processes/{pid}/results?lang=en").text
    assert (
        "Not yet awarded" in before or translate("en", "results.status.not_yet_awarded") in before
    )
    r = client.put(
        f"/api/processes/{pid}/projects/{number_to_id[first]}/award",
        json={
            "amount_cents": 12_345_00,
            "organisation": "Neighbors Together",
            "status": "in_progress",
            "note": "Ground broken in May.",
        },
        headers=paper.organizer.headers,
    )
    assert r.status_code == 200, r.text
    for language in LANGUAGES:
        page = client.get(f"/processes/{pid}/results?lang={language}").text
        amount = "$12,345" if language != "vi" else "12.345"
        assert amount in page and "Neighbors Together" in page
        assert "Ground broken in May." in page
        current = re.search(r'<li class="done" aria-current="step">([^<]*)</li>', page)
        assert current and current.group(1) == translate(language, "results.status.in_progress")
