import pytest

from app.users.models import Role
from tests.voting.helpers import build_world


@pytest.fixture
def world(session_factory):
    return build_world(session_factory)


@pytest.fixture
def codes(client, organizer, world):
    """Ten fresh access codes of the world's process."""

    def make(count: int = 10, label: str = "mail-1", process_id: int | None = None) -> list[str]:
        r = client.post(
            f"/api/processes/{process_id or world.process_id}/access-codes",
            json={"count": count, "label": label},
            headers=organizer.headers,
        )
        assert r.status_code == 201, r.text
        return r.json()["codes"]

    return make


@pytest.fixture
def make_poll_worker(client, organizer, make_staff):
    """make_poll_worker(site_id): a new poll worker, assigned to that site."""

    def make(site_id: int):
        worker = make_staff(Role.poll_worker)
        r = client.post(
            f"/api/sites/{site_id}/poll-workers",
            json={"user_id": worker.user.id},
            headers=organizer.headers,
        )
        assert r.status_code == 201, r.text
        return worker

    return make


@pytest.fixture
def poll_worker(make_poll_worker, world):
    """A poll worker assigned to the world's first site."""
    return make_poll_worker(world.sites[0])
