"""Arbitrary JSON thrown at the write endpoints: always a 2xx or a clear 4xx, never a 500.

Hypothesis runs every example of a test inside the same function-scoped fixtures, so the
process is set up once per test (in `state`) and reused.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.users.models import Role
from tests.ideas.helpers import criteria_ids
from tests.proposals.helpers import developing

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)
PROPOSAL_FIELDS = [
    "title",
    "summary",
    "cost_cents",
    "idea_ids",
    "translations",
    "equity_assessment",
]
IDEA_FIELDS = ["title", "description", "site_id", "language", "contact_email", "contact_phone"]
fuzz = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def state(client, organizer, make_staff) -> dict:
    pid, ideas = developing(client, organizer, ideas=1)
    return {
        "pid": pid,
        "idea": ideas[0],
        "criteria": criteria_ids(client, pid),
        "delegate": make_staff(Role.delegate),
    }


def assert_not_500(r):
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert r.json()["message"]


@fuzz
@given(body=st.dictionaries(st.sampled_from(PROPOSAL_FIELDS), json_values), raw=json_values)
def test_proposal_endpoints_never_500(client, organizer, state, body, raw):
    url = f"/api/processes/{state['pid']}/proposals"
    assert_not_500(client.post(url, json=body, headers=organizer.headers))
    assert_not_500(client.post(url, json=raw, headers=organizer.headers))
    assert_not_500(client.patch("/api/proposals/1", json=body, headers=organizer.headers))


@fuzz
@given(body=st.dictionaries(st.sampled_from(["scores", "comment"]), json_values))
def test_score_endpoint_never_500(client, state, body):
    scores = body.get("scores")
    if isinstance(scores, dict) and scores:
        # Key some values by real criterion ids, so the values themselves get exercised.
        body["scores"] = dict(zip(map(str, state["criteria"]), scores.values(), strict=False))
    url = f"/api/ideas/{state['idea']}/scores/me"
    assert_not_500(client.put(url, json=body, headers=state["delegate"].headers))


@fuzz
@given(body=st.dictionaries(st.sampled_from(IDEA_FIELDS), json_values))
def test_idea_endpoint_never_500(client, state, body):
    # The process is in proposal_development: validation runs first, then a 409.
    assert_not_500(client.post(f"/api/processes/{state['pid']}/ideas", json=body))
