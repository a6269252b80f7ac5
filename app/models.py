"""Every table module, imported once so SQLModel.metadata knows them all."""

from app import audit  # noqa: F401
from app.equity import models as _equity  # noqa: F401
from app.ideas import models as _ideas  # noqa: F401
from app.paper import models as _paper  # noqa: F401
from app.processes import models as _processes  # noqa: F401
from app.proposals import models as _proposals  # noqa: F401
from app.results import models as _results  # noqa: F401
from app.sites import models as _sites  # noqa: F401
from app.users import models as _users  # noqa: F401
from app.voting import models as _voting  # noqa: F401
from app.web import models as _web  # noqa: F401


def load_all_models() -> None:
    """Importing this module registered every table; callers say so by calling this."""
