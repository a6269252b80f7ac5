"""The criteria page: add, edit with translations, move, remove, under the API's rules;
delegates read the criteria in their language."""

from app.ideas.models import Criterion
from app.users.models import Role
from tests.helpers import answered, count, form_token, refused_by
from tests.ideas.helpers import advance, create_process, submit_idea
from tests.people.helpers import browser, fill, post, sign_in


def names(client, pid: int) -> list[str]:
    return [c["name"] for c in client.get(f"/api/processes/{pid}/criteria").json()]


def test_an_organizer_edits_the_criteria(client, organizer):
    pid = create_process(client, organizer)["id"]
    sign_in(client, organizer)
    assert names(client, pid) == ["Need", "Feasibility", "Equity", "Guiding principles"]
    cost_form = {
        "name": "Cost",
        "description": "Is it good value?",
        "weight": "2",
        "name_es": "Costo",
        "description_es": "¿Vale lo que cuesta?",
    }
    token = form_token()
    added = answered(
        client, post(client, f"/organize/processes/{pid}/criteria", cost_form, token=token)
    )
    assert added.status_code == 200 and "Cost was added" in added.text
    # Back + Add again: the same form adds nothing twice.
    again = answered(
        client, post(client, f"/organize/processes/{pid}/criteria", cost_form, token=token)
    )
    assert "sent already" in again.text and names(client, pid).count("Cost") == 1
    criteria = client.get(f"/api/processes/{pid}/criteria").json()
    cost = criteria[-1]
    assert cost["weight"] == 2
    assert cost["translations"] == {"es": {"name": "Costo", "description": "¿Vale lo que cuesta?"}}

    page = f"/organize/processes/{pid}/criteria"
    moved = fill(
        client,
        page,
        f"{page}/save",
        {
            f"name-{cost['id']}": "Value",
            f"weight-{cost['id']}": "3",
            f"position-{cost['id']}": "1",
            f"name_es-{cost['id']}": "",
            f"description_es-{cost['id']}": "",
            f"name_vi-{cost['id']}": "Giá trị",
        },
    )
    assert answered(client, moved).status_code == 200
    after = client.get(f"/api/processes/{pid}/criteria").json()
    assert [c["name"] for c in after] == [
        "Value",
        "Need",
        "Feasibility",
        "Equity",
        "Guiding principles",
    ]
    assert after[0]["translations"] == {"vi": {"name": "Giá trị", "description": ""}}
    assert after[0]["id"] == cost["id"]

    need = after[1]["id"]
    removed = answered(client, fill(client, page, f"{page}/save", {f"remove-{need}": "1"}))
    assert removed.status_code == 200 and "1 removed" in removed.text
    assert "Need" not in names(client, pid)


def test_bad_criteria_change_nothing(client, organizer, session):
    pid = create_process(client, organizer)["id"]
    sign_in(client, organizer)
    first = client.get(f"/api/processes/{pid}/criteria").json()[0]
    for url, form in (
        (f"/organize/processes/{pid}/criteria", {"name": "Need"}),  # taken
        (f"/organize/processes/{pid}/criteria", {"name": ""}),
        (f"/organize/processes/{pid}/criteria", {"name": "Big", "weight": "500"}),
        (f"/organize/processes/{pid}/criteria", {"name": "Odd", "weight": "two"}),
    ):
        r = answered(client, post(client, url, form), status=422)
        assert 'role="alert"' in r.text
        if url.endswith("/criteria") and form["name"]:
            assert f'value="{form["name"]}"' in r.text  # the new criterion as typed
    page = f"/organize/processes/{pid}/criteria"
    far = fill(client, page, f"{page}/save", {f"position-{first['id']}": "9"})
    assert "Choose a position from 1 to 4" in answered(client, far, status=422).text
    assert names(client, pid) == ["Need", "Feasibility", "Equity", "Guiding principles"]
    assert len(refused_by(session, organizer.user.id)) == 5
    criteria = client.get(f"/api/processes/{pid}/criteria").json()
    every = {f"remove-{c['id']}": "1" for c in criteria}
    last = fill(client, page, f"{page}/save", every)
    assert "at least one criterion" in answered(client, last, status=422).text
    assert len(names(client, pid)) == 4
    other = create_process(client, organizer)["id"]
    theirs = client.get(f"/api/processes/{other}/criteria").json()
    stray = client.post(
        f"{page}/save",
        headers={"Origin": "http://testserver"},
        data={"criteria": ",".join(str(c["id"]) for c in theirs), "name-1": "X"},
        follow_redirects=False,
    )
    assert answered(client, stray, status=409)
    assert names(client, other)[0] == "Need"


def test_criteria_are_fixed_after_design(client, organizer, session):
    pid = create_process(client, organizer)["id"]
    advance(client, organizer, pid, "idea_collection")
    sign_in(client, organizer)
    page = client.get(f"/organize/processes/{pid}/criteria")
    assert "fixed" in page.text
    assert f'action="/organize/processes/{pid}/criteria' not in page.text  # nothing to send
    r = post(client, f"/organize/processes/{pid}/criteria", {"name": "Late"})
    assert answered(client, r).status_code == 409
    assert count(session, Criterion, Criterion.process_id == pid) == 4


def test_only_organizers_edit_criteria(client, app, organizer, make_staff, session):
    pid = create_process(client, organizer)["id"]
    for role, lands in ((Role.delegate, "/delegate"), (Role.poll_worker, "/station")):
        other = browser(app)
        sign_in(other, make_staff(role), lands)
        assert (
            other.get(f"/organize/processes/{pid}/criteria", follow_redirects=False).status_code
            == 403
        )
        assert (
            post(other, f"/organize/processes/{pid}/criteria", {"name": "Mine"}).status_code == 403
        )
    assert count(session, Criterion, Criterion.process_id == pid) == 4


def test_a_spanish_delegate_reads_the_criteria_in_spanish(client, app, organizer, make_staff):
    pid = create_process(client, organizer)["id"]
    sign_in(client, organizer)
    need = client.get(f"/api/processes/{pid}/criteria").json()[0]
    page = f"/organize/processes/{pid}/criteria"
    fill(
        client,
        page,
        f"{page}/save",
        {
            f"description-{need['id']}": "Is the need high?",
            f"name_es-{need['id']}": "Necesidad",
            f"description_es-{need['id']}": "¿Es grande la necesidad?",
        },
    )
    advance(client, organizer, pid, "idea_collection")
    idea = submit_idea(client, pid, organizer.headers)
    advance(client, organizer, pid, "proposal_development")
    delegate = make_staff(Role.delegate)
    desk = browser(app)
    sign_in(desk, delegate, "/delegate")
    spanish = desk.get(f"/delegate/ideas/{idea['id']}?lang=es").text
    assert "Necesidad" in spanish and "¿Es grande la necesidad?" in spanish
    assert "Is the need high?" in desk.get(f"/delegate/ideas/{idea['id']}?lang=en").text
