"""Property tests for every HTML form handler: arbitrary text in any field, never a 5xx.

Each POST page of the app gets forms whose fields are any subset of the names the
templates use, each holding any text (digits of other scripts, huge numbers, dates
that are not dates, control characters), sent by the signed-in person the page is for,
in a phase where the page does its work.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_phase_matrix import ALLOWED, PHASES, Process, build

# Generated forms for every POST page: in the full suite, not in --fast.
pytestmark = pytest.mark.slow

FIELDS = [
    "access_code", "action", "birth_date", "code", "comment", "contact_email",
    "contact_name", "count", "criterion_1", "criterion_2", "description", "email", "flag",
    "kiosk_ticket", "label", "marks", "mode", "name", "neighborhood", "password",
    "postal_code", "rank_1", "rank_2", "rank_3", "reason", "sheet", "sheets", "title", "to",
    "budget", "currency", "ballot_size", "time_zone", "opens_date", "opens_time", "closes_date",
    "closes_time", "count_method", "count_seats", "count_fill", "count_exclusive", "tie_break",
    "count_min_support",
    "languages_shown", "language_en", "name_es", "description_es", "archived",
    "idea", "into", "decision", "event", "language", "category", "contact_phone", "summary",
    "location", "ideas", "lines", "line_0_description", "line_0_amount", "equity_goal",
]  # fmt: skip
PAGES = sorted(path for method, path in ALLOWED if method == "POST" and not path.startswith("/api"))
WHO = {"/organize": "organizer_page", "/station": "worker_page", "/delegate": "delegate_page"}
PLAIN = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
NUMBERISH = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(["¹", "٣", "１", "9" * 5000, "1e3", " 7 ", "0", "-0", "1:1 2:2", "1990-04-02"]),
)
FORMS = st.dictionaries(st.sampled_from(FIELDS), st.one_of(PLAIN, NUMBERISH), max_size=8)


@pytest.mark.parametrize("page", PAGES)
def test_a_form_page_never_answers_5xx(page, app, client, session_factory, make_staff, organizer):
    world = build(app, client, session_factory, make_staff, organizer)
    phases = ALLOWED[("POST", page)] or {"voting"}
    with session_factory() as session:
        process = session.get(Process, world.ids["process_id"])
        process.phase = min(phases, key=PHASES.index)
        process.tie_break_seed = "5eed" * 8
        session.commit()
    who = next((role for prefix, role in WHO.items() if page.startswith(prefix)), "public")
    page_client, _ = world.clients[who]
    ids = {**world.ids, "sheet": 1, "proposal_id": world.ids["proposal_id"], "token": "0" * 43}

    @settings(
        max_examples=10,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(form=FORMS, decision=st.sampled_from(["approve", "return", "x"]))
    def post(form, decision):
        path = page.format(**ids, decision=decision)
        r = page_client.post(
            path,
            data=form,
            headers={"Origin": "http://testserver", "Accept": "text/html"},
            follow_redirects=False,
        )
        assert r.status_code < 500, (path, form, r.text[:300])

    post()
