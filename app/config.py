"""Settings from the environment (prefix PBVOTE_)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "change-me"
REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PBVOTE_", extra="ignore")

    env: Literal["development", "test", "production"] = "production"
    database_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'pbvote.db'}"
    secret_key: str = DEFAULT_SECRET
    token_ttl_minutes: int = 8 * 60
    # Failed logins per account or per client address before each try must wait.
    login_free_failures: int = 5
    login_lockout_base_seconds: int = 30
    login_lockout_max_seconds: int = 15 * 60
    # Request bodies past these sizes are refused with 413 before anything parses them:
    # JSON and forms are small; file uploads (the paper-ballot CSV import) may be larger.
    max_body_bytes: int = 256 * 1024
    max_upload_bytes: int = 10 * 1024 * 1024
    # Served over HTTPS (directly or behind a proxy that ends TLS): every answer then says
    # Strict-Transport-Security, so browsers never ask over plain HTTP again (app/headers.py).
    https: bool = False

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

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
