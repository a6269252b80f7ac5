"""Phase checks as a dependency: `process_in_phase(*phases)` for routes whose whole purpose
is bound to a phase (and whose process is named in the path).

It answers 404 for a missing process and 409 `wrong_phase` for the wrong phase, before the
route runs; the refusal goes through the error handlers, so a signed-in staff member's is
audited like any other. Declare it after the route's sign-in dependency, so an anonymous
caller still hears 401 first.

Not every phase check can be one: a check that must hold until the transaction commits
(an idea accepted, criteria or rules changed, a ballot cast, a proposal approved, a phase
changed) is made in the service, under the process row lock, where a concurrent phase
change cannot slip between the check and the write. Those stay where they are.
"""

from collections.abc import Callable

from fastapi import Path

from app.db import SessionDep
from app.errors import Conflict
from app.processes import service
from app.processes.models import Process
from app.processes.phases import ORDER, Phase

ProcessId = Path(ge=1, le=2**31 - 1, description="The PB process id")


def process_in_phase(
    *phases: Phase, refusal: str | None = None, action: str | None = None
) -> Callable[..., Process]:
    """Dependency: the process of the path, which must be in one of `phases`.

    `refusal` says what cannot be done, ending with "; the process is in {phase}."
    (formatted with the process's phase); `action` names the refusal in the audit log
    (target `process:<id>`), as the services' own phase refusals do."""
    allowed = frozenset(p.value for p in phases)
    names = " or ".join(p.value for p in ORDER if p.value in allowed)
    said = refusal or f"This can only be done while the process is in {names}; it is in {{phase}}."

    def in_phase(session: SessionDep, process_id: int = ProcessId) -> Process:
        process = service.get_process(session=session, process_id=process_id)
        if process.phase not in allowed:
            raise Conflict(
                said.format(phase=process.phase),
                code="wrong_phase",
                audit=(action, f"process:{process.id}") if action else None,
            )
        return process

    return in_phase
