from tests.voting.conftest import codes, poll_worker, world  # noqa: F401 - the fixtures
