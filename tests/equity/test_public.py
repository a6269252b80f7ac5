"""After funding, the results page shows who took part, with small counts hidden."""

import re

from app.processes.models import Process
from app.web import i18n
from app.web.i18n import translate
from tests.equity.helpers import (
    POPULATION,
    add_voters,
    answer_survey,
    place_sites,
    sign_in,
    upload,
)
from tests.voting.helpers import set_phase


def cells(page: str) -> dict[str, list[str]]:
    part = page[page.index('id="equity-public-heading"') :]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', part, re.S)
    return {name: re.findall(r'<td class="num"[^>]*>([^<]*)</td>', rest) for name, rest in rows}


def test_the_public_sees_shares_only_after_funding_and_never_small_counts(
    client, organizer, world, session_factory, monkeypatch
):
    place_sites(session_factory, {world.sites[0]: "North", world.sites[1]: "East"})
    sign_in(client, organizer)
    assert upload(client, world.process_id, POPULATION).status_code == 200
    client.cookies.clear()
    add_voters(
        session_factory,
        world.process_id,
        [("kiosk", world.sites[0])] * 7 + [("kiosk", world.sites[1])] * 40 + [("online", None)] * 5,
    )
    for band, n in (("18_24", 11), ("65_plus", 3)):
        answer_survey(session_factory, world.process_id, n, age_band=band, neighborhood="North")
    during = client.get(f"/processes/{world.process_id}/results")
    assert during.status_code == 200 and translate("en", "results.not_yet") in during.text
    assert "Who took part" not in during.text

    set_phase(session_factory, world.process_id, "funding")
    page = client.get(f"/processes/{world.process_id}/results")
    assert page.status_code == 200 and "Who took part" in page.text
    table = cells(page.text)
    # Ratio first (it fits a phone): North has 7 voters, hidden, with its share and
    # ratio; South's 0 too.
    assert table["North"] == ["–", "–", "10.0%", "fewer than 10"]
    assert table["South"][3] == "fewer than 10"
    assert table["East"][:2] == ["1.42", "85.1%"] and table["East"][3] == "40"
    assert table["18 to 24"] == ["11"] and table["65 or older"] == ["fewer than 10"]
    assert "North · no ratio" in page.text  # the chart hides what the table hides
    assert not re.search(r"\b7\b", page.text[page.text.index("Who took part") :])
    assert "Counts under 10 are never shown" in page.text
    # The "1.00 = in proportion" inside the texts is written the way the ratios are.
    assert "(1.00 = in proportion)" in page.text
    with session_factory() as session:
        session.get(Process, world.process_id).languages = ["en", "es", "vi"]
        session.commit()
    vietnamese = client.get(f"/processes/{world.process_id}/results?lang=vi").text
    assert "(1,00 = tương xứng)" in vietnamese and cells(vietnamese)["East"][0] == "1,42"
    monkeypatch.setattr(i18n, "REGION", "ES")  # a city in Spain writes 1,42 in Spanish
    i18n.reload()
    try:
        spanish = client.get(f"/processes/{world.process_id}/results?lang=es").text
    finally:
        monkeypatch.undo()
        i18n.reload()
    assert "(1,00 = en proporción)" in spanish and cells(spanish)["East"][0] == "1,42"
    assert "{one}" not in spanish + vietnamese and "1.00" not in spanish + vietnamese


def test_without_a_population_list_there_is_no_public_section(client, world, session_factory):
    set_phase(session_factory, world.process_id, "funding")
    page = client.get(f"/processes/{world.process_id}/results")
    assert page.status_code == 200 and "Who took part" not in page.text
