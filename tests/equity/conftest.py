from tests.voting.conftest import codes, make_poll_worker, poll_worker, world  # noqa: F401
