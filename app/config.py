"""Settings from the environment (prefix PBVOTE_)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "change-me"
REPO_ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_PASSWORD_COST = {
    "password_hash_memory_kib": 19 * 1024,
    "password_hash_time_cost": 2,
    "password_hash_parallelism": 1,
}
# argon2's floor (argon2.profiles.CHEAPEST): a hash in microseconds, for tests only.
TEST_PASSWORD_COST = {
    "password_hash_memory_kib": 8,
    "password_hash_time_cost": 1,
    "password_hash_parallelism": 1,
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PBVOTE_", extra="ignore")

    env: Literal["development", "test", "production"] = "production"
    database_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'pbvote.db'}"
    secret_key: str = DEFAULT_SECRET
    token_ttl_minutes: int = 8 * 60
    # Failed logins per account from one client address before each try from there must wait
    # (an attacker slows only themself), and failed logins or access codes per client address
    # (any account): a much higher ceiling, as a library or a carrier's CGNAT is one address.
    login_free_failures: int = 5
    throttle_address_free_failures: int = 100
    login_lockout_base_seconds: int = 30
    login_lockout_max_seconds: int = 15 * 60
    # Request bodies past these sizes are refused with 413 before anything parses them:
    # JSON and forms are small; file uploads (the paper-ballot CSV import) may be larger.
    max_body_bytes: int = 256 * 1024
    max_upload_bytes: int = 10 * 1024 * 1024
    # Served over HTTPS (directly or behind a proxy that ends TLS): every answer then says
    # Strict-Transport-Security, so browsers never ask over plain HTTP again (app/headers.py).
    https: bool = False
    # The reverse proxies (IPs or CIDRs, comma-separated, or *) whose X-Forwarded-For and
    # X-Forwarded-Proto `pbvote serve` believes. Empty: no proxy is believed, and the client
    # address is the connection's. Behind a proxy, name it: else every request seems to come
    # from the proxy, and the per-address limits fall on everyone at once.
    forwarded_allow_ips: str = ""
    # Argon2id cost of new password hashes (a stored hash keeps the cost it was made with and
    # is re-made at this cost on its next sign-in). 19 MiB and 2 passes is OWASP's minimum;
    # production refuses less. Under env=test, unless set, the cheapest cost argon2 allows.
    password_hash_memory_kib: int = PRODUCTION_PASSWORD_COST["password_hash_memory_kib"]
    password_hash_time_cost: int = PRODUCTION_PASSWORD_COST["password_hash_time_cost"]
    password_hash_parallelism: int = PRODUCTION_PASSWORD_COST["password_hash_parallelism"]

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        if self.env != "development" and (not self.secret_key or self.secret_key == DEFAULT_SECRET):
            raise ValueError(
                "PBVOTE_SECRET_KEY is empty or the default: set a long random value "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`), "
                "or set PBVOTE_ENV=development on a development machine."
            )
        if len(self.secret_key) < 16 and self.env == "production":
            raise ValueError("PBVOTE_SECRET_KEY must be at least 16 characters in production.")
        return self

    @model_validator(mode="after")
    def _password_cost(self) -> "Settings":
        if self.env == "test":
            for name, cheap in TEST_PASSWORD_COST.items():
                if name not in self.model_fields_set:
                    setattr(self, name, cheap)
        if self.env == "production":
            for name, least in PRODUCTION_PASSWORD_COST.items():
                if getattr(self, name) < least:
                    raise ValueError(
                        f"PBVOTE_{name.upper()} must be at least {least} in production "
                        "(OWASP's minimum for Argon2id is 19 MiB and 2 passes)."
                    )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
