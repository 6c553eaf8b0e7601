"""``nexios.exceptions``: ``HTTPException`` and one subclass per common status."""

from nexios_core.exceptions import *  # noqa: F403
from nexios_core.exceptions import __all__  # noqa: F401
