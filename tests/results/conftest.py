import pytest

from tests.paper.conftest import paper  # noqa: F401 - the same world: a process in voting
from tests.voting.conftest import codes  # noqa: F401
from tests.voting.helpers import set_phase


@pytest.fixture
def world(paper, session_factory):  # noqa: F811
    # The world was put in voting directly; a real opening draws the tie-break seed.
    set_phase(
        session_factory,
        paper.world.process_id,
        "voting",
        tie_break_seed="0123456789abcdef0123456789abcdef",
    )
    return paper.world
