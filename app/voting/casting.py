"""Group commit for ballots: the casts that arrive together share one transaction.

Every cast appends a `ballot.cast` entry to the audit chain, and appending locks the
chain's one head row until the transaction commits, WAL flush included. With one
transaction per ballot, every cast of every instance queues on that row and the vote
goes one commit at a time (measured: most PostgreSQL backends under load wait on it).

So, per app process: the first cast to arrive writes a transaction at once; the casts
that arrive meanwhile wait and then go together in the next one (up to GROUP_LIMIT),
written by one of their own threads. Each cast runs in its own savepoint, so a refused
cast (a used code, a wrong ranking) is rolled back alone and its voter gets the refusal;
then the group's `ballot.cast` entries are appended at the end (service.audit_casts),
locking the head once, and the group commits once. Nothing changes for a voter:
- a 201 is sent only after the commit that holds the ballot (no acknowledged ballot is
  lost); if that commit fails, every cast of the group gets the error and none is stored;
- one person, one ballot: each cast still spends its code and inserts its participation
  with the same single statements, and the database decides every race as before;
- the secret ballot: a group's ballots and participations share one transaction id,
  which links them less than one transaction per voter did;
- the audit log: one entry per stored ballot, in the transaction that stores it.
"""

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from sqlmodel import Session

from app.voting import service
from app.voting.models import Channel

GROUP_LIMIT = 32

Cast = Callable[[Session], tuple[str, int, Channel]]
"""One voter's cast: does its work in the session, returns (receipt, process id, channel)."""


@dataclass(eq=False)
class _Waiting:
    cast: Cast
    woken: threading.Event = field(default_factory=threading.Event)
    leads: bool = False
    done: bool = False
    receipt: str | None = None
    error: BaseException | None = None


class CastGroups:
    """The casts of one app process; `cast` is called from the request threads."""

    def __init__(
        self,
        open_transaction: Callable[[], Session],
        write_gate: Callable[[], AbstractContextManager[object]],
    ) -> None:
        self._open = open_transaction
        self._gate = write_gate
        self._lock = threading.Lock()
        self._waiting: list[_Waiting] = []
        self._writing = False

    def cast(self, cast: Cast) -> str:
        """The receipt once the ballot is committed, or the cast's refusal raised."""
        me = _Waiting(cast)
        with self._lock:
            self._waiting.append(me)
            if not self._writing:
                self._writing = me.leads = True
        if not me.leads:
            me.woken.wait()  # until my group is written, or it is my turn to write one
        if not me.done:
            self._write_next_group()
        if me.error is not None:
            raise me.error
        assert me.receipt is not None
        return me.receipt

    def _write_next_group(self) -> None:
        with self._lock:
            group = self._waiting[:GROUP_LIMIT]
            del self._waiting[:GROUP_LIMIT]
        try:
            self._write(group)
        finally:
            for waiting in group:
                waiting.done = True
                waiting.woken.set()
            with self._lock:
                if self._waiting:
                    self._waiting[0].leads = True
                    self._waiting[0].woken.set()
                else:
                    self._writing = False

    def _write(self, group: list[_Waiting]) -> None:
        stored: list[tuple[_Waiting, int, Channel]] = []
        try:
            with self._gate(), self._open() as session:
                for waiting in group:
                    try:
                        with session.begin_nested():
                            receipt, process_id, channel = waiting.cast(session)
                    except Exception as refusal:  # rolled back to its savepoint, alone
                        waiting.error = refusal
                        continue
                    waiting.receipt = receipt
                    stored.append((waiting, process_id, channel))
                if stored:
                    service.audit_casts(session=session, casts=[(p, c) for _, p, c in stored])
                    session.commit()
        except BaseException as failure:
            # Nothing of the group is stored: no one may be told otherwise.
            for waiting in group:
                if waiting.error is None:
                    waiting.receipt, waiting.error = None, failure
            if not isinstance(failure, Exception):
                raise
