"""Ballots cast per hour, channel and client address: the ceiling on online casts that
need no access code, and the live view on the turnout page.

Under the `identity` rule a ballot online needs only a name, a birth date and a postal
code that the voter attests to. Nothing can tell a made-up person from a real one, so one
client could cast thousands of ballots (10,789 in 90 seconds were measured from one
address). What pbvote can do: cap the online casts from one address per hour
(`PBVOTE_ONLINE_CASTS_PER_ADDRESS_PER_HOUR`, 0 for none), and show organizers the rate by
channel and address block, with an alert, so a burst is seen while voting is open.

The counts carry no ballot id, no participation and no time finer than the hour: they say
how many ballots came from an address, never which. An IPv4 address counts whole; IPv6
counts by its /64 (one household or phone holds a whole /64). Rows older than two days
are dropped as new hours begin.
"""

import ipaddress
import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlmodel import Session

from app.audit import RefusalCount
from app.config import Settings
from app.db import add_to_counter
from app.errors import TooManyRequests
from app.voting.models import CastRate, Channel, CredentialKind

KEPT_FOR = timedelta(hours=48)
SHOWN_FOR = timedelta(hours=24)
# An address block whose casts in one hour reach this share of the ceiling is flagged.
ALERT_SHARE = 0.5
UNKNOWN = "unknown"


def address_key(host: str | None) -> str:
    """The address a cast is counted under: IPv4 whole, IPv6 by its /64."""
    try:
        ip = ipaddress.ip_address((host or "").split("%")[0])
    except ValueError:
        return UNKNOWN
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def block_of(address: str) -> str:
    """The block an address belongs to on the turnout page: IPv4 /24, IPv6 /48."""
    if address == UNKNOWN:
        return UNKNOWN
    network = ipaddress.ip_network(address, strict=False)
    prefix = 24 if network.version == 4 else 48
    return str(network.supernet(new_prefix=prefix))


def hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def count_cast(
    *,
    session: Session,
    settings: Settings,
    process_id: int,
    channel: Channel,
    credential: CredentialKind,
    client: str | None,
    now: datetime,
) -> None:
    """Counts one cast in the cast's own transaction (a refused cast counts nothing) and
    refuses an online cast without a code past the ceiling for its address this hour."""
    if client is None:  # cast by the demo loader or a command, not over the network
        return
    hour = hour_of(now)
    table = CastRate.__table__  # type: ignore[attr-defined]
    keys = {
        "process_id": process_id,
        "hour": hour,
        "channel": channel.value,
        "address": address_key(client),
    }
    casts = add_to_counter(session, table, keys, "casts")
    if casts == 1:  # a new hour for this address: drop what is older than two days
        session.execute(
            delete(table).where(table.c.process_id == process_id, table.c.hour < hour - KEPT_FOR)
        )
    limit = settings.online_casts_per_address_per_hour
    # An address that is not one (a Unix socket, a proxy that sends none) is counted but
    # never refused: every voter behind it would share its ceiling.
    if (
        limit
        and casts > limit
        and channel is Channel.online
        and credential is CredentialKind.identity
        and keys["address"] != UNKNOWN
    ):
        wait = int((hour + timedelta(hours=1) - now).total_seconds()) + 1
        raise TooManyRequests(
            f"{limit} ballots have been cast from this internet address this hour, the most "
            f"one address may cast. Try again in {wait // 60 + 1} minutes, or vote at a "
            "voting site.",
            code="cast_rate",
            headers={"Retry-After": str(wait)},
            audit=("ballot.cast", f"process:{process_id}"),
        )


def cast_rate_view(
    *, session: Session, settings: Settings, process_id: int, credential: str, now: datetime
) -> dict[str, Any]:
    """What the turnout page shows: casts by channel this hour and over the last day,
    the busiest address blocks, and, where voters need no code (`identity`), which of
    them come near the ceiling (under `code` a busy network is a hall full of voters)."""
    hour = hour_of(now)
    rows = session.execute(
        select(CastRate.hour, CastRate.channel, CastRate.address, CastRate.casts).where(
            CastRate.process_id == process_id, CastRate.hour > hour - SHOWN_FOR
        )
    ).all()
    by_channel: dict[str, dict[str, int]] = {}
    blocks: dict[str, dict[str, Any]] = {}
    limit = settings.online_casts_per_address_per_hour
    for row in rows:
        channel = by_channel.setdefault(row.channel, {"hour": 0, "day": 0})
        channel["day"] += row.casts
        block = blocks.setdefault(
            block_of(row.address),
            {"block": block_of(row.address), "hour": 0, "day": 0, "peak": 0, "channels": set()},
        )
        block["day"] += row.casts
        block["channels"].add(row.channel)
        if row.hour == hour:
            channel["hour"] += row.casts
            block["hour"] += row.casts
        if row.channel == Channel.online.value:
            block["peak"] = max(block["peak"], row.casts)
    watched = limit and credential == CredentialKind.identity.value
    threshold = max(2, math.ceil(limit * ALERT_SHARE)) if watched else None
    for block in blocks.values():
        block["channels"] = sorted(block["channels"])
        block["alert"] = threshold is not None and block["peak"] >= threshold
    busiest = sorted(blocks.values(), key=lambda b: (-b["day"], b["block"]))[:10]
    return {
        "limit": limit,
        "threshold": threshold,
        "channels": dict(sorted(by_channel.items())),
        "busiest": busiest,
        "alerts": [b for b in busiest if b["alert"]],
        "blocks": len(blocks),
        "refused_hour": _refused_this_hour(session, hour),
    }


def _refused_this_hour(session: Session, hour: datetime) -> int:
    return int(
        session.execute(
            select(func.coalesce(func.sum(RefusalCount.count), 0)).where(
                RefusalCount.hour == hour, RefusalCount.kind.like("% cast_rate")
            )
        ).scalar_one()
    )
