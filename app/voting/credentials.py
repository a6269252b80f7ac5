"""Voting credentials: access codes, identity keys, kiosk tokens and tickets, receipts.

Access codes are 12 Crockford base32 symbols (no I, L, O, U) from `secrets`, plus one
check symbol: the code's value mod 37, so any single wrong symbol or any swap of two
neighbours changes the check (37 is prime and larger than the alphabet). Codes are only
drawn when that check falls inside the 32 plain symbols, so a code never needs the odd
check symbols `*~$=U` (it costs 0.2 of the 60 bits: about 55 bits of randomness remain,
far beyond guessing with the per-address throttle). Typing is forgiving: case, spaces and
hyphens are ignored, and O/I/L read as 0/1/1.

Everything a voter presents is stored only as a keyed hash (HMAC-SHA256 with the app
secret and a purpose string), so a database copy alone reveals no usable code, ticket,
receipt or identity.
"""

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from itsdangerous import BadSignature

from app.security import serializer

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_SYMBOLS = ALPHABET + "*~$=U"
_VALUE = {symbol: n for n, symbol in enumerate(ALPHABET)}
_VALUE.update({"O": 0, "I": 1, "L": 1})
_CHECK_VALUE = {symbol: n for n, symbol in enumerate(CHECK_SYMBOLS)}
_CHECK_VALUE.update({"O": 0, "I": 1, "L": 1})

CODE_LENGTH = 12
TICKET_LENGTH = 10
RECEIPT_LENGTH = 16
KIOSK_TICKET_TTL = timedelta(minutes=15)  # the default of a process's kiosk_ticket_minutes
# From check-in to opening the ballot at the kiosk (the queue for a one-tablet site); the
# ticket's own clock starts when its ballot is opened.
KIOSK_TICKET_WAIT = timedelta(hours=2)
# An expired, unused ticket stays this long for a poll worker to reissue it, then its
# check-in is released on its own (`voting.release_expired_tickets`).
KIOSK_TICKET_GRACE = timedelta(minutes=30)
KIOSK_TOKEN_TTL = timedelta(hours=24)


class CodeTypo(ValueError):
    """The code is malformed or its check symbol does not match: a typing mistake."""


def keyed_hash(secret_key: str, purpose: str, message: str) -> str:
    return hmac.new(
        secret_key.encode(), f"pbvote.{purpose}\x1f{message}".encode(), hashlib.sha256
    ).hexdigest()


def _check_of(symbols: str) -> int:
    value = 0
    for symbol in symbols:
        value = value * 32 + _VALUE[symbol]
    return value % 37


def _random_symbols(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def _groups(symbols: str, size: int = 4) -> str:
    return "-".join(symbols[i : i + size] for i in range(0, len(symbols), size))


# Two symbols per 10 bits: a million codes are made in seconds, not a minute and a half.
_PAIRS = [ALPHABET[n >> 5] + ALPHABET[n & 31] for n in range(1024)]


def new_access_code() -> str:
    """A fresh code for printing, e.g. `7K3M-Q9TX-2HBD-R`."""
    while True:
        # The 60 bits are the code's value itself, so the check is that value mod 37.
        value = secrets.randbits(5 * CODE_LENGTH)
        check = value % 37
        if check < 32:
            symbols = "".join(_PAIRS[(value >> shift) & 1023] for shift in (50, 40, 30, 20, 10, 0))
            return _groups(symbols + CHECK_SYMBOLS[check])


def canonical_access_code(raw: str) -> str:
    """The 13 symbols of a typed code, or CodeTypo. Touches nothing but the string."""
    text = re.sub(r"[\s\-]", "", raw).upper()
    if len(text) != CODE_LENGTH + 1:
        raise CodeTypo(f"an access code has {CODE_LENGTH + 1} characters")
    body, check = text[:-1], text[-1]
    try:
        symbols = "".join(ALPHABET[_VALUE[s]] for s in body)
        check_value = _CHECK_VALUE[check]
    except KeyError as exc:
        raise CodeTypo("the code has a character that is not used in codes") from exc
    if _check_of(symbols) != check_value:
        raise CodeTypo("the last character does not match the others")
    return symbols + CHECK_SYMBOLS[check_value]


def access_code_hash(secret_key: str, process_id: int, canonical_code: str) -> str:
    return keyed_hash(secret_key, "access-code", f"{process_id}\x1f{canonical_code}")


def _plain_symbols(raw: str) -> str:
    text = re.sub(r"[\s\-]", "", raw).upper()
    return "".join(ALPHABET[_VALUE[s]] if s in _VALUE else "?" for s in text)


def new_kiosk_ticket() -> str:
    return _groups(_random_symbols(TICKET_LENGTH), 5)


def kiosk_ticket_hash(secret_key: str, raw: str) -> str:
    return keyed_hash(secret_key, "kiosk-ticket", _plain_symbols(raw))


def new_receipt() -> str:
    return _groups(_random_symbols(RECEIPT_LENGTH))


def receipt_hash(secret_key: str, process_id: int, raw: str) -> str:
    return keyed_hash(secret_key, "receipt", f"{process_id}\x1f{_plain_symbols(raw)}")


# --- identity -------------------------------------------------------------------------


def normalise_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


_ZIP_PLUS_4 = re.compile(r"([0-9]{5})-?[0-9]{4}")


def normalise_postal_code(postal_code: str) -> str:
    """Spaces and case dropped; a ZIP+4 is its ZIP code, so the +4 cannot make a second
    person of the same voter nor refuse a resident of the area."""
    compact = "".join(postal_code.split()).upper()
    zip_plus_4 = _ZIP_PLUS_4.fullmatch(compact)
    return zip_plus_4.group(1) if zip_plus_4 else compact


def person_key(
    secret_key: str, *, process_id: int, name: str, birth_date: date, postal_code: str
) -> str:
    """One key per person and process: the same person always maps to it, no one else."""
    message = "\x1f".join(
        [
            str(process_id),
            normalise_name(name),
            birth_date.isoformat(),
            normalise_postal_code(postal_code),
        ]
    )
    return keyed_hash(secret_key, "person-key", message)


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# --- kiosk sessions ---------------------------------------------------------------------


@dataclass(frozen=True)
class KioskSession:
    process_id: int
    site_id: int
    expires_at: datetime
    opened_by_id: int  # the poll worker: the kiosk lives while their sign-ins would
    generation: int  # their account's session_generation when they opened it


class KioskTokenError(Exception):
    pass


def issue_kiosk_token(
    secret_key: str,
    *,
    process_id: int,
    site_id: int,
    opened_by_id: int,
    generation: int,
    now: datetime,
) -> tuple[str, datetime]:
    expires_at = (now + KIOSK_TOKEN_TTL).replace(microsecond=0)
    token = serializer(secret_key, "kiosk").dumps(
        {
            "p": process_id,
            "s": site_id,
            "u": opened_by_id,
            "g": generation,
            "exp": int(expires_at.timestamp()),
        }
    )
    return token, expires_at


def read_kiosk_token(secret_key: str, token: str, *, now: datetime) -> KioskSession:
    try:
        payload: Any = serializer(secret_key, "kiosk").loads(token)
    except BadSignature as exc:
        raise KioskTokenError("This kiosk is not signed in; a poll worker must open it.") from exc
    if not isinstance(payload, dict) or not all(
        isinstance(payload.get(k), int) for k in ("p", "s", "u", "g", "exp")
    ):  # a kiosk opened before kiosks named their poll worker must be opened again
        raise KioskTokenError("This kiosk is not signed in; a poll worker must open it.")
    if payload["exp"] <= now.timestamp():
        raise KioskTokenError("This kiosk session has ended; a poll worker must open it again.")
    return KioskSession(
        process_id=payload["p"],
        site_id=payload["s"],
        expires_at=datetime.fromtimestamp(payload["exp"], tz=now.tzinfo),
        opened_by_id=payload["u"],
        generation=payload["g"],
    )
