"""Password hashing and signed tokens (one itsdangerous salt per purpose)."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeSerializer

from app.config import Settings
from app.db import utcnow

MIN_PASSWORD_LENGTH = 10
# The staff pages' sign-in cookie (polling station and organizer pages), read by app/auth.py.
STAFF_COOKIE = "pbvote_staff"


@dataclass(frozen=True)
class _Hashing:
    hasher: PasswordHasher
    # Verified against when the account does not exist, so timing does not reveal accounts:
    # made with the same hasher, so it costs what a real account's hash costs.
    dummy_hash: str


@lru_cache
def _hashing(memory_kib: int, time_cost: int, parallelism: int) -> _Hashing:
    hasher = PasswordHasher(memory_cost=memory_kib, time_cost=time_cost, parallelism=parallelism)
    return _Hashing(hasher, hasher.hash("not-a-real-password-but-costs-the-same"))


def password_hasher(settings: Settings) -> PasswordHasher:
    """Argon2id at the settings' cost (see Settings.password_hash_*)."""
    return _of(settings).hasher


def _of(settings: Settings) -> _Hashing:
    return _hashing(
        settings.password_hash_memory_kib,
        settings.password_hash_time_cost,
        settings.password_hash_parallelism,
    )


def hash_password(password: str, *, settings: Settings) -> str:
    return password_hasher(settings).hash(password)


def verify_password(password: str, password_hash: str | None, *, settings: Settings) -> bool:
    """Argon2 reads the cost from the stored hash, so hashes of any cost verify."""
    hashing = _of(settings)
    try:
        ok = hashing.hasher.verify(password_hash or hashing.dummy_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return ok and password_hash is not None


def needs_rehash(password_hash: str, *, settings: Settings) -> bool:
    """The stored hash was made at another cost than the settings' one."""
    return password_hasher(settings).check_needs_rehash(password_hash)


def serializer(secret_key: str, purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=f"pbvote.{purpose}")


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_at: datetime


class TokenError(Exception):
    """The token is forged, altered, malformed or expired; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def issue_access_token(
    *,
    secret_key: str,
    user_id: int,
    ttl: timedelta,
    generation: int = 0,
    now: datetime | None = None,
) -> AccessToken:
    """`generation`: the account's session_generation now; once it changes, the token is
    refused (a wrong one fails safe: the token is refused, never accepted for longer)."""
    expires_at = (now or utcnow()) + ttl
    token = serializer(secret_key, "access-token").dumps(
        # The nonce makes each sign-in its own token, so ending one (revoked_token) ends no other.
        {
            "uid": user_id,
            "exp": int(expires_at.timestamp()),
            "g": generation,
            "n": secrets.token_urlsafe(6),
        }
    )
    return AccessToken(token=token, expires_at=expires_at.replace(microsecond=0))


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    generation: int  # 0 in tokens signed before generations existed


def read_access_token(*, secret_key: str, token: str, now: datetime | None = None) -> int:
    return read_access_claims(secret_key=secret_key, token=token, now=now).user_id


def read_access_claims(*, secret_key: str, token: str, now: datetime | None = None) -> AccessClaims:
    try:
        payload: Any = serializer(secret_key, "access-token").loads(token)
    except BadSignature as exc:
        raise TokenError("The access token is not valid; log in again.") from exc
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("uid"), int)
        or not isinstance(payload.get("exp"), int)
        or not isinstance(payload.get("g", 0), int)
    ):
        raise TokenError("The access token is not valid; log in again.")
    if payload["exp"] <= (now or utcnow()).timestamp():
        raise TokenError("The access token has expired; log in again.")
    return AccessClaims(user_id=payload["uid"], generation=payload.get("g", 0))


def sign_out_token(*, secret_key: str, staff_token: str) -> str:
    """The sign-out form's token, tied to the sign-in it ends: only a page drawn for this
    sign-in can end it (with SameOrigin and the cookie's SameSite=Strict)."""
    key = hashlib.sha256(f"pbvote.sign-out\n{secret_key}".encode()).digest()
    return hmac.new(key, staff_token.encode(), hashlib.sha256).hexdigest()[:32]


def is_sign_out_token(*, secret_key: str, staff_token: str, sent: str) -> bool:
    expected = sign_out_token(secret_key=secret_key, staff_token=staff_token)
    return hmac.compare_digest(expected, sent[:64])


def first_run_token(secret_key: str) -> str:
    """The first-run setup address's token (/setup/<token>): derived from the instance's
    secret, so every app instance on one database prints and accepts the same one, and
    nobody without the secret (or the server's log) can guess it. It opens nothing once
    a staff account exists (app/users/service.py create_first_organizer)."""
    key = hashlib.sha256(f"pbvote.first-run\n{secret_key}".encode()).digest()
    return hmac.new(key, b"first organizer", hashlib.sha256).hexdigest()[:40]
