"""``template_context``: upstream Nexios' middleware putting shared variables in every template.

::

    app.add_middleware(template_context({"site": "Books"}, context_processor=current_user))

For each request it stores ``request.state.template_context``: ``default_context``, what
``context_processor(request)`` returns (sync or async), and ``request``, ``url_for`` and
``csrf_token``/``csrf_input``. ``render``/``response.render`` add it to the context (upstream
Nexios let it win over the context a handler passes, and so does this). An engine's own
``context_processor`` decorator does the same without a middleware.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from nexios_core import CallNext, Request, Response

from ._context import base_context


def template_context(default_context: Mapping[str, Any] | None = None,
                     context_processor: Callable[[Any], Any] | None = None) -> Callable[..., Any]:
    """A ``(request, response, call_next)`` middleware filling ``request.state.template_context``."""
    defaults = dict(default_context or {})

    async def add_template_context(request: Request, response: Response, call_next: CallNext) -> Any:
        context = dict(defaults)
        if context_processor is not None:
            extra = context_processor(request)
            if inspect.isawaitable(extra):
                extra = await extra
            context.update(extra or {})
        context.update(base_context(request))
        request.state["template_context"] = context
        return await call_next()

    return add_template_context


__all__ = ["template_context"]
