"""``nexios.session``: sessions, as ``nexios_session`` exports them (its ``__all__``), with
upstream Nexios's names on top: ``SessionMiddleware`` gives sessions with upstream's method names,
and ``BaseSessionInterface`` is upstream's session class (see :mod:`nexios._compat.session`).

Names are read from ``nexios_session`` when first used, so the optional Redis backend still loads
the redis package only when it is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import nexios_session

from .._compat.names import FileSessionInterface as FileSessionInterface
from .._compat.session import BaseSessionInterface as BaseSessionInterface
from .._compat.session import SessionMiddleware as SessionMiddleware

if TYPE_CHECKING:  # the same public names, for type checkers (SessionMiddleware is ours, above)
    from nexios_session import (
        DEFAULT_MAX_AGE as DEFAULT_MAX_AGE,
    )
    from nexios_session import (
        CookieSessionBackend as CookieSessionBackend,
    )
    from nexios_session import (
        FileSessionManager as FileSessionManager,
    )
    from nexios_session import (
        RedisSessionManager as RedisSessionManager,
    )
    from nexios_session import (
        Session as Session,
    )
    from nexios_session import (
        SessionBackend as SessionBackend,
    )
    from nexios_session import (
        SessionCookieTooLarge as SessionCookieTooLarge,
    )
    from nexios_session import (
        SessionDataError as SessionDataError,
    )
    from nexios_session import (
        SessionError as SessionError,
    )
    from nexios_session import (
        SessionSettings as SessionSettings,
    )
    from nexios_session import (
        SignedSessionManager as SignedSessionManager,
    )
    from nexios_session import (
        is_valid_session_id as is_valid_session_id,
    )
    from nexios_session import (
        new_session_id as new_session_id,
    )

__all__ = sorted({*nexios_session.__all__, "BaseSessionInterface", "FileSessionInterface"})


def __getattr__(name: str) -> Any:
    if name in nexios_session.__all__:
        return getattr(nexios_session, name)
    raise AttributeError(f"module 'nexios.session' has no attribute {name!r}")


def __dir__() -> list[str]:
    return list(__all__)
