"""Small helpers shared by the tests."""

import socket
import subprocess
import time
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from app.audit import AuditEntry

# How long a test waits for a subprocess, a server or a thread before it calls it hung.
# Tests wait on readiness (an answer, an exit, a join), never on a fixed time: this limit
# only stops a real hang, far beyond what the slowest loaded machine needs.
HANG_SECONDS = 1800


def free_port() -> int:
    """A TCP port on 127.0.0.1 free now, for a test's server."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_health(
    base_url: str, server: subprocess.Popen, *, log: Callable[[], str] = lambda: ""
) -> None:
    """Returns once the server answers /healthz 200; fails at once if it exits."""
    import httpx

    deadline = time.monotonic() + HANG_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server exited ({server.returncode}): {log()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=30).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server at {base_url} did not answer in {HANG_SECONDS} s: hung")


def count(session: Session, model: Any, *where: Any) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def refused_by(session: Session, user_id: int) -> list[AuditEntry]:
    """The refusals the audit chain holds under this person's name, oldest first."""
    query = select(AuditEntry).where(
        AuditEntry.actor_id == user_id, AuditEntry.outcome == "refused"
    )
    return list(session.execute(query.order_by(AuditEntry.seq)).scalars())


def audit_actions(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
    return [(row.action, row.outcome) for row in rows]


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is a 4xx in pbvote's one error shape."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"error", "message"}, body
    assert isinstance(body["message"], str) and len(body["message"]) > 10, body
    if code is not None:
        assert body["error"] == code, body
    return body


PROCESS = {
    "name": "Eastside PB 2027",
    "description": "Residents decide on $150,000.",
    "budget_cents": 150_000_00,
    "currency": "USD",
    "ballot_size": 5,
    "languages": ["en", "es", "vi"],
}


def publish_results(client: Any, headers: dict[str, str], process_id: int) -> None:
    """An organizer publishes the official result now (it is counted at funding and
    public only once published): for tests about what the public reads after the count."""
    r = client.post(f"/api/processes/{process_id}/results/publish", json={}, headers=headers)
    assert r.status_code == 200, r.text


def put_on_ballot(session_factory: Any, process_id: int, count: int = 5) -> list[int]:
    """Approved proposals with ballot numbers 1..count, so the process may open voting."""
    from app.proposals.models import Proposal

    with session_factory() as session:
        proposals = [
            Proposal(
                process_id=process_id,
                title=f"Project {n}",
                summary="A project.",
                cost_cents=10_000_00,
                status="approved",
                ballot_number=n,
            )
            for n in range(1, count + 1)
        ]
        session.add_all(proposals)
        session.commit()
        return [p.id for p in proposals]


def store_ballot(session_factory: Any, process_id: int, ranking: list[int]) -> None:
    """One ballot row and its voter's participation, as casting stores them (for tests about
    what happens after the vote: the count finds as many ballots as voters)."""
    import secrets

    from app.db import utcnow
    from app.voting.models import Ballot, Participation

    with session_factory() as session:
        session.add(
            Ballot(
                id=secrets.token_hex(16),
                process_id=process_id,
                ranking=ranking,
                channel="online",
                cast_on=utcnow().date(),
            )
        )
        session.add(
            Participation(process_id=process_id, person_key=secrets.token_hex(16), channel="online")
        )
        session.commit()


def form_token() -> str:
    """A new form instance, as a page's `?f=` holds it (app/web/form_token.py)."""
    from app.web.form_token import make_token
    from tests.conftest import TEST_SECRET

    return make_token(TEST_SECRET)


def answered(
    client: Any, response: Any, *, status: int | None = None, headers: dict | None = None
) -> Any:
    """The page a form's 303 leads to, as the browser shows it (the answer must be a 303 to
    a page of this site); `status`: what that page must answer (a refusal's 4xx)."""
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/"), location
    page = client.get(location, headers=headers)
    if status is not None:
        assert page.status_code == status, page.text
    return page


class _Forms(HTMLParser):
    """Each <form>'s action and hidden fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str | None, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form" and (found.get("method") or "").lower() == "post":
            self.forms.append((found.get("action"), {}))
        elif tag == "input" and found.get("type") == "hidden" and self.forms and found.get("name"):
            self.forms[-1][1][found["name"] or ""] = found.get("value") or ""


def hidden_fields(html: str, action: str | None) -> dict[str, str]:
    """What a browser sends besides what is typed: the hidden fields of the page's first POST
    form to `action` (None: the form without an action, which posts to the page itself)."""
    parser = _Forms()
    parser.feed(html)
    for form_action, fields in parser.forms:
        if form_action == action:
            return fields
    raise AssertionError(f"no form posting to {action} on the page")


def send(
    client: Any,
    page: str,
    data: dict[str, str] | None = None,
    *,
    action: str | None = None,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> Any:
    """A page's form as a browser sends it: the page is opened, its form to `action` (or the
    one without an action) filled in with `data` beside its hidden fields, and sent. The
    POST's answer, unfollowed."""
    opened = client.get(page)
    assert opened.status_code == 200, opened.text
    fields = {**hidden_fields(opened.text, action), **(data or {})}
    target = action or str(opened.url).removeprefix(str(client.base_url))
    return client.post(
        target,
        data=fields,
        headers={"Origin": "http://testserver", **(headers or {})},
        follow_redirects=False,
        **kwargs,
    )
