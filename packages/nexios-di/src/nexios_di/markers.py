"""Markers that say where a handler or dependency parameter comes from.

``Depend(callable)`` injects what ``callable`` returns (or yields). ``Query``, ``Header``,
``Cookie``, ``Path``, ``Body``, ``Form`` and ``File`` read a request value and validate it against
the parameter's annotation with the given constraints (``ge``, ``max_length``, ``pattern``...,
the names pydantic's ``Field`` takes). The first argument is the default; ``...`` (or leaving it
out) makes the value required.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Literal

DependencyScope = Literal["request", "app"]


class Dependency:
    """Inject the result of ``dependency``.

    - ``use_cache`` (default True): within one request, a dependency used by several parameters
      or nested dependencies runs once and its value is shared.
    - ``blocking`` (default False): a *sync* dependency runs inline on the event loop unless
      marked blocking, then it runs in a worker thread. Mark anything that does I/O.
    - ``scope="app"``: created once (at start-up, or on first use) and shared by every request,
      closed at shutdown. App-scoped dependencies may only depend on other app-scoped ones.

    ``Depend()`` with no callable uses the parameter's annotation (a class) as the dependency.
    """

    __slots__ = ("dependency", "use_cache", "blocking", "scope")

    def __init__(
        self,
        dependency: Callable[..., Any] | None = None,
        *,
        use_cache: bool = True,
        blocking: bool = False,
        scope: DependencyScope = "request",
    ) -> None:
        # A non-callable is refused when the route is registered, where the message can name the
        # handler and the parameter (here neither is known yet).
        if scope not in ("request", "app"):
            raise ValueError("Depend scope must be 'request' or 'app'")
        self.dependency = dependency
        self.use_cache = use_cache
        self.blocking = blocking
        self.scope = scope

    def __repr__(self) -> str:
        name = getattr(self.dependency, "__qualname__", repr(self.dependency))
        return f"Depend({name})"




class Param:
    """Base of the request-value markers. ``source`` says which part of the request is read."""

    source: ClassVar[str] = ""
    __slots__ = ("default", "alias", "description", "title", "examples", "deprecated",
                 "include_in_schema", "constraints")

    def __init__(
        self,
        default: Any = ...,
        *,
        alias: str | None = None,
        description: str | None = None,
        title: str | None = None,
        examples: list[Any] | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        **constraints: Any,
    ) -> None:
        self.default = default
        self.alias = alias
        self.description = description
        self.title = title
        self.examples = examples
        self.deprecated = deprecated
        self.include_in_schema = include_in_schema
        self.constraints = constraints

    @property
    def required(self) -> bool:
        """True when no default was given."""
        return self.default is ...

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.default!r})"


class QueryParam(Param):
    """A query-string value: ``limit: int = Query(10, ge=1, le=100)``. A ``list[...]``
    annotation collects repeated keys."""

    source = "query"
    __slots__ = ()


class HeaderParam(Param):
    """A request header; the name is the parameter's with ``_`` turned into ``-``
    (``user_agent`` reads ``User-Agent``) unless ``alias`` is given."""

    source = "header"
    __slots__ = ("convert_underscores",)

    def __init__(self, default: Any = ..., *, convert_underscores: bool = True, **options: Any) -> None:
        super().__init__(default, **options)
        self.convert_underscores = convert_underscores


class CookieParam(Param):
    """A request cookie."""

    source = "cookie"
    __slots__ = ()


class PathParam(Param):
    """A path parameter with constraints: ``item_id: int = Path(ge=1)``."""

    source = "path"
    __slots__ = ()


class BodyParam(Param):
    """The JSON body, or (with ``embed=True``, or when several body parameters exist) one key of
    the JSON object named after the parameter."""

    source = "body"
    __slots__ = ("embed",)

    def __init__(self, default: Any = ..., *, embed: bool = False, **options: Any) -> None:
        super().__init__(default, **options)
        self.embed = embed


class FormParam(Param):
    """A form field (``multipart/form-data`` or urlencoded)."""

    source = "form"
    __slots__ = ()


class FileParam(Param):
    """An uploaded file (``UploadFile``, or ``list[UploadFile]`` for several)."""

    source = "file"
    __slots__ = ()


# The public spellings are functions typed to return ``Any``, so that a typed parameter such as
# ``limit: int = Query(10)`` or ``db: Session = Depend(get_db)`` passes a type checker; the
# objects they return are the marker classes above, which the injection plan recognises.


def Depend(  # noqa: N802 - the documented name
    dependency: Callable[..., Any] | None = None,
    *,
    use_cache: bool = True,
    blocking: bool = False,
    scope: DependencyScope = "request",
) -> Any:
    """Inject the result of ``dependency`` (see :class:`Dependency` for the options)."""
    return Dependency(dependency, use_cache=use_cache, blocking=blocking, scope=scope)


def Query(default: Any = ..., **options: Any) -> Any:  # noqa: N802
    """A query-string value (see :class:`QueryParam`)."""
    return QueryParam(default, **options)


def Header(default: Any = ..., **options: Any) -> Any:  # noqa: N802
    """A request header (see :class:`HeaderParam`)."""
    return HeaderParam(default, **options)


def Cookie(default: Any = ..., **options: Any) -> Any:  # noqa: N802
    """A request cookie (see :class:`CookieParam`)."""
    return CookieParam(default, **options)


def Path(default: Any = ..., **options: Any) -> Any:  # noqa: N802
    """A path parameter with constraints (see :class:`PathParam`)."""
    return PathParam(default, **options)


def Body(default: Any = ..., **options: Any) -> Any:  # noqa: N802
    """The JSON body or one key of it (see :class:`BodyParam`)."""
    return BodyParam(default, **options)


def Form(default: Any = ..., **options: Any) -> Any:  # noqa: N802
    """A form field (see :class:`FormParam`)."""
    return FormParam(default, **options)


def File(default: Any = ..., **options: Any) -> Any:  # noqa: N802
    """An uploaded file (see :class:`FileParam`)."""
    return FileParam(default, **options)


__all__ = [
    "Body", "BodyParam", "Cookie", "CookieParam", "Depend", "Dependency", "DependencyScope",
    "File", "FileParam", "Form", "FormParam", "Header", "HeaderParam", "Param", "Path",
    "PathParam", "Query", "QueryParam",
]
