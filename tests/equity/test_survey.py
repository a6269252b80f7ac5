"""The anonymous survey after casting: no link to the ballot, the voter or the time; one
answer per thank-you visit; small counts never shown."""

import re

import pytest
from sqlalchemy import Date, DateTime, Integer, inspect, select

from app.equity import service as equity
from app.equity.models import SurveyAnswer
from app.processes.models import Process
from app.web.i18n import translate
from tests.equity.helpers import ORIGIN, POPULATION, answer_survey, sign_in, upload
from tests.voting.helpers import set_phase
from tests.voting.test_kiosk_pages import vote_online

INVITE = re.compile(r'href="(/processes/\d+/survey/[^"]+)"')


def answers(session_factory, process_id):
    with session_factory() as s:
        return s.execute(
            select(SurveyAnswer.age_band, SurveyAnswer.neighborhood, SurveyAnswer.answers).where(
                SurveyAnswer.process_id == process_id
            )
        ).all()


def invitation(client, world, codes):
    (code,) = codes(1)
    done, _ = vote_online(client, world, code, 3)
    link = INVITE.search(done.text)
    assert link, "the thank-you page invites to the survey"
    return link.group(1)


def test_the_table_cannot_link_an_answer_to_a_ballot_a_voter_or_a_time(engine):
    table = inspect(engine)
    keys = table.get_foreign_keys("survey_answer")
    assert [(k["referred_table"], k["constrained_columns"]) for k in keys] == [
        ("pb_process", ["process_id"])
    ]
    columns = {c["name"]: c["type"] for c in table.get_columns("survey_answer")}
    assert set(columns) == {"id", "process_id", "age_band", "neighborhood", "answers"}
    assert not [n for n, t in columns.items() if isinstance(t, DateTime | Date)]
    assert not isinstance(columns["id"], Integer)  # no sequence to order answers by
    assert inspect(engine).get_foreign_keys("survey_token_spent") == []
    assert {c["name"] for c in table.get_columns("survey_token_spent")} == {"token_hash"}


def test_answers_cannot_be_put_in_order_by_their_keys(session_factory, world):
    order: list[str] = []  # the keys in the order the answers were given
    with session_factory() as s:
        process = s.get(Process, world.process_id)
        for n in range(12):
            token = equity.survey_token("secret", process.id, receipt=f"R-{n}")
            equity.record_answer(
                session=s,
                secret_key="secret",
                process=process,
                token=token,
                age_band=equity.AGE_BANDS[n % 7],
                neighborhood=None,
                answers={},
            )
            order += set(s.execute(select(SurveyAnswer.id)).scalars()) - set(order)
        s.commit()
        ids = s.execute(select(SurveyAnswer.id).order_by(SurveyAnswer.id)).scalars().all()
    assert len(set(ids)) == 12 and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert ids != order  # key order is not the order of answering (chance 1 in 12!)


def test_a_voter_answers_once_from_the_thank_you_page(
    client, organizer, world, codes, session_factory
):
    sign_in(client, organizer)
    assert upload(client, world.process_id, POPULATION).status_code == 200
    client.cookies.clear()
    link = invitation(client, world, codes)
    token = link.rsplit("/", 1)[1]
    assert link.startswith(f"/processes/{world.process_id}/survey/")
    page = client.get(link)
    assert page.status_code == 200 and 'name="age_band"' in page.text and "North" in page.text
    r = client.post(
        f"/processes/{world.process_id}/survey",
        headers=ORIGIN,
        data={"k": token, "age_band": "25_34", "neighborhood": "South"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith("/survey/thanks")
    assert answers(session_factory, world.process_id) == [("25_34", "South", {})]
    again = client.post(
        f"/processes/{world.process_id}/survey",
        headers=ORIGIN,
        data={"k": token, "age_band": "65_plus"},
    )
    assert again.status_code == 409 and "answered already" in again.text
    assert len(answers(session_factory, world.process_id)) == 1
    spent = client.get(link)
    assert spent.status_code == 200 and translate("en", "survey.from_thanks") in spent.text
    assert 'name="age_band"' not in spent.text  # the invitation is spent


def test_the_thank_you_page_invites_once_per_ballot_whatever_the_language(
    client, world, codes, session_factory
):
    pid = world.process_id
    with session_factory() as s:
        s.get(Process, pid).languages = ["en", "es", "vi"]
        s.commit()
    (code,) = codes(1)
    done, _ = vote_online(client, world, code, 3)
    links = [INVITE.search(done.text).group(1)]
    again = re.search(r'name="receipt_token" value="([^"]+)"', done.text).group(1)
    for language in ["es", "vi", "en"] * 3:  # the language buttons, pressed again and again
        page = client.post(
            f"/processes/{pid}/vote",
            data={"step": "thanks", "receipt_token": again, "switch_lang": language},
        )
        assert translate(language, "vote.thanks_title") in page.text
        links.append(INVITE.search(page.text).group(1))
    assert len(links) == 10 and set(links) == {links[0]}  # one invitation for the one ballot
    token = links[0].rsplit("/", 1)[1]
    sent = [
        client.post(f"/processes/{pid}/survey", headers=ORIGIN, data={"k": token, "age_band": b})
        for b in ("18_24", "65_plus", "35_44")
    ]
    assert [r.status_code for r in sent] == [200, 409, 409]
    assert answers(session_factory, pid) == [("18_24", None, {})]


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"age_band": "ancient"}, "error.invalid"),
        ({"neighborhood": "Atlantis"}, "error.invalid"),
        ({"q999": "0"}, "error.survey_choice"),
        ({"q¹": "1"}, "error.survey_field"),  # "¹".isdigit(), and int() refuses it
        ({"q٣": "0"}, "error.survey_field"),  # an Arabic-Indic 3
        ({"question": "0"}, "error.survey_field"),
        ({"q1": "²"}, "error.survey_choice"),
        ({"q1": "9" * 5000}, "error.survey_choice"),  # past int()'s 4,300 digits
        ({"q1": "-1"}, "error.survey_choice"),
    ],
)
def test_a_wrong_answer_is_refused_and_nothing_is_kept(
    client, world, codes, session_factory, fields, said
):
    link = invitation(client, world, codes)
    token = link.rsplit("/", 1)[1]
    r = client.post(
        f"/processes/{world.process_id}/survey", headers=ORIGIN, data={"k": token, **fields}
    )
    assert r.status_code == 422
    assert translate("en", said) in r.text
    assert answers(session_factory, world.process_id) == []
    ok = client.post(
        f"/processes/{world.process_id}/survey",
        headers=ORIGIN,
        data={"k": token, "age_band": "18_24"},
    )
    assert ok.status_code == 200 and answers(session_factory, world.process_id)  # still usable


def test_no_invitation_no_form_and_a_forged_one_is_refused(client, world, session_factory):
    page = client.get(f"/processes/{world.process_id}/survey")
    assert page.status_code == 200 and 'name="age_band"' not in page.text
    assert "thanks you for voting" in page.text
    forged = equity.survey_token("another-secret", world.process_id, receipt="R-1")
    r = client.post(
        f"/processes/{world.process_id}/survey",
        headers=ORIGIN,
        data={"k": forged, "age_band": "18_24"},
    )
    assert r.status_code == 403 and answers(session_factory, world.process_id) == []


def test_the_survey_closes_with_the_vote(client, world, codes, session_factory):
    link = invitation(client, world, codes)
    set_phase(session_factory, world.process_id, "funding")
    assert "open only while voting" in client.get(link).text
    r = client.post(
        f"/processes/{world.process_id}/survey",
        headers=ORIGIN,
        data={"k": link.rsplit("/", 1)[1], "age_band": "18_24"},
    )
    assert r.status_code == 409 and answers(session_factory, world.process_id) == []


def test_organizers_ask_their_own_questions_in_each_language(
    client, organizer, world, codes, session_factory
):
    with session_factory() as s:
        s.get(Process, world.process_id).languages = ["en", "es"]
        s.commit()
    sign_in(client, organizer)
    form = {
        "q1_text_en": "Do you rent your home?",
        "q1_text_es": "¿Alquila su vivienda?",
        "q1_options_en": "Rent\nOwn\nOther",
        "q1_options_es": "Alquilo\nEs mía\nOtro",
    }
    short = {**form, "q1_options_es": "Alquilo\nEs mía"}
    r = client.post(
        f"/organize/processes/{world.process_id}/equity/survey", headers=ORIGIN, data=short
    )
    assert r.status_code == 422 and "same number of answers" in r.text
    r = client.post(
        f"/organize/processes/{world.process_id}/equity/survey", headers=ORIGIN, data=form
    )
    assert r.status_code == 200 and "1 extra questions" in r.text
    client.cookies.clear()
    link = invitation(client, world, codes)
    page = client.get(link + "?lang=es")
    assert "¿Alquila su vivienda?" in page.text and "Es mía" in page.text
    qid = re.search(r'name="q(\d+)" value="1"', page.text).group(1)
    r = client.post(
        f"/processes/{world.process_id}/survey",
        headers=ORIGIN,
        data={"k": link.rsplit("/", 1)[1], f"q{qid}": "1"},
    )
    assert r.status_code == 200
    assert answers(session_factory, world.process_id) == [(None, None, {qid: 1})]
    sign_in(client, organizer)
    r = client.post(
        f"/organize/processes/{world.process_id}/equity/survey", headers=ORIGIN, data=form
    )
    assert r.status_code == 409 and "ya no se pueden cambiar" in r.text  # the lang cookie


def test_small_counts_are_never_shown_on_the_staff_page(client, organizer, world, session_factory):
    for band, n in (("18_24", 9), ("25_34", 12), ("35_44", 30)):
        answer_survey(session_factory, world.process_id, n, age_band=band)
    sign_in(client, organizer)
    page = client.get(f"/organize/processes/{world.process_id}/equity").text
    ages = page[page.index("Age groups") : page.index("Downloads")]
    cells = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="num">([^<]+)</td>', ages))
    # 9 is hidden, and so are the empty bands: the total cannot tell which hides what
    assert cells["18 to 24"] == "fewer than 10" and cells["65 or older"] == "fewer than 10"
    assert cells["25 to 34"] == "12" and cells["35 to 44"] == "30"
    assert "Counts under 10 are never shown" in page


def test_suppression_hides_a_lone_small_count_and_its_neighbour():
    assert equity.suppressed({"a": 9, "b": 12, "c": 30}) == {"a": None, "b": None, "c": 30}
    assert equity.suppressed({"a": 9, "b": 3, "c": 30}) == {"a": None, "b": None, "c": 30}
    assert equity.suppressed({"a": 10, "b": 12}) == {"a": 10, "b": 12}
    assert equity.suppressed({"a": 4}) == {"a": None}


def test_moving_to_funding_rewrites_the_answers_in_key_order(
    client, organizer, world, session_factory
):
    from app.audit import Actor
    from app.processes import service as processes
    from app.processes.phases import Phase
    from tests.helpers import store_ballot

    store_ballot(session_factory, world.process_id, world.proposals[:3])  # the count needs one
    with session_factory() as s:
        process = s.get(Process, world.process_id)
        for n in range(15):
            equity.record_answer(
                session=s,
                secret_key="k",
                process=process,
                token=equity.survey_token("k", process.id, receipt=f"R-{n}"),
                age_band=equity.AGE_BANDS[n % 7],
                neighborhood=None,
                answers={},
            )
        s.commit()
        before = sorted(s.execute(select(SurveyAnswer.id, SurveyAnswer.age_band)).all())
        processes.transition(
            session=s,
            actor=Actor(role="organizer", user_id=organizer.user.id),
            process_id=world.process_id,
            to=Phase.funding,
            reason="Vote over.",
        )
        s.commit()
        assert sorted(s.execute(select(SurveyAnswer.id, SurveyAnswer.age_band)).all()) == before


def test_a_kiosk_voter_answers_on_the_kiosk_and_it_comes_back_to_the_kiosk(
    client, poll_worker, world, session_factory
):
    from tests.voting.test_kiosk_pages import open_kiosk, ranks, start, ticket_for

    open_kiosk(client, poll_worker, world.sites[0])
    assert start(client, ticket_for(client, poll_worker, world)).status_code == 303
    client.post("/kiosk/cast", data=ranks(world), headers=ORIGIN, follow_redirects=False)
    done = client.get("/kiosk/done", follow_redirects=False)
    link = INVITE.search(done.text).group(1)
    page = client.get(link)
    assert 'content="180;url=/kiosk"' in page.text and 'href="/kiosk">Back' in page.text
    r = client.post(
        f"/processes/{world.process_id}/survey",
        headers=ORIGIN,
        data={"k": link.rsplit("/", 1)[1], "age_band": "45_54"},
    )
    assert r.status_code == 200 and 'content="10;url=/kiosk"' in r.text
    assert answers(session_factory, world.process_id) == [("45_54", None, {})]


def test_the_neighbourhood_table_hides_what_the_survey_table_hides(
    client, organizer, world, session_factory
):
    sign_in(client, organizer)
    assert upload(client, world.process_id, POPULATION).status_code == 200
    for place, n in (("North", 9), ("South", 12), ("East", 30), ("elsewhere", 15)):
        answer_survey(session_factory, world.process_id, n, neighborhood=place)
    page = client.get(f"/organize/processes/{world.process_id}/equity").text
    for name, shown in (("North", "fewer than 10"), ("South", "fewer than 10"), ("East", "30")):
        row = re.search(rf'<th scope="row">{name}.*?</tr>', page, re.S).group(0)
        assert re.search(rf'<td class="num"[^>]*>{shown}</td>\s*</tr>$', row), name
        where = page[page.index("Where those who answered") :]
        assert f'<th scope="row">{name}</th><td class="num">{shown}</td>' in where
