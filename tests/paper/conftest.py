from dataclasses import dataclass

import pytest

from app.users.models import Role
from tests.voting.helpers import World, build_world


@dataclass
class PaperWorld:
    world: World
    organizer: object
    first: object  # a poll worker at site 0
    second: object  # another poll worker at site 0
    outsider: object  # a poll worker at site 1 only


@pytest.fixture
def paper(client, organizer, make_staff, session_factory) -> PaperWorld:
    world = build_world(session_factory, n_proposals=8, n_sites=2)
    workers = [make_staff(Role.poll_worker) for _ in range(3)]
    for worker, site in zip(workers, [world.sites[0], world.sites[0], world.sites[1]], strict=True):
        r = client.post(
            f"/api/sites/{site}/poll-workers",
            json={"user_id": worker.user.id},
            headers=organizer.headers,
        )
        assert r.status_code == 201, r.text
    return PaperWorld(world, organizer, *workers)
