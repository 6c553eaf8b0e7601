"""Class-based views: one class per resource, one method per HTTP verb.

::

    class Books(APIView):
        middleware = [audit]                    # around every method

        async def get(self, request, response, book_id: int):
            return BOOKS[book_id]

        @auth(scopes=["admin"])                 # this method only
        @with_middleware(rate_limited)
        async def delete(self, request, response, book_id: int, force: bool = False):
            ...

    app.add_route(Books.as_route("/books/{book_id:int}"))

Each method is a handler of its own: its parameters are read and validated as any handler's
(path values, typed query and header values, bodies, ``Depend``), it may be a plain ``def`` (run
in a worker thread), and it carries its own guards and middleware. A fresh instance of the class
serves each request, so ``self`` holds only that request's state. Verbs the class does not define
answer 405 with ``Allow``, ``OPTIONS`` answers 204 listing the verbs, and ``HEAD`` is served by
``get``. ``error_handlers`` maps exception classes to ``async def handler(request, response,
exc)`` for the methods of this class only.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from nexios_core import ImproperlyConfigured, Request, Response, is_async_callable
from nexios_routing import Route, Router

VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
"""The method names a view may define, each answering the HTTP method of the same name."""
METHOD_MIDDLEWARE_ATTRIBUTE = "__nexios_view_middleware__"

_F = TypeVar("_F", bound=Callable[..., Any])


def with_middleware(*middleware: Any) -> Callable[[_F], _F]:
    """Run ``middleware`` (``async def mw(request, response, call_next)``) around one method of a
    view only, inside the class's ``middleware``."""

    def attach(method: _F) -> _F:
        existing = list(getattr(method, METHOD_MIDDLEWARE_ATTRIBUTE, ()))
        setattr(method, METHOD_MIDDLEWARE_ATTRIBUTE, [*middleware, *existing])
        return method

    return attach


class APIView:
    """Base class of class-based views (upstream Nexios' docs call it ``APIHandler``).

    Define ``get``, ``post``, ``put``, ``patch``, ``delete`` (and ``head`` or ``options`` to
    replace the automatic ones) as handlers taking ``self`` first; route the class with
    :meth:`as_route`. Class attributes: ``middleware`` (``middlewares`` is accepted too) runs
    around every method; ``error_handlers`` answers exceptions the methods raise.
    """

    middleware: ClassVar[Sequence[Any]] = ()
    error_handlers: ClassVar[Mapping[type[BaseException], Callable[..., Any]]] = {}
    request: Request
    """The request this instance serves (set before the method is called)."""
    response: Response
    """Its response (``res`` too, upstream Nexios' name)."""
    res: Response

    @classmethod
    def defined_verbs(cls) -> list[str]:
        """The HTTP methods this class answers, upper-case, in :data:`VERBS` order."""
        return [verb.upper() for verb in VERBS if callable(getattr(cls, verb, None))]

    @classmethod
    def as_route(cls, path: str, methods: Sequence[str] | None = None, **route_options: Any) -> Router:
        """The routes of this view at ``path``, for ``app.add_route(...)`` (or a router's
        ``routes=[...]``): one route per verb the class defines (only those in ``methods``, when
        given). ``route_options`` go to every :class:`~nexios_routing.Route` (``name`` defaults
        to the class name, ``tags``, ``dependencies``, ``middleware``, ``summary``...)."""
        cls._check_constructor()
        cls._check_upstream_hooks()
        verbs = cls.defined_verbs()
        if methods is not None:
            wanted = [method.upper() for method in methods]
            missing = [method for method in wanted if method not in verbs]
            if missing:
                raise ImproperlyConfigured(
                    f"{cls.__qualname__}.as_route({path!r}, methods={list(methods)!r}): the class has no "
                    f"{', '.join(method.lower() for method in missing)} method"
                )
            verbs = [verb for verb in verbs if verb in wanted]
        if not verbs:
            raise ImproperlyConfigured(f"{cls.__qualname__} defines none of {', '.join(VERBS)}: nothing to route")
        options = dict(route_options)
        options.setdefault("name", cls.__name__)
        operation_id = options.pop("operation_id", None)  # one per operation: suffixed per verb
        shared = [*cls.class_middleware(), *options.pop("middleware", ())]
        errors = cls.error_middleware()
        router = Router()
        for verb in verbs:
            method = getattr(cls, verb.lower())
            own = list(getattr(method, METHOD_MIDDLEWARE_ATTRIBUTE, ()))
            # The view's error handlers answer inside every middleware, so that they see the answer.
            middleware = [*shared, *own, *errors]
            per_verb = dict(options)
            if operation_id is not None:
                per_verb["operation_id"] = f"{operation_id}_{verb.lower()}"
            doc = inspect.getdoc(method)
            if doc and "summary" not in per_verb:  # each operation is summed up by its own method
                per_verb["summary"] = doc.splitlines()[0]
            router.add_route(Route(path, cls.handler_for(verb.lower()), [verb], middleware=middleware, **per_verb))
        return router

    @classmethod
    def _for_request(cls, args: tuple[Any, ...]) -> Any:
        # The instance serving one request. Upstream Nexios' views read `self.request` and
        # `self.res`: set from the request and response the method is given (first, as usual).
        view = cls()
        for value in args[:2]:
            if isinstance(value, Request):
                view.request = value
            elif isinstance(value, Response):
                view.res = view.response = value
        return view

    @classmethod
    def _check_upstream_hooks(cls) -> None:
        # Upstream's views ran every request through `dispatch` (and unknown verbs through
        # `method_not_allowed`); here the router calls each verb's method directly, so an override
        # would be skipped without a word. It is refused when the view is routed instead.
        for hook in ("dispatch", "method_not_allowed"):
            if any(hook in vars(klass) for klass in cls.__mro__ if klass is not APIView):
                raise ImproperlyConfigured(
                    f"{cls.__qualname__}.{hook} would never be called: Nexios routes each verb straight to its "
                    "method (a verb the class lacks is a 405 with Allow). Move code that runs around every "
                    "method into the view's middleware = [...], and exception handling into error_handlers"
                )

    @classmethod
    def _check_constructor(cls) -> None:
        # Each request makes `cls()`: a constructor that needs arguments would fail at every
        # request, so it fails here, when the view is routed.
        try:
            inspect.signature(cls).bind()
        except TypeError:
            raise ImproperlyConfigured(
                f"{cls.__qualname__}() is made for each request without arguments: give the parameters of "
                "its __init__ defaults, or set what it needs as class attributes"
            ) from None
        except ValueError:  # no signature to read (a C-level __init__): nothing to check
            pass

    @classmethod
    def class_middleware(cls) -> list[Any]:
        """``middleware`` and upstream's documented spelling ``middlewares``, in that order."""
        return [*cls.middleware, *getattr(cls, "middlewares", ())]

    @classmethod
    def error_middleware(cls) -> list[Any]:
        """A middleware answering ``error_handlers``' exceptions, innermost (none without them)."""
        handlers = dict(cls.error_handlers)
        if not handlers:
            return []

        async def answer_errors(request: Request, response: Response, call_next: Callable[..., Any]) -> Any:
            try:
                return await call_next()
            except Exception as exc:
                handler = next((handlers[kind] for kind in type(exc).__mro__ if kind in handlers), None)
                if handler is None:
                    raise
                result = handler(request, response, exc)
                return await result if inspect.isawaitable(result) else result

        answer_errors.__qualname__ = f"{cls.__qualname__}.error_handlers"
        return [answer_errors]

    @classmethod
    def handler_for(cls, name: str) -> Callable[..., Any]:
        """A handler calling method ``name`` on a new instance per request, with the method's
        own signature (without ``self``), so that its inputs are read as any handler's are."""
        method = getattr(cls, name)
        if not callable(method):
            raise ImproperlyConfigured(f"{cls.__qualname__}.{name} is not a method")
        signature = inspect.signature(method)
        parameters = list(signature.parameters.values())
        if not parameters or parameters[0].kind not in (parameters[0].POSITIONAL_ONLY,
                                                        parameters[0].POSITIONAL_OR_KEYWORD):
            raise ImproperlyConfigured(f"{cls.__qualname__}.{name} must take self first")

        @functools.wraps(method)
        async def call_async(*args: Any, **kwargs: Any) -> Any:
            return await method(cls._for_request(args), *args, **kwargs)

        @functools.wraps(method)
        def call_sync(*args: Any, **kwargs: Any) -> Any:
            return method(cls._for_request(args), *args, **kwargs)

        # A plain `def` method stays one: the router runs it in a worker thread.
        handler: Callable[..., Any] = call_async if is_async_callable(method) else call_sync
        # The router reads this signature (and, through `__wrapped__`, the annotations).
        handler.__signature__ = signature.replace(parameters=parameters[1:])  # type: ignore[attr-defined]
        handler.__name__ = f"{cls.__name__}.{name}"
        handler.__qualname__ = f"{cls.__qualname__}.{name}"
        return handler


APIHandler = APIView
"""The name upstream Nexios' guide uses for :class:`APIView`."""


__all__ = ["VERBS", "APIHandler", "APIView", "with_middleware"]
