"""The official result is counted at funding and public only once an organizer publishes it,
now or at a set local time (issue 20): until then no page, API answer or file shows a number,
and each says when results will be published. A set time needs no job: every read compares
it with the clock."""

from datetime import timedelta

import pytest
from sqlalchemy import select

import app.processes.public_pages
import app.results.public_pages
import app.results.service
import app.voting.pages
from app.audit import Actor, AuditEntry
from app.db import utcnow
from app.errors import BadInput
from app.results.models import OfficialResult
from app.results.service import is_published, publish_result
from app.web.i18n import format_moment, translate
from tests.helpers import assert_error, audit_actions, publish_results
from tests.results.test_results_and_exports import cast_online, to_funding
from tests.test_organize_page import ORIGIN, sign_in

FILES = ("ballots.pb", "ballots.csv", "results.json", "results.csv")


def _counted(client, paper, codes) -> int:
    """The world's process in funding: counted, not published."""
    cast_online(client, paper.world, codes)
    to_funding(client, paper, publish=False)
    return paper.world.process_id


def _publish(client, paper, pid: int, **body):
    return client.post(
        f"/api/processes/{pid}/results/publish", json=body, headers=paper.organizer.headers
    )


def _hidden(client, pid: int) -> None:
    """Nothing of the count reaches a resident: the API, the files, the pages."""
    assert_error(client.get(f"/api/processes/{pid}/results"), 403, "not_published")
    assert_error(client.get(f"/api/processes/{pid}/projects"), 403, "not_published")
    for name in FILES:
        assert_error(client.get(f"/api/processes/{pid}/exports/{name}"), 403, "not_published")
        assert client.get(f"/processes/{pid}/exports/{name}").status_code == 403
    for path in (f"/processes/{pid}/results?lang=en", f"/processes/{pid}?lang=en"):
        page = client.get(path)
        assert page.status_code == 200
        assert "Proposal 3" not in page.text and f"/processes/{pid}/exports" not in page.text
    assert f'href="/processes/{pid}/results"' not in client.get(f"/processes/{pid}").text


def test_the_count_is_official_at_funding_and_public_once_published(client, paper, codes, session):
    pid = _counted(client, paper, codes)
    _hidden(client, pid)
    page = client.get(f"/processes/{pid}/results?lang=en").text
    assert translate("en", "results.not_published") in page
    # The organizers have it, official and marked unpublished.
    view = client.get(f"/api/processes/{pid}/results", headers=paper.organizer.headers).json()
    assert view["official"] is True and view["published"] is False and view["publish_at"] is None
    exported = client.get(
        f"/api/processes/{pid}/exports/ballots.pb", headers=paper.organizer.headers
    )
    assert exported.status_code == 200
    sign_in(client, paper.organizer)
    staff = client.get(f"/organize/processes/{pid}/results").text
    assert translate("en", "staff_results.unpublished") in staff
    assert translate("en", "staff_results.publish_now") in staff
    client.cookies.clear()
    # Only an organizer publishes, and it is audited.
    headers = paper.first.headers
    assert_error(
        client.post(f"/api/processes/{pid}/results/publish", json={}, headers=headers), 403
    )
    publish_results(client, paper.organizer.headers, pid)
    assert ("results.publish", "ok") in audit_actions(session)
    assert client.get(f"/api/processes/{pid}/results").json()["published"] is True
    assert client.get(f"/api/processes/{pid}/projects").status_code == 200
    for name in FILES:
        assert client.get(f"/api/processes/{pid}/exports/{name}").status_code == 200
    assert "Proposal 3" in client.get(f"/processes/{pid}/results?lang=en").text
    assert f'href="/processes/{pid}/results"' in client.get(f"/processes/{pid}").text
    assert_error(_publish(client, paper, pid), 409, "already_published")


def test_publication_at_a_set_time_needs_no_job(client, paper, codes, monkeypatch):
    pid = _counted(client, paper, codes)
    at = utcnow().replace(microsecond=0) + timedelta(days=2)
    r = _publish(client, paper, pid, publish_at=at.isoformat())
    assert r.status_code == 200, r.text
    _hidden(client, pid)
    zone = client.get(f"/api/processes/{pid}").json()["time_zone"]
    when = format_moment("en", at, zone)
    for path in (f"/processes/{pid}/results?lang=en", f"/processes/{pid}?lang=en"):
        assert translate("en", "results.publish_on", when=when) in client.get(path).text
    body = client.get(f"/api/processes/{pid}/results").json()
    assert "will be published at" in body["message"]
    # Time passes: each read compares the stored moment with the clock (any instance).
    later = at + timedelta(seconds=1)
    for module in (
        app.results.service,
        app.results.public_pages,
        app.processes.public_pages,
        app.voting.pages,
    ):
        monkeypatch.setattr(module, "utcnow", lambda: later)
    assert client.get(f"/api/processes/{pid}/results").json()["published"] is True
    assert "Proposal 3" in client.get(f"/processes/{pid}/results?lang=en").text
    assert client.get(f"/api/processes/{pid}/exports/ballots.pb").status_code == 200


def test_the_service_with_now_injected(client, paper, codes, session_factory):
    pid = _counted(client, paper, codes)
    now = utcnow()
    actor = Actor.of(paper.organizer.user)
    with session_factory() as session:
        with pytest.raises(BadInput) as refused:
            publish_result(
                session=session, actor=actor, process_id=pid, at=now - timedelta(hours=1), now=now
            )
        assert refused.value.field == "publish_at"
    with session_factory() as session:
        official = publish_result(
            session=session, actor=actor, process_id=pid, at=now + timedelta(hours=1), now=now
        )
        session.commit()
    assert not is_published(official, now)
    assert not is_published(official, now + timedelta(minutes=59))
    assert is_published(official, now + timedelta(hours=1))
    with session_factory() as session:  # moved earlier, before its moment has come
        publish_result(session=session, actor=actor, process_id=pid, now=now + timedelta(minutes=5))
        session.commit()
        stored = session.get(OfficialResult, pid)
        assert stored.publish_at == now + timedelta(minutes=5)
        entries = session.execute(
            select(AuditEntry).where(AuditEntry.action == "results.publish")
        ).scalars()
        assert [e.detail["scheduled"] for e in entries if e.outcome == "ok"] == [True, False]


def test_before_funding_there_is_nothing_to_publish(client, paper, codes):
    pid = paper.world.process_id
    cast_online(client, paper.world, codes)
    assert_error(_publish(client, paper, pid), 409, "wrong_phase")


def test_an_organizer_sets_the_local_time_on_the_results_page(client, paper, codes, session):
    pid = _counted(client, paper, codes)
    sign_in(client, paper.organizer)
    address = f"/organize/processes/{pid}/results"
    empty = client.post(
        address + "/publish", headers=ORIGIN, data={"when": "later"}, follow_redirects=False
    )
    assert empty.status_code == 303
    said = client.get(empty.headers["location"])
    assert said.status_code == 422
    assert translate("en", "staff_results.publish_moment") in said.text
    assert session.get(OfficialResult, pid).publish_at is None
    past = client.post(
        address + "/publish",
        headers=ORIGIN,
        data={"when": "later", "publish_date": "2020-01-01", "publish_time": "09:00"},
        follow_redirects=False,
    )
    refused = client.get(past.headers["location"])
    assert refused.status_code == 422
    assert "is in the past" in refused.text and 'role="alert"' in refused.text
    session.expire_all()
    assert session.get(OfficialResult, pid).publish_at is None
    day = (utcnow() + timedelta(days=3)).date().isoformat()
    sent = client.post(
        address + "/publish",
        headers=ORIGIN,
        data={"when": "later", "publish_date": day, "publish_time": "09:00"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    page = client.get(sent.headers["location"]).text
    assert "The results will be published at" in page and 'id="scheduled"' in page
    session.expire_all()
    stored = session.get(OfficialResult, pid).publish_at
    assert stored is not None and stored.date().isoformat() >= day[:8]
