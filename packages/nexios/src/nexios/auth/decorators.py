"""``nexios.auth.decorators``: the path newer upstream guides import ``auth`` from (the same as
``nexios.auth.decorator``)."""

from __future__ import annotations

from nexios_auth.decorator import auth

__all__ = ["auth"]
