"""The public results page: how the count works in one sentence, a rank column apart from
the ballot number, numbers written the reader's way."""

import re

import pytest

from app.results import service
from app.web.i18n import translate
from tests.results.test_results_and_exports import cast_online, to_funding
from tests.voting.helpers import set_phase

ROW = re.compile(r'<tr class="[^"]*"><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>')
LANGUAGES = ["en", "es", "vi"]


def funded(client, paper, codes, session_factory, **count):
    pid = paper.world.process_id
    set_phase(session_factory, pid, "voting", languages=LANGUAGES, **count)
    cast_online(client, paper.world, codes)
    to_funding(client, paper)
    return pid


def test_the_rank_is_its_own_column_beside_the_ballot_number(client, paper, codes, session_factory):
    pid = funded(client, paper, codes, session_factory)
    page = client.get(f"/processes/{pid}/results?lang=en").text
    assert '<th scope="col">Rank</th><th scope="col">Ballot no.</th>' in page
    rows = ROW.findall(page)
    # Borda points from RANKINGS: #3 has 19, #2 13, #1 9.
    assert rows[:3] == [("1", "3"), ("2", "2"), ("3", "1")]
    assert [rank for rank, _ in rows] == [str(n) for n in range(1, 9)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_says_how_borda_counts_in_the_readers_language(
    client, paper, codes, session_factory, language
):
    pid = funded(client, paper, codes, session_factory)
    page = client.get(f"/processes/{pid}/results?lang={language}").text
    how = translate(language, "results.how.borda", first=5, second=4, last=1, size=5)
    assert how in page and "{" not in how


@pytest.mark.parametrize(
    "count,key",
    [
        ({"count_method": "approval"}, "results.how.approval"),
        ({"count_method": "irv"}, "results.how.irv"),
        ({"count_method": "stv", "count_seats": 2}, "results.how.stv"),
        ({"count_method": "mes"}, "results.how.mes"),
    ],
)
def test_each_method_has_its_own_sentence(client, paper, codes, session_factory, count, key):
    pid = funded(client, paper, codes, session_factory, **count)
    page = client.get(f"/processes/{pid}/results?lang=vi").text
    assert translate("vi", key) in page
    assert translate("vi", "results.how.borda") not in page


def test_points_are_written_with_the_readers_thousands_separator(
    client, paper, codes, session_factory, monkeypatch
):
    pid = funded(client, paper, codes, session_factory)
    official = service.results_for

    def bigger(**kw):
        view = official(**kw)
        for line in view["result"]["projects"]:
            line["score"] = line["score"] * 1000 if line["score"] else line["score"]
        return view

    monkeypatch.setattr(service, "results_for", bigger)
    for language, written in (("en", "19,000"), ("vi", "19.000")):
        page = client.get(f"/processes/{pid}/results?lang={language}").text
        assert re.search(rf'<td class="num"[^>]*>{re.escape(written)}</td>', page)
