"""Injection plans: how to fill a handler's (or dependency's) parameters, decided once.

``build_plan(handler, path_params=..., dependencies=..., kind=...)`` inspects the signature a single
time, at route registration, and returns an :class:`InjectionPlan`. Calling the plan per request
only walks precomputed readers: no ``inspect``, no annotation lookups.

Classification of a parameter, first rule that applies:
1. the leading parameters of a handler take the request and the response (the WebSocket for
   WebSocket handlers) when unannotated or annotated with those types and without default;
2. a name declared in the route path: a path parameter (converted and validated by annotation);
3. a ``Depend(...)`` default: a dependency; ``Query/Header/Cookie/Path/Body/Form/File`` defaults:
   that part of the request;
4. annotated ``Request``/``Response``/``WebSocket``/``Context`` (or a ``Context()`` default), or
   unannotated and named ``request``/``response``/``websocket``/``app``/``context``: those objects;
5. a pydantic model (or dataclass) annotation: the JSON body; ``UploadFile``: an uploaded file;
6. anything else: a query parameter (required unless it has a default).
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import logging
import typing
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

import anyio.to_thread
import pydantic

from nexios_core.concurrency import is_async_callable
from nexios_core.datastructures import UploadFile
from nexios_core.exceptions import HTTPException, WebSocketException
from nexios_core.guards import GUARDS_ATTRIBUTE, guards_of
from nexios_core.request import Request
from nexios_core.responses import BaseResponse, Response
from nexios_core.websocket import WebSocketState

from .context import Context
from .errors import DependencyError, RequestValidationError
from .markers import (
    BodyParam,
    CookieParam,
    Dependency,
    FileParam,
    FormParam,
    HeaderParam,
    Param,
    PathParam,
    QueryParam,
)
from .scope import DependencyScope, app_scope_for
from .validation import MISSING, BodyReader, FormReader, ValueReader, is_list_annotation

logger = logging.getLogger("nexios.di")

Kind = Literal["http", "websocket"]

_INJECTABLE_NAMES = {"request", "req", "response", "res", "websocket", "ws", "app", "context", "ctx"}


@dataclasses.dataclass(frozen=True)
class ParameterInfo:
    """A request input as other packages (OpenAPI) see it."""

    name: str
    """The Python parameter name."""
    key: str
    """The name on the wire (query key, header name, cookie name, form field, JSON key)."""
    source: str
    """``path``, ``query``, ``header``, ``cookie``, ``body``, ``form`` or ``file``."""
    annotation: Any
    required: bool
    default: Any
    marker: Param | None
    """The marker with description, examples and constraints, if one was used."""


def _name_of(func: Any) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


def _hints(func: Callable[..., Any]) -> dict[str, Any]:
    # Decorated handlers (functools.wraps) are read through to the function they wrap, as
    # inspect.signature does, so that their annotations are the real ones.
    func = inspect.unwrap(func)
    target = func if inspect.isfunction(func) or inspect.ismethod(func) else (
        func.__init__ if inspect.isclass(func) else type(func).__call__
    )
    namespace = getattr(inspect.unwrap(target), "__globals__", None) or {}
    annotations = dict(getattr(target, "__annotations__", {}))
    try:
        # Read through a holder, not the function: before Python 3.11, get_type_hints wraps the
        # hint of a parameter defaulting to None in Optional[...], which hid an Annotated marker
        # (`token: Annotated[str | None, Header()] = None` became a query parameter on 3.10).
        return typing.get_type_hints(_AnnotationHolder(annotations), globalns=namespace, include_extras=True)
    except Exception:
        pass
    # One name that cannot be resolved (a type imported only under TYPE_CHECKING, a class local
    # to a function) must not leave every other annotation as a string: resolve them one by one.
    # What stays unresolved is an `_Unresolved`, refused by `_plan_for` where it matters.
    resolved: dict[str, Any] = {}
    for name, annotation in annotations.items():
        try:
            resolved[name] = typing.get_type_hints(
                _AnnotationHolder({name: annotation}), globalns=namespace, include_extras=True
            )[name]
        except Exception as exc:
            resolved[name] = _Unresolved(annotation, exc)
    return resolved


def _split_annotated(annotation: Any, default: Any, where: str) -> tuple[Any, Any]:
    """``Annotated[T, Depend(f)]`` / ``Annotated[T, Query(ge=1)] = 10``: the marker in the
    metadata becomes the parameter's marker (the Python default, if any, becomes the marker's
    default); other metadata (pydantic constraints) stays on the type for validation."""
    if typing.get_origin(annotation) is not Annotated:
        return annotation, default
    base, *extras = typing.get_args(annotation)
    markers = [item for item in extras if isinstance(item, (Dependency, Param, Context))]
    rest = [item for item in extras if not isinstance(item, (Dependency, Param, Context))]
    if len(markers) > 1:
        raise DependencyError(f"{where}: Annotated[...] holds more than one Depend/Query/... marker")
    if isinstance(default, (Dependency, Param)) and markers:
        raise DependencyError(f"{where}: a marker both in Annotated[...] and as the default")
    metadata = (base, *rest)  # subscripting with a tuple is Annotated[base, *rest]
    annotation = Annotated[metadata] if rest else base
    if not markers:
        return annotation, default
    marker = markers[0]
    if default is not inspect.Parameter.empty:
        if not isinstance(marker, Param):
            raise DependencyError(f"{where}: Annotated[..., {type(marker).__name__}(...)] takes no default")
        marker = copy.copy(marker)
        marker.default = default
    return annotation, marker


class _AnnotationHolder:
    """Something ``typing.get_type_hints`` reads one annotation from."""

    def __init__(self, annotations: dict[str, Any]) -> None:
        self.__annotations__ = annotations


class _Unresolved:
    """An annotation naming a type that cannot be found at run time."""

    def __init__(self, text: Any, error: Exception) -> None:
        self.text = text
        self.error = error


def _plain(annotation: Any) -> Any:
    """``Annotated[T, ...]`` is classified as ``T``."""
    return typing.get_args(annotation)[0] if typing.get_origin(annotation) is Annotated else annotation


def _is_subclass(annotation: Any, base: type) -> bool:
    annotation = _plain(annotation)
    return isinstance(annotation, type) and issubclass(annotation, base)


def _is_body_model(annotation: Any) -> bool:
    annotation = _plain(annotation)
    plain = annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        plain = args[0] if len(args) == 1 else annotation
    if is_list_annotation(plain):
        inner = typing.get_args(plain)
        plain = inner[0] if inner else plain
    return _is_subclass(plain, pydantic.BaseModel) or (
        isinstance(plain, type) and dataclasses.is_dataclass(plain)
    )


def _is_upload(annotation: Any) -> bool:
    annotation = _plain(annotation)
    if _is_subclass(annotation, UploadFile):
        return True
    args = typing.get_args(annotation)
    return any(_is_upload(a) for a in args)


# ----------------------------------------------------------------------------- getters
# A getter fills one argument. Kinds: "value" (read from the request, sync), "body"/"form"
# (async readers), "dep" (a DependencyNode), and "special" (request/response/app/context...).


class DependencyNode:
    """A dependency callable with its own plan. Shared by every route that uses it."""

    __slots__ = ("call", "plan", "use_cache", "blocking", "scope", "kind", "path_context",
                 "_override_nodes", "request_cached")

    def __init__(self, call: Callable[..., Any], plan: InjectionPlan, use_cache: bool,
                 blocking: bool, scope: str, path_context: _PathContext = ((), ())) -> None:
        self.call = call
        # The path names (and converter types) of the route(s) this node was built for: a
        # replacement installed by `dependency_overrides` may read the same path values.
        self.path_context = path_context
        self.plan = plan
        self.use_cache = use_cache
        self.blocking = blocking
        self.scope = scope
        # Whether the value is kept in the request's cache (under `call`): a parent may then
        # read it there without calling `resolve`.
        self.request_cached = use_cache and scope != "app"
        if inspect.isasyncgenfunction(call):
            self.kind = "asyncgen"
        elif inspect.isgeneratorfunction(call):
            self.kind = "gen"
        elif is_async_callable(call):
            self.kind = "async"
        else:
            self.kind = "sync"
        self._override_nodes: dict[Any, DependencyNode] = {}

    def override_node(self, replacement: Callable[..., Any], kind: Kind) -> DependencyNode:
        """The node for ``replacement`` (built on first use, then reused)."""
        node = self._override_nodes.get(replacement)
        if node is None:
            node = _dependency_node(replacement, Dependency(replacement, use_cache=self.use_cache,
                                                         blocking=self.blocking), kind, set(),
                                    self.path_context)
            self._override_nodes[replacement] = node
        return node

    async def resolve(self, scope: DependencyScope) -> Any:
        """The dependency's value for this request (cached, overridden, or app-scoped)."""
        if scope.overrides is not None or self.scope == "app":
            return await self._resolve_indirect(scope)
        call = self.call
        use_cache = self.use_cache
        cache = scope.cache
        if use_cache and call in cache:
            return cache[call]
        plan = self.plan
        # The arguments are resolved here rather than through `plan.arguments` when nothing in
        # them reads the body: one coroutine frame fewer per dependency, on every request.
        if plan.reads_body or plan.always_run:
            kwargs = await plan.arguments(scope.request, scope.response, scope.params, scope)
        else:
            kwargs = {}
            for name, node in plan.dependencies:
                if node.request_cached and node.call in cache:
                    kwargs[name] = cache[node.call]
                else:
                    kwargs[name] = await node.resolve(scope)
            if plan.fills:
                errors = plan.fill(kwargs, scope.request, scope.response, scope.params)
                if errors:
                    raise RequestValidationError(errors)
        kind = self.kind
        if kind == "async":
            value = await call(**kwargs)
        elif kind == "sync" and not self.blocking:
            value = call(**kwargs)
        else:
            value = await self._call_other(kwargs, scope)
        if use_cache:
            cache[call] = value
        return value

    async def _resolve_indirect(self, scope: DependencyScope) -> Any:
        # An override is installed, or the value lives for the whole app.
        node = self
        overrides = scope.overrides
        if overrides is not None:
            replacement = overrides.get(self.call)
            if replacement is not None:
                node = self.override_node(replacement, "websocket" if scope.kind == "websocket" else "http")
        if self.scope == "app":
            return await app_scope_for(scope.app).get(node)
        if node.use_cache:
            cache = scope.cache
            if self.call in cache:
                return cache[self.call]
            value = await node._produce(scope)
            cache[self.call] = value
            return value
        return await node._produce(scope)

    async def _produce(self, scope: DependencyScope) -> Any:
        kwargs = await self.plan.arguments(scope.request, scope.response, scope.params, scope)
        kind = self.kind
        if kind == "async":
            return await self.call(**kwargs)
        if kind == "sync" and not self.blocking:
            return self.call(**kwargs)
        return await self._call_other(kwargs, scope)

    async def _call_other(self, kwargs: dict[str, Any], scope: DependencyScope) -> Any:
        """Call a blocking function, or enter a generator and remember to close it."""
        call = self.call
        kind = self.kind
        if kind == "sync":
            return await anyio.to_thread.run_sync(lambda: call(**kwargs))
        if kind == "asyncgen":
            generator = call(**kwargs)
            value = await generator.__anext__()
            scope.push_exit(generator, True)
            return value
        generator = call(**kwargs)
        value = await anyio.to_thread.run_sync(next, generator) if self.blocking else next(generator)
        scope.push_exit(generator, False, self.blocking)
        return value


class InjectionPlan:
    """How to call one function. ``await plan(request, response, path_params)`` calls it."""

    __slots__ = ("func", "kind", "positional", "values", "readers", "dependencies",
                 "specials", "parameters", "needs_scope", "is_trivial", "always_run",
                 "path_values", "only_path_values", "guards", "fills", "reads_body")

    def __init__(self, func: Callable[..., Any], kind: Kind) -> None:
        self.func = func
        self.kind = kind
        self.positional: list[str] = []  # "request" / "response" / "websocket", in order
        self.values: list[tuple[str, ValueReader]] = []
        # Path values already converted by the route's converters: copied, never validated.
        self.path_values: list[tuple[str, str]] = []
        self.only_path_values = False
        # Checks a decorator attached (see GUARDS_ATTRIBUTE): run before anything else.
        self.guards: list[Callable[[Any], Any]] = []
        self.readers: list[tuple[str, BodyReader | FormReader]] = []
        self.dependencies: list[tuple[str, DependencyNode]] = []
        self.specials: list[tuple[str, str]] = []
        self.parameters: list[ParameterInfo] = []
        self.always_run: list[DependencyNode] = []
        self.needs_scope = False
        self.is_trivial = False
        self.fills = False  # path values, request values or special objects to add
        self.reads_body = False  # body or form readers (awaited)

    # -- public description, for OpenAPI and friends ------------------------------------------
    def all_parameters(self) -> list[ParameterInfo]:
        """Every request input this call reads, its dependencies' included (deduplicated)."""
        seen: dict[tuple[str, str], ParameterInfo] = {}
        for info in self._walk_parameters(set()):
            seen.setdefault((info.source, info.key), info)
        return list(seen.values())

    def _walk_parameters(self, visited: set[int]) -> list[ParameterInfo]:
        found = list(self.parameters)
        for node in [*self.always_run, *(n for _, n in self.dependencies)]:
            if id(node) not in visited:
                visited.add(id(node))
                found.extend(node.plan._walk_parameters(visited))
        return found

    # -- runtime ------------------------------------------------------------------------------
    def fill(self, kwargs: dict[str, Any], request: Any, response: Any,
             params: dict[str, Any]) -> list[dict[str, Any]]:
        """Add the path values, request values and special objects to ``kwargs``: everything
        that needs no awaiting. Returns the validation errors found (empty when none)."""
        errors: list[dict[str, Any]] = []
        for name, key in self.path_values:
            kwargs[name] = params[key]
        for name, reader in self.values:
            kwargs[name] = reader.read(request, params, errors)
        for name, what in self.specials:
            kwargs[name] = _special(what, request, response)
        return errors

    async def arguments(self, request: Any, response: Any, params: dict[str, Any],
                        scope: DependencyScope | None) -> dict[str, Any]:
        """Resolve every keyword argument (positional ones are handled by ``__call__``)."""
        kwargs: dict[str, Any] = {}
        # Dependencies first (as FastAPI users expect): an authentication dependency answers
        # 401 before the request's values are judged.
        for node in self.always_run:
            await node.resolve(scope)  # type: ignore[arg-type]
        for name, node in self.dependencies:
            kwargs[name] = await node.resolve(scope)  # type: ignore[arg-type]
        errors = self.fill(kwargs, request, response, params) if self.fills else []
        for name, body_reader in self.readers:
            kwargs[name] = await body_reader.read(request, errors)
        if errors:
            raise RequestValidationError(errors)
        return kwargs

    async def __call__(self, request: Any, response: Any, params: dict[str, Any] | None = None) -> Any:
        """Call the function for this request. ``params`` are the path values; by default, the
        ``path_params`` of the request's scope (where the router puts them)."""
        if params is None:
            params = request.scope.get("path_params") or _NO_PARAMS
        func = self.func
        for guard in self.guards:
            outcome = guard(request)
            if inspect.isawaitable(outcome):
                await outcome
        if self.is_trivial:
            return await func(*_positional(self.positional, request, response))
        if self.only_path_values:  # e.g. `async def h(request, response, user_id: int)`
            kwargs = {name: params[key] for name, key in self.path_values}
            return await func(*_positional(self.positional, request, response), **kwargs)
        if not self.needs_scope and not self.reads_body:  # typed query/header/cookie values
            kwargs = {}
            errors = self.fill(kwargs, request, response, params)
            if errors:
                raise RequestValidationError(errors)
            return await func(*_positional(self.positional, request, response), **kwargs)
        scope: DependencyScope | None = None
        if self.needs_scope:
            scope = DependencyScope(request, response, params, self.kind)
        try:
            if self.reads_body or self.always_run:
                kwargs = await self.arguments(request, response, params, scope)
            else:  # `arguments`, inlined for the common shape: dependencies and values
                kwargs = {}
                cache = scope.cache  # type: ignore[union-attr]
                for name, node in self.dependencies:
                    if node.request_cached and node.call in cache:
                        kwargs[name] = cache[node.call]
                    else:
                        kwargs[name] = await node.resolve(scope)  # type: ignore[arg-type]
                if self.fills:
                    errors = self.fill(kwargs, request, response, params)
                    if errors:
                        raise RequestValidationError(errors)
            result = await func(*_positional(self.positional, request, response), **kwargs)
        except BaseException as exc:
            if scope is not None and scope.exits:
                await scope.close(exc)  # generators see the error now; may replace it
            raise
        if scope is not None and scope.exits:
            if self.kind == "websocket":
                await scope.close(None)  # the connection is over when the handler returns
            else:
                request.add_cleanup(scope.close)  # after the response has been sent
        return result


class _WebSocketPlan(InjectionPlan):
    """The plan of a WebSocket handler: an ``HTTPException`` before the handshake is accepted (a
    422 from validation, a 401/403 from a dependency or guard) refuses the connection with close
    code 1008 instead of escaping as an internal error (1011)."""

    __slots__ = ()

    async def __call__(self, request: Any, response: Any, params: dict[str, Any] | None = None) -> Any:
        try:
            return await InjectionPlan.__call__(self, request, response, params)
        except HTTPException as exc:
            if getattr(request, "application_state", None) is not WebSocketState.CONNECTING:
                raise
            raise WebSocketException(1008, _close_reason(exc)) from exc


def _close_reason(exc: HTTPException) -> str:
    """A short close reason (the protocol allows 123 bytes): the failing fields, or the detail."""
    if isinstance(exc, RequestValidationError):
        fields = ", ".join(".".join(str(part) for part in error["loc"]) for error in exc.errors)
        text = f"Invalid {fields}"
    else:
        text = exc.detail if isinstance(exc.detail, str) else f"HTTP {exc.status_code}"
    encoded = text.encode("utf-8")
    return text if len(encoded) <= 123 else encoded[:120].decode("utf-8", "ignore") + "..."


_NO_PARAMS: dict[str, Any] = {}


def _positional(names: list[str], request: Any, response: Any) -> list[Any]:
    return [request if name != "response" else response for name in names]


def _special(what: str, request: Any, response: Any) -> Any:
    if what == "request" or what == "websocket":
        return request
    if what == "response":
        return response
    if what == "app":
        return request.scope.get("app")
    return Context(request, response)


# ----------------------------------------------------------------------------- building


def build_plan(
    func: Callable[..., Any],
    *,
    path_params: Sequence[str] = (),
    path_types: dict[str, Any] | None = None,
    dependencies: Sequence[Dependency] = (),
    kind: Kind = "http",
) -> InjectionPlan:
    """Inspect ``func`` (a route handler) once and return its plan. ``path_params`` are the names
    the route path declares; ``path_types`` what their converters produce (no conversion is
    done when the annotation matches); ``dependencies`` run before the handler, results unused.
    Raises :class:`DependencyError` naming the handler and parameter for any mistake."""
    if not is_async_callable(func):
        raise DependencyError(f"Handler {_name_of(func)} must be an async function (async def ...)")
    plan = _plan_for(func, kind, set(path_params), path_types or {}, handler=True, stack=set())
    if kind == "websocket":
        plan.__class__ = _WebSocketPlan  # same slots: only __call__ differs
    plan.guards = guards_of(func)
    context = _path_context(set(path_params), path_types or {})
    for marker in dependencies:
        if not isinstance(marker, Dependency) or marker.dependency is None or not callable(marker.dependency):
            raise DependencyError(
                f"dependencies=[...] for {_name_of(func)} must hold Depend(callable) items, got {marker!r}"
            )
        try:
            plan.always_run.append(_dependency_node(marker.dependency, marker, kind, set(), context))
        except DependencyError as exc:
            # Name the handler too: the dependency alone does not say which route is wrong.
            raise DependencyError(f"{_name_of(func)}, dependencies=[{marker!r}]: {exc}") from None
    _finish(plan)
    return plan


def _finish(plan: InjectionPlan) -> None:
    plan.needs_scope = bool(plan.dependencies or plan.always_run)
    plan.fills = bool(plan.path_values or plan.values or plan.specials)
    plan.reads_body = bool(plan.readers)
    others = (plan.values or plan.readers or plan.dependencies or plan.specials or plan.always_run
              or plan.guards)
    plan.is_trivial = not (others or plan.path_values)
    plan.only_path_values = bool(plan.path_values) and not others


_PathContext = tuple[tuple[str, ...], tuple[tuple[str, Any], ...]]
"""Sorted path names, and sorted (name, converter type) pairs: hashable, part of a node's key."""


def _path_context(path_names: set[str], path_types: dict[str, Any]) -> _PathContext:
    return tuple(sorted(path_names)), tuple(sorted(path_types.items(), key=lambda item: item[0]))


_NODES: dict[tuple[Any, bool, bool, str, str, _PathContext], DependencyNode] = {}


def _dependency_node(call: Callable[..., Any], marker: Dependency, kind: Kind,
                     stack: set[Any], path_context: _PathContext = ((), ())) -> DependencyNode:
    if marker.scope == "app":
        path_context = ((), ())  # created once for the app: no request, no path values
    key = (call, marker.use_cache, marker.blocking, marker.scope, kind, path_context)
    node = _NODES.get(key)
    if node is not None:
        return node
    if call in stack:
        raise DependencyError(f"Dependency cycle: {_name_of(call)} depends on itself (through "
                              f"{', '.join(_name_of(c) for c in stack)})")
    if not callable(call):
        raise DependencyError(f"Dependency {call!r} is not callable")
    stack = stack | {call}
    path_names, path_types = path_context
    plan = _plan_for(call, kind, set(path_names), dict(path_types), handler=False, stack=stack)
    _finish(plan)
    if marker.scope == "app":
        for _, child in plan.dependencies:
            if child.scope != "app":
                raise DependencyError(
                    f"App-scoped dependency {_name_of(call)} depends on request-scoped "
                    f"{_name_of(child.call)}; make that one scope='app' too"
                )
        if plan.values or plan.readers or any(w in ("request", "response", "websocket", "context")
                                              for _, w in plan.specials):
            raise DependencyError(
                f"App-scoped dependency {_name_of(call)} cannot read the request; it is created "
                "once for the whole app"
            )
    node = DependencyNode(call, plan, marker.use_cache, marker.blocking, marker.scope, path_context)
    _NODES[key] = node
    return node


def _plan_for(func: Callable[..., Any], kind: Kind, path_names: set[str], path_types: dict[str, Any],
              *, handler: bool, stack: set[Any]) -> InjectionPlan:
    plan = InjectionPlan(func, kind)
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError) as exc:
        raise DependencyError(f"Cannot read the signature of {_name_of(func)}: {exc}") from None
    hints = _hints(func)
    leading = handler
    body_params: list[tuple[str, Any, BodyParam | None, Any]] = []
    body_marker: BodyParam | None
    for parameter in signature.parameters.values():
        name = parameter.name
        if parameter.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        annotation = hints.get(name, inspect.Parameter.empty)
        default = parameter.default
        where = f"{_name_of(func)}, parameter {name!r}"
        annotation, default = _split_annotated(annotation, default, where)
        has_default = default is not inspect.Parameter.empty
        unresolved = annotation if isinstance(annotation, _Unresolved) else None
        if unresolved is not None:
            # The leading request/response are known by position (their types are often imported
            # only for type checkers); anywhere else the type decides how the value is read.
            annotation = inspect.Parameter.empty
        # 1. leading request/response (websocket) of a handler
        if leading and not has_default and parameter.kind is not inspect.Parameter.KEYWORD_ONLY \
                and name not in path_names and _leading_role(plan, name, annotation, kind) is not None:
            plan.positional.append(_leading_role(plan, name, annotation, kind))  # type: ignore[arg-type]
            continue
        leading = False
        if unresolved is not None and not isinstance(default, (Dependency, Context)):
            raise DependencyError(
                f"{where}: its annotation {unresolved.text!r} cannot be resolved at run time "
                f"({unresolved.error}); import the type at module level"
            )
        if parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
            raise DependencyError(f"{where}: positional-only parameters cannot be injected")
        ann = Any if annotation is inspect.Parameter.empty else annotation
        # 2. path parameters
        if name in path_names or isinstance(default, PathParam):
            marker = default if isinstance(default, PathParam) else None
            key = marker.alias if marker is not None and marker.alias else name
            if key not in path_names:
                raise DependencyError(f"{where}: Path() parameter {key!r} is not in the route path")
            if is_list_annotation(ann):
                raise DependencyError(f"{where}: a path parameter is one value; {ann!r} cannot "
                                      "be converted from it")
            produced = path_types.get(key)
            if marker is None and (annotation is inspect.Parameter.empty or ann is produced):
                plan.path_values.append((name, key))
            else:
                plan.values.append((name, ValueReader(name, key, "path", ann, marker, MISSING)))
            plan.parameters.append(ParameterInfo(name, key, "path", ann, True, None, marker))
            continue
        # 3. explicit markers
        if isinstance(default, Dependency):
            call = default.dependency
            if call is None:
                if not callable(ann) or ann is Any:
                    raise DependencyError(f"{where}: Depend() without a callable needs a class annotation")
                call = ann
            if not callable(call):
                raise DependencyError(f"{where}: Depend() needs a callable, got {call!r}")
            try:
                node = _dependency_node(call, default, kind, stack, _path_context(path_names, path_types))
            except DependencyError as exc:
                # Prefix the chain (handler, parameter, dependency, parameter...) to the cause.
                raise DependencyError(f"{where}: {exc}") from None
            plan.dependencies.append((name, node))
            continue
        if isinstance(default, BodyParam):
            body_params.append((name, ann, default, MISSING if default.required else default.default))
            continue
        if isinstance(default, (FormParam, FileParam)):
            is_file = isinstance(default, FileParam) or _is_upload(ann)
            key = default.alias or name
            value = MISSING if default.required else default.default
            plan.readers.append((name, FormReader(name, key, ann, default, value, is_file)))
            plan.parameters.append(ParameterInfo(
                name, key, "file" if is_file else "form", ann, default.required,
                None if default.required else default.default, default,
            ))
            continue
        if isinstance(default, (QueryParam, HeaderParam, CookieParam)):
            key = default.alias or (
                name.replace("_", "-") if isinstance(default, HeaderParam) and default.convert_underscores else name
            )
            if isinstance(default, HeaderParam):
                key = key.lower()
            value = MISSING if default.required else default.default
            plan.values.append((name, ValueReader(name, key, default.source, ann, default, value)))
            plan.parameters.append(ParameterInfo(name, key, default.source, ann, default.required,
                                                 None if default.required else default.default, default))
            continue
        # 4. the request's own objects
        special = _special_for(name, annotation, default, kind)
        if special is not None:
            plan.specials.append((name, special))
            continue
        # 5. bodies and files by annotation
        if annotation is not inspect.Parameter.empty and _is_upload(ann):
            value = default if has_default else MISSING
            plan.readers.append((name, FormReader(name, name, ann, None, value, True)))
            plan.parameters.append(ParameterInfo(name, name, "file", ann, not has_default,
                                                 default if has_default else None, None))
            continue
        if annotation is not inspect.Parameter.empty and _is_body_model(ann):
            body_params.append((name, ann, None, default if has_default else MISSING))
            continue
        # 6. query parameters
        if annotation is inspect.Parameter.empty and not has_default:
            raise DependencyError(
                f"{where}: not a path parameter (the path declares "
                f"{', '.join(sorted(path_names)) or 'none'}), has no annotation, no default and "
                "no marker, so "
                "Nexios cannot tell where it comes from. Declare it: Depend(...), Query(...), "
                "Header(...), Body(...)... or name it after a path parameter."
            )
        value = default if has_default else MISSING
        plan.values.append((name, ValueReader(name, name, "query", ann, None, value)))
        plan.parameters.append(ParameterInfo(name, name, "query", ann, not has_default,
                                             default if has_default else None, None))
    if kind == "websocket" and body_params:
        raise DependencyError(f"{_name_of(func)}: WebSocket handlers have no request body")
    embed = len(body_params) > 1
    for name, ann, body_marker, value in body_params:
        reader = BodyReader(name, ann, body_marker, value, embed or bool(body_marker and body_marker.embed))
        plan.readers.append((name, reader))
        plan.parameters.append(ParameterInfo(name, reader.key, "body", ann, value is MISSING,
                                             None if value is MISSING else value, body_marker))
    return plan


def _leading_role(plan: InjectionPlan, name: str, annotation: Any, kind: Kind) -> str | None:
    taken = len(plan.positional)
    loose = annotation is inspect.Parameter.empty or annotation is Any or annotation is object
    if kind == "websocket":
        if taken == 0 and (loose or name in ("websocket", "ws") or type(annotation).__name__ == "type"
                           and getattr(annotation, "__name__", "") == "WebSocket"):
            return "websocket"
        return None
    if taken >= 2:
        return None
    if loose or (taken == 0 and name in ("request", "req")) or (taken == 1 and name in ("response", "res")):
        return "request" if taken == 0 else "response"
    if _is_subclass(annotation, Response) or _is_subclass(annotation, BaseResponse):
        return "response" if taken == 1 else None
    if _is_subclass(annotation, Request):
        return "request" if taken == 0 else None
    return None


def _special_for(name: str, annotation: Any, default: Any, kind: Kind) -> str | None:
    if isinstance(default, Context) or _is_subclass(annotation, Context):
        return "context"
    if _is_subclass(annotation, Request):
        return "request"
    if _is_subclass(annotation, Response):
        return "response"
    type_name = getattr(annotation, "__name__", "")
    if type_name == "WebSocket":
        return "websocket"
    if annotation is inspect.Parameter.empty and default is inspect.Parameter.empty:
        if name in ("request", "req"):
            return "request"
        if name in ("response", "res"):
            return "response" if kind == "http" else None
        if name in ("websocket", "ws"):
            return "websocket"
        if name == "app":
            return "app"
        if name in ("context", "ctx"):
            return "context"
    if type_name in ("App", "NexiosApp"):
        return "app"
    return None


__all__ = ["GUARDS_ATTRIBUTE", "DependencyNode", "InjectionPlan", "Kind", "ParameterInfo", "build_plan"]
