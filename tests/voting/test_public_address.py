"""The receipt's take-home address and QR code come from PBVOTE_PUBLIC_URL when it is set,
never from the Host header a request was sent with (anyone can send any)."""

import re

import pytest

from app.main import create_app
from app.voting.ballot_steps import qr_svg
from app.web.i18n import translate
from tests.voting.conftest import codes, make_poll_worker, poll_worker, world  # noqa: F401
from tests.voting.test_kiosk_pages import ORIGIN, open_kiosk, ranks, start, ticket_for

SITE = "https://vote.example.org/pb"
FORGED = {"Host": "evil.example"}


@pytest.fixture
def app(settings, engine, session_factory):
    """This module's app has the site's address set."""
    with_address = settings.model_copy(update={"public_url": SITE})
    return create_app(with_address, engine=engine, session_factory=session_factory)


def receipt_of(page) -> str:
    return re.search(r'class="receipt"><code>([^<]+)</code>', page.text).group(1)


def test_a_forged_host_does_not_move_the_kiosk_receipt_address(client, poll_worker, world):  # noqa: F811
    open_kiosk(client, poll_worker, world.sites[0])
    assert start(client, ticket_for(client, poll_worker, world)).status_code == 303
    client.post("/kiosk/cast", data=ranks(world), headers=ORIGIN, follow_redirects=False)
    done = client.get("/kiosk/done", headers=FORGED, follow_redirects=False)
    assert done.status_code == 200
    address = f"{SITE}/processes/{world.process_id}/receipt?code={receipt_of(done)}"
    assert f'<code class="address">{address}</code>' in done.text
    assert str(qr_svg(address, translate("en", "vote.qr_title"))) in done.text
    assert "evil.example" not in done.text


def test_a_forged_host_does_not_move_the_online_receipt_qr(client, world, codes):  # noqa: F811
    (code,) = codes(1)
    pid = world.process_id
    cast = client.post(
        f"/processes/{pid}/vote",
        data={"access_code": code, **ranks(world, 3)},
        follow_redirects=False,
    )
    assert cast.status_code == 303
    done = client.get(f"/processes/{pid}/vote/done", headers=FORGED, follow_redirects=False)
    address = f"{SITE}/processes/{pid}/receipt?code={receipt_of(done)}"
    assert str(qr_svg(address, translate("en", "vote.qr_title"))) in done.text
    assert "evil.example" not in done.text


def test_the_address_must_be_a_plain_site_address(settings):
    assert settings.model_copy().public_url is None  # unset: the request's own address
    for wrong in ("vote.example.org", "ftp://vote.example.org", "https://x.org/?a=1"):
        with pytest.raises(ValueError, match="PBVOTE_PUBLIC_URL"):
            type(settings)(**{**settings.model_dump(), "public_url": wrong})
    fixed = type(settings)(**{**settings.model_dump(), "public_url": " https://x.org/pb/ "})
    assert fixed.public_url == "https://x.org/pb"
