"""What pbvote accepts from outside, checked once for the API and the pages alike.

- Ids in a page's path: beyond 32 bits there is no such row (PostgreSQL refuses the
  comparison outright), so a 404 rather than a database error.
- Text: no NUL character anywhere in a request (PostgreSQL cannot store one in text, and
  no person means to type one); refused with 422 before anything is parsed or stored.
- Numbers typed into forms and CSV files: see app.digits.parse_count.
- Date-times and dates: ISO 8601 text only; a bare number is not silently taken as a
  Unix time (a site opening at `0` would be stored as 1970).
"""

import json
import re
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Request
from pydantic import AfterValidator, BeforeValidator, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from app.digits import parse_count
from app.errors import BadInput, NotFound
from app.ids import MAX_ID

_NUL = "\x00"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _nul_path(value: Any, path: str) -> str | None:
    """Where in a parsed JSON value or form a NUL character sits, or None."""
    if isinstance(value, str):
        return path if _NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if _NUL in str(key):
                return where
            if found := _nul_path(item, where):
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if found := _nul_path(item, f"{path}.{index}" if path else str(index)):
                return found
    return None


def _refuse(field: str | None) -> BadInput:
    field = field.replace(_NUL, "\\u0000") if field is not None else None
    where = f"`{field}`" if field else "the request"
    return BadInput(
        f"The text in {where} contains a NUL character (\\u0000), which no text here may "
        "hold. Remove it and send again.",
        field=field,
        code="nul_character",
    )


async def refuse_unusable_input(request: Request) -> None:
    """App-wide dependency: 422 for a NUL in the path, the query string or the body;
    404 for an id in the path that no row can have (ids are 32-bit in the database)."""
    if not request.url.path.startswith("/api"):  # the API's ids are bounded by their types
        for value in request.path_params.values():
            number = parse_count(value, max_digits=30) if isinstance(value, str) else None
            if number is not None and number > MAX_ID:
                raise NotFound("There is nothing at this address.")
    for source in (request.path_params, request.query_params):
        for key, value in source.items():
            if _NUL in key or _NUL in str(value):
                raise _refuse(key)
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    if request.headers.get("content-type", "").startswith(_FORM_TYPES):
        form = await request.form()  # cached on the request: the route reads the same one
        for key, value in form.multi_items():
            if _NUL in key or (isinstance(value, str) and _NUL in value):
                raise _refuse(key)
        return
    body = await request.body()  # cached on the request, like the form
    if b"\x00" in body:
        raise _refuse(None)
    if b"\\u0000" in body:  # only then is the JSON worth walking for the field
        try:
            found = _nul_path(json.loads(body), "")
        except ValueError:
            return  # not JSON: the route's own parsing refuses it
        if found is not None:
            raise _refuse(found)


# --- date-times ---------------------------------------------------------------------------

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_text(kind: str, example: str):
    def check(value: Any) -> Any:
        if isinstance(value, (date, datetime)) or value is None:
            return value
        if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
            raise ValueError(f"give the {kind} as ISO 8601 text, e.g. {example}")
        return value.strip()

    return check


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("give a timezone, e.g. 2026-05-01T12:00:00Z")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_text("date", "1990-04-02"))]
AwareTime = Annotated[
    datetime | None,
    BeforeValidator(_iso_text("date and time", "2026-05-01T12:00:00Z")),
    AfterValidator(_aware),
]


# --- checks across fields -------------------------------------------------------------------


def field_problem(
    model: str, field: str, message: str, kind: str = "value_error"
) -> ValidationError:
    """A check across fields (a model validator) refused at the field the person must change,
    not at the whole body: raised inside the validator, pydantic keeps its place, so the API
    answers `"field": "closes_at"` and a page names the field ("Closes") instead of nothing."""
    problem = PydanticCustomError(kind, message)
    return ValidationError.from_exception_data(
        model, [InitErrorDetails(type=problem, loc=(field,), input=None)]
    )
