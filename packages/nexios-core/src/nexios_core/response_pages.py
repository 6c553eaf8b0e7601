"""What the per-request ``response`` builds from the request it answers: a page of a collection
(``response.paginate``) and a rendered template (``response.render``).

Both need the request (its query string, its URL, its session for a CSRF field): the builder
holds no reference to it, so they find it as ``current_request()`` does, at no cost to the
requests that never call them. Kept apart from :mod:`.responses` so that module stays about
building and sending a response.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from .current_app import current_request

if TYPE_CHECKING:
    from .datastructures import MutableHeaders
    from .responses import BaseResponse

_R = TypeVar("_R", bound="PageAndTemplateHelpers")


@runtime_checkable
class TemplateRenderer(Protocol):
    """A template engine an app renders with (``app.templates``; ``nexios.templating`` installs
    one): ``response.render(...)`` calls it."""

    async def render_response(self, request: Any, name: str, context: Mapping[str, Any] | None = None, *,
                              status_code: int = 200, headers: Mapping[str, str] | None = None,
                              stream: bool = False) -> BaseResponse:
        """The response for template ``name`` rendered with ``context`` for ``request``."""
        ...


class PageAndTemplateHelpers:
    """Mixed into the per-request :class:`~nexios_core.responses.Response`."""

    __slots__ = ()

    if TYPE_CHECKING:
        status_code: int

        @property
        def headers(self) -> MutableHeaders: ...

        def json(self: _R, data: Any, status_code: int | None = None,
                 headers: Mapping[str, str] | None = None) -> _R: ...

        def make_response(self, response_class: Any, *args: Any, **kwargs: Any) -> Any: ...

    def paginate(self: _R, items: Any = None, total_items: int | None = None, strategy: Any = "page_number",
                 data_handler: Any = None, *, data: Any = None, **options: Any) -> _R:
        """Send the page of ``items`` (a list, or a ``SyncDataHandler``) that the query string
        asks for, as ``{"items": [...], "pagination": {...}}`` with a ``Link`` header.

        ``strategy``: ``"page_number"`` (``?page=&page_size=``), ``"limit_offset"``,
        ``"cursor"`` (then ``options`` go to its constructor: ``max_page_size=50``...), a strategy
        object, or what ``Depend(strategy.params)`` gave the handler. Bad parameters answer 400.
        See :mod:`nexios_core.pagination`. (``data=`` is accepted for ``items``.)"""
        from .paginators import paginate_request

        result = paginate_request(_request_for("paginate"), _items(items, data), strategy, data_handler,
                                  options, total_items)
        return self._send_page(result)

    async def apaginate(self: _R, items: Any = None, total_items: int | None = None, strategy: Any = "page_number",
                        data_handler: Any = None, *, data: Any = None, **options: Any) -> _R:
        """:meth:`paginate` reading an ``AsyncDataHandler`` (a database query) or a list."""
        from .paginators import apaginate_request

        result = await apaginate_request(_request_for("apaginate"), _items(items, data), strategy, data_handler,
                                         options, total_items)
        return self._send_page(result)

    def _send_page(self: _R, result: dict[str, Any]) -> _R:
        from .pagination import link_header

        self.json(result)
        links = result["pagination"].get("links")
        if links:
            self.headers["link"] = link_header(links)
        return self

    async def render(self: _R, name: str, context: Mapping[str, Any] | None = None,
                     status_code: int | None = None, headers: Mapping[str, str] | None = None, *,
                     stream: bool = False) -> _R:
        """Send template ``name`` rendered with ``context`` as HTML, with the app's template
        engine (``nexios.templating``); ``stream=True`` sends it as it renders. The template sees
        ``request``, ``url_for``, ``csrf_token``/``csrf_input`` and the engine's globals."""
        request = _request_for("render")
        engine = getattr(request.app, "templates", None)
        if engine is None:
            raise RuntimeError(
                "response.render() needs a template engine for this app: "
                "app.install(TemplateEngine(directory='templates')) from nexios.templating"
            )
        made = await engine.render_response(request, name, context, stream=stream)
        self.make_response(made)
        if status_code is not None:
            self.status_code = status_code
        if headers:
            self.headers.update(headers)
        return self


def _request_for(method: str) -> Any:
    request = current_request()
    if request is None:
        raise RuntimeError(
            f"response.{method}() reads the request it answers: call it while handling an HTTP request "
            "(in a handler, a middleware or a dependency)"
        )
    return request


def _items(items: Any, data: Any) -> Any:
    if items is None and data is None:
        raise TypeError("paginate() needs the items (or data=...)")
    if items is not None and data is not None:
        raise TypeError("paginate() takes the items or data=..., not both")
    return items if items is not None else data


__all__ = ["PageAndTemplateHelpers", "TemplateRenderer"]
