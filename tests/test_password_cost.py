"""The Argon2id cost of password hashes comes from the settings: OWASP's minimum or more in
production, the cheapest argon2 allows under PBVOTE_ENV=test. A hash carries its own cost,
so hashes of any cost verify, and a sign-in re-makes an old hash at today's cost."""

import argon2
import pytest
from argon2 import extract_parameters
from pydantic import ValidationError
from sqlmodel import select

from app.config import Settings
from app.security import hash_password, verify_password
from app.users.models import User

SECRET = "a-real-production-secret-0123456789"


def production() -> Settings:
    return Settings(env="production", secret_key=SECRET)


def test_production_hashes_at_owasps_minimum_or_more():
    settings = production()
    assert (
        settings.password_hash_memory_kib,
        settings.password_hash_time_cost,
        settings.password_hash_parallelism,
    ) == (19 * 1024, 2, 1)
    made = hash_password("correct horse battery", settings=settings)
    assert made.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password("correct horse battery", made, settings=settings)
    # Development machines hash like production unless told otherwise.
    development = Settings(env="development")
    assert hash_password("x", settings=development).startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_only_the_test_environment_is_cheap_and_a_set_cost_wins_there_too():
    cheap = Settings(env="test", secret_key=SECRET)
    assert extract_parameters(hash_password("x", settings=cheap)).memory_cost == 8
    chosen = Settings(env="test", secret_key=SECRET, password_hash_memory_kib=1024)
    assert extract_parameters(hash_password("x", settings=chosen)).memory_cost == 1024


def test_the_cost_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("PBVOTE_SECRET_KEY", SECRET)
    monkeypatch.setenv("PBVOTE_PASSWORD_HASH_MEMORY_KIB", str(32 * 1024))
    monkeypatch.setenv("PBVOTE_PASSWORD_HASH_TIME_COST", "3")
    made = hash_password("x", settings=Settings(env="production"))
    assert made.startswith("$argon2id$v=19$m=32768,t=3,p=1$")


@pytest.mark.parametrize(
    "weaker",
    [{"password_hash_memory_kib": 8 * 1024}, {"password_hash_time_cost": 1}],
    ids=["memory", "passes"],
)
def test_production_refuses_a_cost_below_the_minimum(weaker):
    with pytest.raises(ValidationError, match="at least"):
        Settings(env="production", secret_key=SECRET, **weaker)


def test_hashes_of_any_cost_verify_under_either_settings():
    cheap, strong = Settings(env="test", secret_key=SECRET), production()
    for made_under in (cheap, strong):
        made = hash_password("correct horse battery", settings=made_under)
        for checked_under in (cheap, strong):
            assert verify_password("correct horse battery", made, settings=checked_under)
            assert not verify_password("wrong horse battery", made, settings=checked_under)


@pytest.mark.parametrize("env", ["test", "production"])
def test_an_unknown_account_costs_a_check_at_the_settings_cost(monkeypatch, env):
    """The timing defence: without an account, a hash of the same cost is checked anyway."""
    settings = Settings(env=env, secret_key=SECRET)
    checked: list[str] = []
    verify = argon2.PasswordHasher.verify

    def spy(self, password_hash, password):
        checked.append(password_hash)
        return verify(self, password_hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", spy)
    assert not verify_password("anything at all", None, settings=settings)
    real = hash_password("anything", settings=settings)
    assert len(checked) == 1
    assert extract_parameters(checked[0]) == extract_parameters(real)


def test_a_sign_in_remakes_an_older_hash_at_todays_cost(client, organizer, session):
    old = hash_password(organizer.password, settings=production())
    user = session.get(User, organizer.user.id)
    user.password_hash = old
    session.add(user)
    session.commit()
    body = {"email": organizer.user.email, "password": organizer.password}
    assert client.post("/api/auth/token", json=body).status_code == 200
    session.expire_all()
    stored = session.execute(select(User.password_hash).where(User.id == user.id)).scalar_one()
    assert stored != old and extract_parameters(stored).memory_cost == 8
    assert client.post("/api/auth/token", json=body).status_code == 200
