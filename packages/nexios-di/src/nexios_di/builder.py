"""Building injection plans and dependency nodes from signatures (once, at registration).

:func:`build_plan` classifies each parameter of a handler (the rules are in
:mod:`nexios_di.classify`), builds a :class:`~nexios_di.nodes.DependencyNode` for each dependency
(recursively, refusing cycles), and returns the :class:`~nexios_di.plan.InjectionPlan`. Every
mistake raises :class:`DependencyError` naming the handler and the parameter.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from nexios_core import guards_of, is_async_callable

from .classify import (
    Kind,
    ParameterInfo,
    Unresolved,
    hints_of,
    is_body_model,
    is_upload,
    leading_role,
    name_of,
    special_for,
    split_annotated,
)
from .context import Context
from .errors import DependencyError
from .markers import (
    BodyParam,
    CookieParam,
    Dependency,
    FileParam,
    FormParam,
    HeaderParam,
    PathParam,
    QueryParam,
)
from .nodes import DependencyNode, NodeCache, PathContext
from .plan import InjectionPlan
from .validation import MISSING, BodyReader, FormReader, ValueReader, is_list_annotation


def build_plan(
    func: Callable[..., Any],
    *,
    path_params: Sequence[str] = (),
    path_types: dict[str, Any] | None = None,
    dependencies: Sequence[Dependency] = (),
    kind: Kind = "http",
    nodes: NodeCache | None = None,
) -> InjectionPlan:
    """Inspect ``func`` (a route handler) once and return its plan. ``path_params`` are the names
    the route path declares; ``path_types`` what their converters produce (no conversion is
    done when the annotation matches); ``dependencies`` run before the handler, results unused;
    ``nodes`` is the app's cache of dependency nodes (a fresh one when not given).
    Raises :class:`DependencyError` naming the handler and parameter for any mistake."""
    if not is_async_callable(func):
        _check_sync_handler(func, kind)
    nodes = nodes if nodes is not None else NodeCache()
    plan = _plan_for(func, kind, set(path_params), path_types or {}, handler=True, stack=set(), nodes=nodes)
    plan.guards = guards_of(func)
    context = _path_context(set(path_params), path_types or {})
    for marker in dependencies:
        if not isinstance(marker, Dependency) or marker.dependency is None or not callable(marker.dependency):
            raise DependencyError(
                f"dependencies=[...] for {name_of(func)} must hold Depend(callable) items, got {marker!r}"
            )
        try:
            plan.always_run.append(build_node(marker.dependency, marker, kind, set(), context, nodes))
        except DependencyError as exc:
            # Name the handler too: the dependency alone does not say which route is wrong.
            raise DependencyError(f"{name_of(func)}, dependencies=[{marker!r}]: {exc}") from None
    _finish(plan)
    return plan


def _check_sync_handler(func: Callable[..., Any], kind: Kind) -> None:
    # A plain `def` HTTP handler is fine: the endpoint runs it in the app's worker threads
    # (nexios_routing.endpoints). Generators and WebSocket handlers cannot work that way.
    if inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func):
        raise DependencyError(
            f"Handler {name_of(func)} is a generator; a handler returns its answer (stream one "
            "with response.stream(generator()))"
        )
    if kind == "websocket":
        raise DependencyError(f"WebSocket handler {name_of(func)} must be an async function (async def ...)")
    if not callable(func):
        raise DependencyError(f"Handler {func!r} is not callable")


def _finish(plan: InjectionPlan) -> None:
    # The plan's shape, which whoever calls it specialises on (see nexios_routing.endpoints).
    plan.needs_scope = bool(plan.dependencies or plan.always_run)
    plan.fills = bool(plan.path_values or plan.values or plan.specials)
    plan.reads_body = bool(plan.readers)
    others = (plan.values or plan.readers or plan.dependencies or plan.specials or plan.always_run
              or plan.guards)
    plan.is_trivial = not (others or plan.path_values)
    plan.only_path_values = bool(plan.path_values) and not others


def _path_context(path_names: set[str], path_types: dict[str, Any]) -> PathContext:
    return tuple(sorted(path_names)), tuple(sorted(path_types.items(), key=lambda item: item[0]))


def build_node(call: Callable[..., Any], marker: Dependency, kind: Kind, stack: set[Any],
               path_context: PathContext = ((), ()), nodes: NodeCache | None = None) -> DependencyNode:
    """The node of dependency ``call`` (reused from ``nodes`` when built before). ``stack`` holds
    the dependencies being built around it, to refuse cycles."""
    nodes = nodes if nodes is not None else NodeCache()
    if marker.scope == "app":
        path_context = ((), ())  # created once for the app: no request, no path values
    key = (call, marker.use_cache, marker.blocking, marker.scope, kind, path_context)
    node = nodes.nodes.get(key)
    if node is not None:
        return node
    if call in stack:
        raise DependencyError(f"Dependency cycle: {name_of(call)} depends on itself (through "
                              f"{', '.join(name_of(c) for c in stack)})")
    if not callable(call):
        raise DependencyError(f"Dependency {call!r} is not callable")
    stack = stack | {call}
    path_names, path_types = path_context
    plan = _plan_for(call, kind, set(path_names), dict(path_types), handler=False, stack=stack, nodes=nodes)
    _finish(plan)
    if marker.scope == "app":
        for _, child in plan.dependencies:
            if child.scope != "app":
                raise DependencyError(
                    f"App-scoped dependency {name_of(call)} depends on request-scoped "
                    f"{name_of(child.call)}; make that one scope='app' too"
                )
        if plan.values or plan.readers or any(w in ("request", "response", "websocket", "context")
                                              for _, w in plan.specials):
            raise DependencyError(
                f"App-scoped dependency {name_of(call)} cannot read the request; it is created "
                "once for the whole app"
            )
    node = DependencyNode(call, plan, marker.use_cache, marker.blocking, marker.scope, path_context)
    nodes.nodes[key] = node
    return node


def _plan_for(func: Callable[..., Any], kind: Kind, path_names: set[str], path_types: dict[str, Any],
              *, handler: bool, stack: set[Any], nodes: NodeCache) -> InjectionPlan:
    plan = InjectionPlan(func, kind)
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError) as exc:
        raise DependencyError(f"Cannot read the signature of {name_of(func)}: {exc}") from None
    hints = hints_of(func)
    leading = handler
    body_params: list[tuple[str, Any, BodyParam | None, Any]] = []
    body_marker: BodyParam | None
    for parameter in signature.parameters.values():
        name = parameter.name
        if parameter.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        annotation = hints.get(name, inspect.Parameter.empty)
        default = parameter.default
        where = f"{name_of(func)}, parameter {name!r}"
        annotation, default = split_annotated(annotation, default, where)
        has_default = default is not inspect.Parameter.empty
        unresolved = annotation if isinstance(annotation, Unresolved) else None
        if unresolved is not None:
            # The leading request/response are known by position (their types are often imported
            # only for type checkers); anywhere else the type decides how the value is read.
            annotation = inspect.Parameter.empty
        # 1. leading request/response (websocket) of a handler
        if leading and not has_default and parameter.kind is not inspect.Parameter.KEYWORD_ONLY \
                and name not in path_names and leading_role(len(plan.positional), name, annotation, kind) is not None:
            plan.positional.append(leading_role(len(plan.positional), name, annotation, kind))  # type: ignore[arg-type]
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
                node = build_node(call, default, kind, stack, _path_context(path_names, path_types), nodes)
            except DependencyError as exc:
                # Prefix the chain (handler, parameter, dependency, parameter...) to the cause.
                raise DependencyError(f"{where}: {exc}") from None
            plan.dependencies.append((name, node))
            continue
        if isinstance(default, BodyParam):
            body_params.append((name, ann, default, MISSING if default.required else default.default))
            continue
        if isinstance(default, (FormParam, FileParam)):
            is_file = isinstance(default, FileParam) or is_upload(ann)
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
        special = special_for(name, annotation, default, kind)
        if special is not None:
            plan.specials.append((name, special))
            continue
        # 5. bodies and files by annotation
        if annotation is not inspect.Parameter.empty and is_upload(ann):
            value = default if has_default else MISSING
            plan.readers.append((name, FormReader(name, name, ann, None, value, True)))
            plan.parameters.append(ParameterInfo(name, name, "file", ann, not has_default,
                                                 default if has_default else None, None))
            continue
        if annotation is not inspect.Parameter.empty and is_body_model(ann):
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
        raise DependencyError(f"{name_of(func)}: WebSocket handlers have no request body")
    embed = len(body_params) > 1
    for name, ann, body_marker, value in body_params:
        reader = BodyReader(name, ann, body_marker, value, embed or bool(body_marker and body_marker.embed))
        plan.readers.append((name, reader))
        plan.parameters.append(ParameterInfo(name, reader.key, "body", ann, value is MISSING,
                                             None if value is MISSING else value, body_marker))
    return plan



__all__ = ["build_node", "build_plan"]
