"""Calling user-supplied hooks that may be sync or async."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any


async def call_hook(hook: Callable[..., Any], *args: Any) -> Any:
    """Call ``hook(*args)`` and await the result if it is awaitable.

    A synchronous hook runs inline, not in a thread: user loaders and key lookups are usually
    dictionary reads, and a thread hop per request would cost more than the lookup. Hooks that do
    I/O should be ``async def``.
    """
    result = hook(*args)
    if inspect.isawaitable(result):
        result = await result
    return result


__all__ = ["call_hook"]
