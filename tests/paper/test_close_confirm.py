"""Closing a paper batch cannot be undone: the station asks first, on a page of its own
(no JavaScript), and the same close sent twice closes once."""

from sqlalchemy import select

from app.paper.models import PaperBatch
from tests.helpers import answered
from tests.paper.test_batches import enter, new_batch
from tests.paper.test_odd_digits import ORIGIN, sign_in


def test_closing_a_batch_asks_first_and_acts_once(client, paper, session):
    batch = new_batch(client, paper, sheets=1)
    for who in (paper.first, paper.second):
        assert enter(client, who, batch, 1).status_code == 201
    sign_in(client, paper.first)
    page = client.get(f"/station/batches/{batch}", follow_redirects=True).text
    assert f'href="/station/batches/{batch}/close"' in page
    assert 'value="close"' not in page  # no one-click close on the batch page
    asked = client.get(f"/station/batches/{batch}/close")
    assert asked.status_code == 200
    assert (
        "this cannot be undone" in asked.text and f'action="/station/batches/{batch}"' in asked.text
    )
    stored = session.execute(select(PaperBatch).where(PaperBatch.id == batch)).scalar_one()
    assert stored.status == "open"  # a look changes nothing
    form = {"action": "close", "status": "open"}
    closed = client.post(
        f"/station/batches/{batch}", headers=ORIGIN, data=form, follow_redirects=False
    )
    assert "The batch is closed." in answered(client, closed).text
    session.refresh(stored)
    assert stored.status == "closed"
    # Back to the confirmation and send again, or reload it: nothing more happens.
    again = client.post(
        f"/station/batches/{batch}", headers=ORIGIN, data=form, follow_redirects=False
    )
    assert "already: nothing changed" in answered(client, again).text
    later = client.get(f"/station/batches/{batch}/close", follow_redirects=False)
    assert later.status_code == 303 and "already" in answered(client, later).text
    spanish = client.get(f"/station/batches/{new_batch(client, paper, sheets=2)}/close?lang=es")
    assert "no se puede deshacer" in spanish.text
