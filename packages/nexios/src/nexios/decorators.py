"""``nexios.decorators``: upstream Nexios's handler decorators, ``allowed_methods`` and
``catch_exception``. Write them below the route decorator::

    @app.route("/items", methods=["GET", "POST", "PUT"])
    @allowed_methods(["GET", "POST"])
    async def items(request, response): ...
"""

from __future__ import annotations

from ._compat.decorators import allowed_methods, catch_exception

__all__ = ["allowed_methods", "catch_exception"]
