"""The rules page: voting rules, paper rules and the per-process limit on online ideas;
the printable paper-marking rules; the limit never counts staff or kiosks."""

from app.db import utcnow
from app.ideas.models import Idea
from app.users.models import Role
from app.voting import credentials as cred
from app.voting.kiosk_device import KIOSK_COOKIE
from tests.conftest import TEST_SECRET
from tests.helpers import answered, count, form_token, refused_by
from tests.ideas.helpers import advance, create_process
from tests.people.helpers import browser, post, sign_in

IDEA = {"title": "Benches", "description": "Benches at the bus stops."}


def test_an_organizer_sets_the_voting_and_paper_rules(client, organizer, session):
    pid = create_process(client, organizer)["id"]
    sign_in(client, organizer)
    page = client.get(f"/organize/processes/{pid}/rules")
    assert page.status_code == 200 and f"/processes/{pid}/paper-rules" in page.text
    saved = post(
        client,
        f"/organize/processes/{pid}/rules/voting",
        {"credential": "both", "min_age": "14", "postal_codes": "14605, 14606\n14607"},
    )
    assert answered(client, saved).status_code == 200
    rules = client.get(f"/api/processes/{pid}/voting-rules", headers=organizer.headers).json()
    assert rules == {
        "process_id": pid,
        "credential": "both",
        "min_age": 14,
        "postal_codes": ["14605", "14606", "14607"],
    }
    paper = post(
        client,
        f"/organize/processes/{pid}/rules/paper",
        {"overvote": "end_ballot", "skipped_rank": "end_ballot"},
    )
    assert answered(client, paper).status_code == 200
    published = client.get(f"/api/processes/{pid}/paper-rules").json()
    assert (published["overvote"], published["skipped_rank"]) == ("end_ballot", "end_ballot")

    for bad in (
        {"credential": "fingerprint", "min_age": "", "postal_codes": ""},
        {"credential": "code", "min_age": "two", "postal_codes": ""},
        {"credential": "code", "min_age": "200", "postal_codes": ""},
    ):
        r = answered(
            client, post(client, f"/organize/processes/{pid}/rules/voting", bad), status=422
        )
        assert f'value="{bad["min_age"]}"' in r.text or not bad["min_age"]  # as typed
    paper = post(client, f"/organize/processes/{pid}/rules/paper", {"overvote": "x"})
    assert answered(client, paper).status_code == 422
    assert (
        client.get(f"/api/processes/{pid}/voting-rules", headers=organizer.headers).json() == rules
    )
    assert len(refused_by(session, organizer.user.id)) == 4


def test_rules_are_fixed_after_design(client, organizer):
    pid = create_process(client, organizer)["id"]
    advance(client, organizer, pid, "idea_collection")
    sign_in(client, organizer)
    page = client.get(f"/organize/processes/{pid}/rules")
    assert "fieldset disabled" in page.text
    r = post(client, f"/organize/processes/{pid}/rules/voting", {"credential": "identity"})
    assert answered(client, r).status_code == 409
    r = post(
        client,
        f"/organize/processes/{pid}/rules/paper",
        {"overvote": "end_ballot", "skipped_rank": "close_gap"},
    )
    assert answered(client, r).status_code == 409
    assert (
        client.get(f"/api/processes/{pid}/voting-rules", headers=organizer.headers).json()[
            "credential"
        ]
        == "code"
    )


def test_only_organizers_set_rules(client, app, organizer, make_staff):
    pid = create_process(client, organizer)["id"]
    for role, lands in ((Role.delegate, "/delegate"), (Role.poll_worker, "/station")):
        other = browser(app)
        sign_in(other, make_staff(role), lands)
        assert (
            other.get(f"/organize/processes/{pid}/rules", follow_redirects=False).status_code == 403
        )
        r = post(other, f"/organize/processes/{pid}/rules/ideas", {"idea_rate_limit": ""})
        assert r.status_code == 403
    assert client.get(f"/api/processes/{pid}").json().get("phase") == "design"


def test_the_paper_rules_are_published_in_each_language(client, organizer):
    pid = create_process(client, organizer, ballot_size=5)["id"]
    english = client.get(f"/processes/{pid}/paper-rules")
    assert english.status_code == 200
    assert "How paper ballots are counted" in english.text
    assert "that rank is passed over" in english.text  # the default overvote rule
    assert "/static/print-rules.css" in english.text
    spanish = client.get(f"/processes/{pid}/paper-rules?lang=es")
    assert "Cómo se cuentan las boletas de papel" in spanish.text and 'lang="es"' in spanish.text
    vietnamese = client.get(f"/processes/{pid}/paper-rules?lang=vi")
    assert "Cách kiểm phiếu giấy" in vietnamese.text
    css = client.get("/static/print-rules.css")
    assert css.status_code == 200 and "@media print" in css.text
    assert client.get("/processes/999999/paper-rules").status_code == 404


def send_ideas(client, pid: int, n: int) -> list[int]:
    """The idea form sent `n` times, each from its own page: what each answer's page says
    (200 thank you, or the refusal's status)."""
    return [
        client.post(
            f"/processes/{pid}/ideas/new",
            data={**IDEA, "title": f"Idea {i}", "form_token": form_token()},
        ).status_code
        for i in range(n)
    ]


def test_the_idea_limit_is_per_process_and_never_for_staff_or_open_kiosks(
    client, app, organizer, make_staff, session
):
    limited = create_process(client, organizer)["id"]
    other = create_process(client, organizer)["id"]
    sign_in(client, organizer)
    set_ = post(client, f"/organize/processes/{limited}/rules/ideas", {"idea_rate_limit": "2"})
    set_ = answered(client, set_)
    assert set_.status_code == 200 and "2 ideas an hour" in set_.text
    for pid in (limited, other):
        advance(client, organizer, pid, "idea_collection")

    resident = browser(app)
    assert send_ideas(resident, limited, 3) == [200, 200, 429]
    assert send_ideas(resident, other, 3) == [200, 200, 200]  # the default of 20 there

    # A signed-in staff member's browser on the same address is never counted.
    assert send_ideas(client, limited, 3) == [200, 200, 200]
    # Nor an open kiosk's; once its poll worker is taken off its site, it counts as anyone.
    site = client.post(
        f"/api/processes/{limited}/sites",
        json={"name": "Library", "kind": "voting_site", "address": "1 Main St"},
        headers=organizer.headers,
    ).json()["id"]
    worker = make_staff(Role.poll_worker)
    assign = f"/api/sites/{site}/poll-workers"
    client.post(assign, json={"user_id": worker.user.id}, headers=organizer.headers)
    kiosk = browser(app)
    token, _ = cred.issue_kiosk_token(
        TEST_SECRET,
        process_id=limited,
        site_id=site,
        opened_by_id=worker.user.id,
        generation=0,
        now=utcnow(),
    )
    kiosk.cookies.set(KIOSK_COOKIE, token)
    assert send_ideas(kiosk, limited, 3) == [200, 200, 200]
    client.delete(f"{assign}/{worker.user.id}", headers=organizer.headers)
    assert send_ideas(kiosk, limited, 1) == [429]  # the address's limit, as the resident's

    lifted = post(client, f"/organize/processes/{limited}/rules/ideas", {"idea_rate_limit": ""})
    lifted = answered(client, lifted)
    assert lifted.status_code == 200 and "no longer limited" in lifted.text
    assert send_ideas(resident, limited, 3) == [200, 200, 200]
    assert count(session, Idea, Idea.process_id == limited) == 2 + 3 + 3 + 3

    for bad in ("0", "many", "-3"):
        r = post(client, f"/organize/processes/{limited}/rules/ideas", {"idea_rate_limit": bad})
        assert f'value="{bad}"' in answered(client, r, status=422).text
    assert client.put(
        f"/api/processes/{limited}/idea-rate-limit",
        json={"idea_rate_limit": 50},
        headers=organizer.headers,
    ).json() == {"idea_rate_limit": 50}
