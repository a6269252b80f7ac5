"""The delegates' proposal editor and the organizers' review: costed lines, translations side
by side, the equity assessment, send for approval, returned with a reason, stale
translations, and approval only with every language and every equity answer."""

import csv
import io
import re

from app.proposals.models import Proposal
from app.users.models import Role
from tests.helpers import count, form_token, refused_by
from tests.proposals.helpers import EQUITY, TRANSLATIONS, create_proposal, developing
from tests.test_organize_page import ORIGIN

QUESTIONS = ("goal", "stakeholders", "benefits", "burdens", "equity_impact", "needs")


def sign_in(client, staff, lands: str) -> None:
    client.cookies.clear()
    r = client.post(
        "/station/login",
        headers=ORIGIN,
        follow_redirects=False,
        data={"email": staff.user.email, "password": staff.password},
    )
    assert r.status_code == 303 and r.headers["location"] == lands


def editor_form(ideas: list[int], **changes) -> dict[str, str]:
    form = {
        "title": "Food recovery",
        "summary": "Bring landfill-bound food to community pantries.",
        "location": "County-wide",
        "category": "Food",
        "ideas": ", ".join(map(str, ideas)),
        "lines": "4",
        "line_0_description": "Refrigerated van",
        "line_0_amount": "15,000",
        "line_1_description": "Driver stipends",
        "line_1_amount": "2500.50",
        "line_2_description": "",
        "line_2_amount": "",
        "line_3_description": "",
        "line_3_amount": "",
        "equity_goal": EQUITY["goal"],
        "equity_benefits": EQUITY["benefits"],
        "tr_es_title": TRANSLATIONS["es"]["title"],
        "tr_es_summary": TRANSLATIONS["es"]["summary"],
        "tr_es_location": "En todo el condado",
        "tr_es_equity_goal": "Menos comida desperdiciada.",
    }
    form.update(changes)
    return form


def complete(form: dict[str, str]) -> dict[str, str]:
    return {
        **form,
        **{f"equity_{q}": a for q, a in EQUITY.items()},
        "tr_vi_title": TRANSLATIONS["vi"]["title"],
        "tr_vi_summary": TRANSLATIONS["vi"]["summary"],
    }


def test_a_delegate_writes_sends_and_sees_it_returned(client, organizer, make_staff, session):
    pid, ideas = developing(client, organizer, ideas=3)
    delegate = make_staff(Role.delegate)
    sign_in(client, delegate, "/delegate")
    assert f"/delegate/processes/{pid}/ranking" in client.get("/delegate").text
    ranking = client.get(f"/delegate/processes/{pid}/ranking")
    assert ranking.status_code == 200
    assert all(f'name="idea" value="{i}"' in ranking.text for i in ideas)
    new = client.get(
        f"/delegate/processes/{pid}/proposals/new", params=[("idea", ideas[0]), ("idea", ideas[2])]
    )
    assert f'value="{ideas[0]}, {ideas[2]}"' in new.text
    assert "Translation: Spanish" in new.text and "Translation: Vietnamese" in new.text
    assert all(f'name="equity_{q}"' in new.text for q in QUESTIONS)

    token = form_token()
    bad_line = client.post(
        f"/delegate/processes/{pid}/proposals/new",
        headers=ORIGIN,
        data={**editor_form([ideas[0]], line_1_amount="lots"), "form_token": token},
    )
    assert bad_line.status_code == 422 and "Cost line 2" in bad_line.text
    assert 'value="lots"' in bad_line.text  # what was typed stays
    assert count(session, Proposal) == 0

    new_form = {**editor_form([ideas[0], ideas[2]]), "form_token": token}
    made = client.post(
        f"/delegate/processes/{pid}/proposals/new",
        headers=ORIGIN,
        data=new_form,
        follow_redirects=False,
    )
    assert made.status_code == 303
    url = made.headers["location"]
    proposal_id = int(url.rsplit("/", 1)[1])
    page = client.get(made.headers["location"])
    assert "Saved." in page.text and "$17,500.50" in page.text
    # The same form sent again (Back + send): no second proposal, the first one shown.
    again = client.post(f"/delegate/processes/{pid}/proposals/new", headers=ORIGIN, data=new_form)
    assert str(again.url).endswith(url) and "made this proposal already" in again.text
    assert count(session, Proposal) == 1
    api = client.get(f"/api/proposals/{proposal_id}", headers=delegate.headers).json()
    assert api["cost_cents"] == 17_500_50
    assert [line["amount_cents"] for line in api["cost_lines"]] == [15_000_00, 2_500_50]
    assert api["idea_ids"] == [ideas[0], ideas[2]]
    assert api["translations"]["es"]["location"] == "En todo el condado"
    assert api["translations"]["es"]["equity_assessment"]["goal"] == "Menos comida desperdiciada."
    assert api["equity_assessment"]["goal"] == EQUITY["goal"]
    assert api["missing_for_ballot"] == [
        "translation:vi",
        "equity:stakeholders",
        "equity:burdens",
        "equity:equity_impact",
        "equity:needs",
    ]
    assert "a translation into Vietnamese" in page.text

    early = client.post(url, headers=ORIGIN, data={**editor_form(ideas[:1]), "action": "send"})
    assert early.status_code == 409 and "needs a translation into vi" in early.text
    assert "stakeholders, burdens, equity_impact, needs" in early.text
    session.expire_all()
    assert session.get(Proposal, proposal_id).status == "draft"

    sent = client.post(
        url, headers=ORIGIN, data={**complete(editor_form(ideas[:1])), "action": "send"}
    )
    assert sent.status_code == 200 and "Sent for approval" in sent.text
    assert "sent for approval" in sent.text and 'name="action"' not in sent.text  # read-only
    session.expire_all()
    assert session.get(Proposal, proposal_id).status == "submitted"
    locked = client.post(url, headers=ORIGIN, data=complete(editor_form(ideas[:1], title="New")))
    assert locked.status_code == 409 and "sent for approval" in locked.text
    # The editor as it was drawn before sending (Back + send): it says what happened.
    stale = {**complete(editor_form(ideas[:1], title="New")), "status": "draft"}
    stale = client.post(url, headers=ORIGIN, data=stale)
    assert stale.status_code == 200 and "is sent for approval now" in stale.text
    assert refused_by(session, delegate.user.id)

    sign_in(client, organizer, "/organize")
    returned = client.post(
        f"/organize/processes/{pid}/proposals/{proposal_id}/return",
        headers=ORIGIN,
        data={"reason": "Add a delivery partner, please."},
    )
    assert returned.status_code == 200 and "went back to the delegates" in returned.text
    sign_in(client, delegate, "/delegate")
    seen = client.get(url)
    assert "Returned by an organizer" in seen.text and "Add a delivery partner" in seen.text
    edited = client.post(
        url, headers=ORIGIN, data=complete(editor_form(ideas[:1], category="Food access"))
    )
    assert edited.status_code == 200 and "Saved." in edited.text
    session.expire_all()
    assert session.get(Proposal, proposal_id).status == "draft"

    sign_in(client, organizer, "/organize")
    approved = client.post(
        f"/organize/processes/{pid}/proposals/{proposal_id}/approve", headers=ORIGIN
    )
    assert approved.status_code == 200 and "is on the ballot as number 1" in approved.text
    sign_in(client, delegate, "/delegate")
    after = client.post(url, headers=ORIGIN, data=complete(editor_form(ideas[:1], title="Later")))
    assert after.status_code == 409 and "on the ballot as number 1" in after.text
    session.expire_all()
    assert session.get(Proposal, proposal_id).title == "Food recovery"


def test_approval_needs_every_language_and_the_equity_assessment(
    client, organizer, make_staff, session
):
    pid, ideas = developing(client, organizer, ideas=1)
    bare = create_proposal(
        client, organizer, pid, ideas, translations={}, equity_assessment=None, title="Bare"
    )
    half = create_proposal(
        client,
        organizer,
        pid,
        ideas,
        translations={"es": TRANSLATIONS["es"]},
        equity_assessment={**EQUITY, "needs": None},
        title="Half",
    )
    r = client.post(f"/api/proposals/{bare['id']}/approve", headers=organizer.headers)
    assert r.status_code == 409 and r.json()["error"] == "proposal_incomplete"
    assert "translation into es, vi" in r.json()["message"]
    assert "goal, stakeholders, benefits, burdens, equity_impact, needs" in r.json()["message"]
    r = client.post(f"/api/proposals/{half['id']}/approve", headers=organizer.headers)
    assert r.status_code == 409 and "into vi " in r.json()["message"]
    assert "questions: needs." in r.json()["message"]

    sign_in(client, organizer, "/organize")
    review = client.get(f"/organize/processes/{pid}/proposals")
    assert review.status_code == 200 and 'aria-current="page">Proposals<' in review.text
    assert "Missing: ES, VI" in review.text and "6 of 6 questions unanswered" in review.text
    assert "Missing: VI" in review.text and "1 of 6 questions unanswered" in review.text
    page = client.post(f"/organize/processes/{pid}/proposals/{half['id']}/approve", headers=ORIGIN)
    assert page.status_code == 409 and "needs a translation into vi" in page.text
    assert session.get(Proposal, half["id"]).status == "draft"

    fixed = client.patch(
        f"/api/proposals/{half['id']}",
        json={"translations": TRANSLATIONS, "equity_assessment": EQUITY},
        headers=organizer.headers,
    )
    assert fixed.status_code == 200 and fixed.json()["missing_for_ballot"] == []
    page = client.post(f"/organize/processes/{pid}/proposals/{half['id']}/approve", headers=ORIGIN)
    assert page.status_code == 200 and "“Half” is on the ballot as number 1." in page.text


def test_a_translation_older_than_its_source_is_flagged(client, organizer, make_staff, session):
    pid, ideas = developing(client, organizer, ideas=1)
    made = create_proposal(client, organizer, pid, ideas)
    assert made["stale_translations"] == []
    r = client.patch(
        f"/api/proposals/{made['id']}",
        json={"summary": "Food from grocers and restaurants to pantries, with a van."},
        headers=organizer.headers,
    )
    assert r.json()["stale_translations"] == ["es", "vi"]
    sign_in(client, organizer, "/organize")
    review = client.get(f"/organize/processes/{pid}/proposals")
    assert "Older than the source text: ES, VI" in review.text
    editor = client.get(f"/delegate/proposals/{made['id']}")
    assert len(re.findall(r"text changed after this \w", editor.text)) == 2

    # Saving the editor with the Spanish text changed freshens Spanish only.
    form = complete(
        editor_form(
            ideas,
            summary="Food from grocers and restaurants to pantries, with a van.",
            tr_es_summary="Comida de tiendas y restaurantes a las despensas, con una camioneta.",
        )
    )
    form["tr_vi_summary"] = TRANSLATIONS["vi"]["summary"]
    form["tr_es_location"] = ""
    form["location"] = ""
    client.post(f"/delegate/proposals/{made['id']}", headers=ORIGIN, data=form)
    r = client.get(f"/api/proposals/{made['id']}", headers=organizer.headers)
    assert r.json()["stale_translations"] == ["vi"]
    # A change of the category (not translated) stales nothing more; a vi edit clears it.
    r = client.patch(
        f"/api/proposals/{made['id']}",
        json={
            "category": "Food",
            "translations": {
                "es": r.json()["translations"]["es"],
                "vi": {"title": "Thu hồi thực phẩm", "summary": "Thực phẩm đến các kho."},
            },
        },
        headers=organizer.headers,
    )
    assert r.json()["stale_translations"] == []


def test_cost_lines_through_the_api(client, organizer):
    pid, ideas = developing(client, organizer, ideas=1)
    lines = [
        {"description": "Van", "amount_cents": 30_000_00},
        {"description": "Fuel", "amount_cents": 1_234_56},
    ]
    made = create_proposal(client, organizer, pid, ideas, cost_cents=None, cost_lines=lines)
    assert made["cost_cents"] == 31_234_56 and made["cost_lines"] == lines
    disagree = client.patch(
        f"/api/proposals/{made['id']}",
        json={"cost_cents": 5, "cost_lines": lines},
        headers=organizer.headers,
    )
    assert disagree.status_code == 422
    whole = client.patch(
        f"/api/proposals/{made['id']}", json={"cost_cents": 40_000_00}, headers=organizer.headers
    )
    assert whole.json()["cost_cents"] == 40_000_00 and whole.json()["cost_lines"] is None


def test_proposals_csv_carries_translations_equity_and_ideas(client, organizer, session):
    pid, ideas = developing(client, organizer, ideas=2)
    spanish = {**TRANSLATIONS["es"], "equity_assessment": {"goal": "Menos desperdicio."}}
    translations = {**TRANSLATIONS, "es": spanish}
    made = create_proposal(client, organizer, pid, ideas, translations=translations)
    client.post(f"/api/proposals/{made['id']}/approve", headers=organizer.headers)
    r = client.get(f"/api/processes/{pid}/exports/proposals.csv", headers=organizer.headers)
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert list(rows[0]) == [
        "ballot_number",
        "proposal_id",
        "title",
        "summary",
        "cost_cents",
        "category",
        "location",
        "title_es",
        "summary_es",
        "location_es",
        "title_vi",
        "summary_vi",
        "location_vi",
        *(f"equity_{q}" for q in QUESTIONS),
        *(f"equity_{q}_{lang}" for lang in ("es", "vi") for q in QUESTIONS),
        "idea_ids",
    ]
    row = rows[0]
    assert row["title_es"] == TRANSLATIONS["es"]["title"]
    assert row["summary_vi"] == TRANSLATIONS["vi"]["summary"]
    assert row["equity_benefits"] == EQUITY["benefits"]
    assert row["equity_goal_es"] == "Menos desperdicio." and row["equity_goal_vi"] == ""
    assert row["idea_ids"] == ";".join(map(str, ideas))


def test_a_translation_older_than_the_record_of_times_is_stale_once_its_source_changes(
    client, organizer, session
):
    pid, ideas = developing(client, organizer, ideas=1)
    made = create_proposal(client, organizer, pid, ideas)
    legacy = session.get(Proposal, made["id"])  # as stored before migration 0020
    legacy.source_updated_at, legacy.translated_at = None, None
    session.add(legacy)
    session.commit()
    url = f"/api/proposals/{made['id']}"
    assert client.get(url, headers=organizer.headers).json()["stale_translations"] == []
    r = client.patch(url, json={"title": "Food rescue"}, headers=organizer.headers)
    assert r.json()["stale_translations"] == ["es", "vi"]


def test_the_ranking_shows_scores_per_criterion_by_language(client, organizer, make_staff):
    pid, ideas = developing(client, organizer, ideas=3)
    # Two of the three ideas scored by one delegate; the third is unscored.
    delegate = make_staff(Role.delegate)
    criteria = [c["id"] for c in client.get(f"/api/processes/{pid}/criteria").json()]
    for idea, values in ((ideas[1], [5, 5, 4, 4]), (ideas[2], [2, 3, 2, 3])):
        r = client.put(
            f"/api/ideas/{idea}/scores/me",
            json={"scores": dict(zip(map(str, criteria), values, strict=True))},
            headers=delegate.headers,
        )
        assert r.status_code == 200, r.text
    sign_in(client, delegate, "/delegate")
    page = client.get(f"/delegate/processes/{pid}/ranking").text
    rows = re.findall(r"<tr>\s*<td><input.*?</tr>", page, re.S)
    order = (ideas[1], ideas[2], ideas[0])
    assert all(f"#{i} " in row for row, i in zip(rows, order, strict=True))
    assert "4.500" in rows[0] and "5.00" in rows[0] and "4.00" in rows[0]
    assert "2.500" in rows[1] and "–" in rows[2]
    assert (
        client.get(f"/delegate/processes/{pid}/ranking?language=vi").text.count('name="idea"') == 0
    )
