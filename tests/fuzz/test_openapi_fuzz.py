"""Schema-based fuzzing of the JSON API: generated requests never get a 5xx.

Schemathesis reads /openapi.json and sends requests made from each operation's schema
(and from its edges: wrong types, missing fields, odd strings), each one anonymously
and as an organizer, to the test's app on SQLite and PostgreSQL. Bounded so the suite
stays quick: a few examples per operation, the same ones on every run.
"""

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from app.main import create_app
from app.security import issue_access_token
from app.users.models import User
from tests.conftest import settings_for

# Generated requests for every operation: in the full suite, not in --fast.
pytestmark = pytest.mark.slow
EXAMPLES_PER_OPERATION = 6


def _schema_app():
    # Only to read /openapi.json at collection; the requests go to each test's own app.
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='pbvote-openapi-')) / 'unused.db'}"
    return create_app(settings_for(url), check_schema=False)


# The coverage phase's edge cases (types, bounds, missing fields) stay; probing every
# operation with every other HTTP method is left out (that is a 405, tested elsewhere).
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": False}}}
)
schema = schemathesis.openapi.from_asgi("/openapi.json", _schema_app(), config=CONFIG)


@pytest.fixture
def organizer_headers(session_factory, settings) -> dict[str, str]:
    """An organizer's bearer token, without hashing a password for each operation."""
    with session_factory() as session:
        user = User(
            email="fuzz@example.org", display_name="Fuzz", role="organizer", password_hash="-"
        )
        session.add(user)
        session.commit()
        token = issue_access_token(
            secret_key=settings.secret_key, user_id=user.id, ttl=timedelta(hours=1)
        )
    return {"Authorization": f"Bearer {token.token}"}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_generated_request_gets_a_server_error(case, app, organizer_headers):
    for headers in ({}, organizer_headers):
        response = case.call(app=app, headers=headers)
        assert response.status_code < 500, (case.as_curl_command(headers), response.text[:500])
