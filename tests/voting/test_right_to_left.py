"""A city adds Arabic with a catalog of 30 texts and no code: the ballot and the results are
laid out right to left, every text it leaves out (plurals with six forms included) reads as
English, and no raw message id shows."""

import re

import pytest

from app.processes.models import Process
from app.web import i18n
from tests import arabic_locale
from tests.voting.helpers import set_phase

RAW_ID = re.compile(r"\b(?:vote|process|results|ballot|site|phase)\.[a-z_]+(?:\.[a-z_]+)*\b")


@pytest.fixture
def arabic(tmp_path, monkeypatch):
    arabic_locale.write_catalog(tmp_path)
    monkeypatch.setattr(i18n, "LOCALE_DIRS", [*i18n.LOCALE_DIRS, tmp_path])
    i18n.reload()
    yield arabic_locale.CODE
    monkeypatch.undo()
    i18n.reload()


def visible(page: str) -> str:
    return re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", page, flags=re.S)


def test_the_ballot_and_results_read_right_to_left_in_arabic(
    arabic, client, world, session_factory
):
    with session_factory() as session:
        session.get(Process, world.process_id).languages = ["en", arabic]
        session.commit()
    ballot = client.get(f"/processes/{world.process_id}/vote?lang=ar")
    assert ballot.status_code == 200
    assert '<html lang="ar" dir="rtl">' in ballot.text
    said = arabic_locale.TEXTS
    assert f"<h1>{said['vote.title']}: " in ballot.text and said["vote.add"] in ballot.text
    text = visible(ballot.text)
    assert not RAW_ID.findall(text), RAW_ID.findall(text)
    # A plural text the catalog leaves out reads in English, never as "vote.intro.plural".
    assert i18n.translate_plural("en", "vote.intro", 5) in ballot.text
    english = client.get(f"/processes/{world.process_id}/vote?lang=en")
    assert '<html lang="en" dir="ltr">' in english.text

    set_phase(session_factory, world.process_id, "funding")
    results = client.get(f"/processes/{world.process_id}/results?lang=ar")
    assert results.status_code == 200 and 'dir="rtl"' in results.text
    assert said["results.title"] in results.text
    assert not RAW_ID.findall(visible(results.text))


def test_arrows_point_the_readers_way(arabic, client, organizer, world, session_factory):
    from tests.test_organize_page import sign_in

    with session_factory() as session:
        session.get(Process, world.process_id).languages = ["en", arabic]
        session.commit()
    sign_in(client, organizer)
    back = f"/organize/processes/{world.process_id}/sites"
    site = client.get(f"{back}/{world.sites[0]}?lang=ar")
    assert site.status_code == 200 and f'<a href="{back}">→ ' in site.text
    site = client.get(f"{back}/{world.sites[0]}?lang=en")
    assert f'<a href="{back}">← ' in site.text
