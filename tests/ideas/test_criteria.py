import pytest
from sqlalchemy import func, select, text

from app import migrate
from app.db import make_engine
from app.ideas.models import Criterion
from app.users.models import Role
from tests.ideas.helpers import advance, create_process, refusals

RMAPI = [
    ("Need", "Is the need high?"),
    ("Feasibility", "How feasible is the project?"),
    ("Equity", "How equitable is the project?"),
    (
        "Guiding principles",
        "How well does it fit the guiding principles (addressing structural racism, "
        "addressing trauma, building community)?",
    ),
]


def test_new_process_has_rmapi_criteria(client, organizer):
    pid = create_process(client, organizer)["id"]
    r = client.get(f"/api/processes/{pid}/criteria")
    assert r.status_code == 200
    assert [(c["name"], c["description"]) for c in r.json()] == RMAPI
    assert [c["weight"] for c in r.json()] == [1, 1, 1, 1]
    assert [c["position"] for c in r.json()] == [1, 2, 3, 4]
    assert client.get("/api/processes/999999/criteria").status_code == 404


def test_organizer_edits_adds_removes_and_reorders_in_design(client, organizer, session):
    pid = create_process(client, organizer)["id"]
    need, feasibility, equity, principles = client.get(f"/api/processes/{pid}/criteria").json()
    body = {
        "criteria": [
            {"id": equity["id"], "name": "Equity", "description": "Who gains?", "weight": 3},
            {"id": need["id"], "name": "Need", "weight": 2},
            {"name": "Cost", "description": "Is it good value?", "weight": 1},
        ]
    }
    r = client.put(f"/api/processes/{pid}/criteria", json=body, headers=organizer.headers)
    assert r.status_code == 200, r.text
    got = client.get(f"/api/processes/{pid}/criteria").json()
    assert [(c["name"], c["weight"], c["position"]) for c in got] == [
        ("Equity", 3, 1),
        ("Need", 2, 2),
        ("Cost", 1, 3),
    ]
    assert got[0]["id"] == equity["id"] and got[0]["description"] == "Who gains?"
    stored = session.execute(select(func.count()).where(Criterion.process_id == pid)).scalar_one()
    assert stored == 3


@pytest.mark.parametrize(
    "criteria, field",
    [
        ([], "criteria"),
        ([{"name": "Need", "weight": 0}], "criteria.0.weight"),
        ([{"name": "Need", "weight": -1}], "criteria.0.weight"),
        ([{"name": "Need", "weight": 1.5}], "criteria.0.weight"),
        ([{"name": "Need", "weight": "2"}], "criteria.0.weight"),
        ([{"name": "Need", "weight": 101}], "criteria.0.weight"),
        ([{"name": "", "weight": 1}], "criteria.0.name"),
        ([{"name": "x" * 121}], "criteria.0.name"),
        ([{"name": "Need"}, {"name": "need"}], "criteria"),
        ([{"name": "Need", "colour": "red"}], "criteria.0.colour"),
        ([{"id": 999999, "name": "Need"}], "criteria.0.id"),
    ],
)
def test_bad_criteria_refused_nothing_changed(client, organizer, criteria, field):
    pid = create_process(client, organizer)["id"]
    before = client.get(f"/api/processes/{pid}/criteria").json()
    r = client.put(
        f"/api/processes/{pid}/criteria", json={"criteria": criteria}, headers=organizer.headers
    )
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    assert client.get(f"/api/processes/{pid}/criteria").json() == before


def test_other_process_criterion_id_is_refused(client, organizer):
    first = create_process(client, organizer)["id"]
    second = create_process(client, organizer, name="Other")["id"]
    foreign = client.get(f"/api/processes/{second}/criteria").json()[0]["id"]
    body = {"criteria": [{"id": foreign, "name": "Need"}]}
    r = client.put(f"/api/processes/{first}/criteria", json=body, headers=organizer.headers)
    assert r.status_code == 422 and r.json()["error"] == "unknown_criterion"


def test_criteria_frozen_after_design_and_refusal_audited(client, organizer, session):
    pid = create_process(client, organizer)["id"]
    advance(client, organizer, pid, "idea_collection")
    before = client.get(f"/api/processes/{pid}/criteria").json()
    body = {"criteria": [{"name": "Need", "weight": 5}]}
    r = client.put(f"/api/processes/{pid}/criteria", json=body, headers=organizer.headers)
    assert r.status_code == 409 and r.json()["error"] == "wrong_phase"
    assert client.get(f"/api/processes/{pid}/criteria").json() == before
    assert refusals(session, "criteria.update", f"process:{pid}") == 1


def test_only_organizers_edit_criteria(client, organizer, make_staff):
    pid = create_process(client, organizer)["id"]
    body = {"criteria": [{"name": "Need"}]}
    assert client.put(f"/api/processes/{pid}/criteria", json=body).status_code == 401
    delegate = make_staff(Role.delegate)
    r = client.put(f"/api/processes/{pid}/criteria", json=body, headers=delegate.headers)
    assert r.status_code == 403
    assert len(client.get(f"/api/processes/{pid}/criteria").json()) == 4


def test_migration_seeds_existing_processes_and_downgrades(fresh_database_url):
    migrate.upgrade(fresh_database_url, "0002")
    engine = make_engine(fresh_database_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO pb_process (name, description, phase, budget_cents, currency, "
                "ballot_size, languages, count_method, tie_break, created_at, updated_at) "
                "VALUES ('Old', '', 'design', 100, 'USD', 5, '[\"en\"]', 'borda', 'seeded', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
    migrate.upgrade(fresh_database_url, "head")
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT position, name, description, weight FROM criterion ORDER BY position")
        ).all()
    assert [(r[1], r[2]) for r in rows] == RMAPI
    assert [r[0] for r in rows] == [1, 2, 3, 4] and {r[3] for r in rows} == {1}
    migrate.downgrade(fresh_database_url, "0002")
    with engine.connect() as conn:
        assert migrate.current_revision(engine) == "0002"
        tables = set(conn.dialect.get_table_names(conn))
    assert not tables & {"criterion", "idea", "delegate_score", "proposal_idea"}
    migrate.upgrade(fresh_database_url, "head")
    engine.dispose()
