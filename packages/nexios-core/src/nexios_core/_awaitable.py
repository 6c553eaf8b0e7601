"""A value that can be awaited as a property or called and awaited, for `await request.json`."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Generator
from typing import Any, Generic, TypeVar

_T = TypeVar("_T")


class AwaitableValue(Generic[_T]):
    """Both ``await request.json`` (the documented form) and ``await request.json()`` work."""

    __slots__ = ("_factory",)

    def __init__(self, factory: Callable[[], Coroutine[Any, Any, _T]]) -> None:
        self._factory = factory

    def __await__(self) -> Generator[Any, None, _T]:
        return self._factory().__await__()

    def __call__(self) -> Coroutine[Any, Any, _T]:
        return self._factory()
