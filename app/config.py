"""Settings from the environment (prefix PBVOTE_)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

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
    # Online ballots one client address (IPv4 whole, IPv6 by /64) may cast in an hour where
    # the rules let a voter in without a code (`identity`): past it the address waits for the
    # next hour. 0 turns the ceiling off. Casts per address are shown on the turnout page.
    online_casts_per_address_per_hour: int = 60
    # Request bodies past these sizes are refused with 413 before anything parses them:
    # JSON and forms are small; file uploads (the paper-ballot CSV import) may be larger.
    max_body_bytes: int = 256 * 1024
    max_upload_bytes: int = 10 * 1024 * 1024
    # A client must send a request's headers within this many seconds (`pbvote serve`,
    # app/server.py) and its body within the other (app/bodylimit.py, answered 408): a
    # connection that trickles holds nothing for long.
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 60.0
    # Served over HTTPS (directly or behind a proxy that ends TLS): every answer then says
    # Strict-Transport-Security, so browsers never ask over plain HTTP again (app/headers.py).
    https: bool = False
    # The API's documentation pages, /docs (Swagger UI) and /redoc: FastAPI's HTML, which
    # loads its scripts from a CDN (app/headers.py). Unset: served only under
    # env=development. /openapi.json, the schema they draw, is served always.
    api_docs: bool | None = None
    # The address residents reach the site at (https://vote.example.org): the receipt's
    # link and QR code are made from it, not from the request's Host header. Unset: the
    # request's own address.
    public_url: str | None = None
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

    @model_validator(mode="after")
    def _public_url(self) -> "Settings":
        if self.public_url is not None:
            address = urlsplit(self.public_url.strip())
            if address.scheme not in ("http", "https") or not address.hostname:
                raise ValueError(
                    "PBVOTE_PUBLIC_URL must be the site's address, e.g. https://vote.example.org"
                )
            if address.query or address.fragment or address.username or address.password:
                raise ValueError("PBVOTE_PUBLIC_URL must be a plain address (no ?, # or login).")
            self.public_url = self.public_url.strip().rstrip("/")
        return self

    @property
    def serves_api_docs(self) -> bool:
        return self.api_docs if self.api_docs is not None else self.env == "development"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
