"""``nexios.templating``: server-rendered HTML with Jinja2 (``pip install 'nexios[templates]'``).

One engine per app, installed once::

    templates = TemplateEngine(directory=Path(__file__).parent / "templates")
    app.install(templates)

    @app.get("/books/{book_id:int}")
    async def book(request, response, book_id: int):
        return await response.render("book.html", {"book": BOOKS[book_id]})

- Autoescaping is on for ``.html``, ``.htm``, ``.xml`` and ``.xhtml`` templates: every value put
  in the page is escaped unless it is marked safe (``csrf_input()`` is).
- Every template sees ``request``, ``url_for(name, **params)``, ``csrf_token()`` and
  ``csrf_input()`` (with ``CSRFMiddleware``), the engine's globals and filters, and what its
  context processors return for the request.
- A template that does not exist fails with an error naming the directories searched. An error
  while rendering answers 500, logged with the template's name and line; with ``debug=True`` the
  error page shows them, with the template line in question.
- ``stream=True`` sends the page as it renders (a long listing reaches the browser sooner).

Upstream Nexios' API works too: ``TemplateEngine().setup_environment(TemplateConfig(...))``,
``await render("page.html", {...}, request=request)`` and the ``template_context`` middleware
(``nexios.templating.middleware``).
"""

from __future__ import annotations

import inspect
import os
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import jinja2
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("nexios.templating needs Jinja2: pip install 'nexios[templates]'") from exc

from nexios_core import (
    BaseResponse,
    HTMLResponse,
    HTTPException,
    ImproperlyConfigured,
    StreamingResponse,
    current_app,
    current_request,
)

from ._context import base_context

AUTOESCAPED_EXTENSIONS = ("html", "htm", "xml", "xhtml")
"""Templates whose file name ends with one of these are autoescaped."""
ContextProcessor = Callable[[Any], Any]
"""``processor(request)`` returning (or resolving to) a mapping of extra template variables."""


@dataclass
class TemplateConfig:
    """How an engine finds and renders templates (upstream Nexios' fields, and ours)."""

    template_dir: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] = "templates"
    """The directory (or directories, searched in order) holding the templates."""
    cache_size: int = 100
    """Compiled templates kept in memory."""
    auto_reload: bool = True
    """Check each template's file for changes before using its compiled form."""
    encoding: str = "utf-8"
    enable_async: bool = True
    """Render with ``await`` (templates may then call async functions)."""
    trim_blocks: bool = True
    lstrip_blocks: bool = True
    custom_filters: dict[str, Callable[..., Any]] = field(default_factory=dict)
    custom_globals: dict[str, Any] = field(default_factory=dict)
    context_processors: list[ContextProcessor] = field(default_factory=list)
    """Called with the request for every render; what they return is added to the context."""


class TemplateRenderError(RuntimeError):
    """Rendering a template failed: the message names the template and the line (its cause is the
    original error). Uncaught, it answers 500 and is logged."""

    def __init__(self, name: str, error: BaseException, line: int | None = None, source: str | None = None) -> None:
        where = f"template {name!r}" + (f", line {line}" if line else "")
        message = f"Error in {where}: {type(error).__name__}: {error}"
        if line and source:
            lines = source.splitlines()
            if 0 < line <= len(lines):
                message += f"\n    {line} | {lines[line - 1].strip()}"
        super().__init__(message)
        self.template_name = name
        self.line = line


_last_engine: TemplateEngine | None = None
"""The engine set up last: upstream's ``render()`` falls back on it outside any app's request."""


class TemplateEngine:
    """A Jinja2 environment configured once, and the responses it renders.

    ``TemplateEngine(directory=...)`` (or ``TemplateEngine(TemplateConfig(...))``);
    ``app.install(engine)`` makes it the app's (``response.render`` uses it). Other keyword
    arguments are :class:`TemplateConfig` fields. An engine made without any reads the app
    config's ``templating`` section when installed (``{"template_dir": ..., ...}``), as
    upstream Nexios did.
    """

    name = "nexios.templating"
    """The plugin name (``app.plugins["nexios.templating"]``)."""

    def __init__(self, config: TemplateConfig | None = None, *, directory: Any = None, **options: Any) -> None:
        if config is not None and (directory is not None or options):
            raise TypeError("Give a TemplateConfig or keyword options, not both")
        self.configured = config is not None or directory is not None or bool(options)
        """Whether settings were given here (otherwise the app config's ``templating`` applies)."""
        if config is None:
            if directory is not None:
                options["template_dir"] = directory
            config = TemplateConfig(**options)
        self.config = config
        self.context_processors: list[ContextProcessor] = list(config.context_processors)
        self._environment: jinja2.Environment | None = None

    # ---------------------------------------------------------------- configuring
    def setup(self, app: Any) -> None:
        """Become ``app``'s engine (what ``app.install(engine)`` calls); checks the directories."""
        config = None if self.configured else _config_section(getattr(app, "config", None))
        self.setup_environment(config)
        app.templates = self

    def setup_environment(self, config: TemplateConfig | None = None) -> jinja2.Environment:
        """Build the Jinja2 environment (with ``config``, if given, replacing the engine's).
        Upstream Nexios' entry point: an engine made without settings and given no ``config``
        reads ``get_config().templating`` (a ``TemplateConfig`` or a mapping of its fields), as
        upstream did. The engine becomes the one ``render()`` falls back on."""
        global _last_engine
        if config is None and not self.configured:
            config = _config_section(_current_config())
        if config is not None:
            self.config = config
            self.context_processors = list(config.context_processors)
        directories = self.search_path()
        missing = [str(path) for path in directories if not path.is_dir()]
        if missing:
            raise ImproperlyConfigured(
                f"Template directory {', '.join(missing)} does not exist (relative paths start from "
                f"{os.getcwd()}); pass directory=Path(__file__).parent / 'templates'"
            )
        cfg = self.config
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(path) for path in directories], encoding=cfg.encoding),
            autoescape=jinja2.select_autoescape(AUTOESCAPED_EXTENSIONS, default_for_string=True),
            cache_size=cfg.cache_size, auto_reload=cfg.auto_reload, enable_async=cfg.enable_async,
            trim_blocks=cfg.trim_blocks, lstrip_blocks=cfg.lstrip_blocks,
        )
        environment.filters.update(cfg.custom_filters)
        environment.globals.update(cfg.custom_globals)
        self._environment = environment
        _last_engine = self
        return environment

    @property
    def environment(self) -> jinja2.Environment:
        """The Jinja2 environment (built on first use)."""
        return self._environment if self._environment is not None else self.setup_environment()

    def search_path(self) -> list[Path]:
        """The template directories, absolute, in the order they are searched."""
        configured = self.config.template_dir
        items: Iterable[Any] = [configured] if isinstance(configured, (str, os.PathLike)) else configured
        return [Path(item).resolve() for item in items]

    def context_processor(self, processor: ContextProcessor) -> ContextProcessor:
        """Decorator: add ``processor(request)`` (sync or async) to every render's context."""
        self.context_processors.append(processor)
        return processor

    def add_filter(self, name: str, function: Callable[..., Any]) -> None:
        """Make ``function`` a filter in templates (``{{ value | name }}``)."""
        self.environment.filters[name] = function

    def add_global(self, name: str, value: Any) -> None:
        """Make ``value`` available in every template."""
        self.environment.globals[name] = value

    # ---------------------------------------------------------------- rendering
    def get_template(self, name: str) -> jinja2.Template:
        """The compiled template ``name``; a missing one raises ``TemplateNotFound`` naming the
        directories searched."""
        try:
            return self.environment.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateRenderError(exc.name or name, exc, exc.lineno, exc.source) from exc
        except jinja2.TemplateNotFound as exc:
            searched = ", ".join(str(path) for path in self.search_path())
            raise jinja2.TemplateNotFound(name, f"Template {name!r} not found in {searched}") from exc

    async def render(self, name: str, context: Mapping[str, Any] | None = None, **values: Any) -> str:
        """Template ``name`` rendered with ``context`` and ``values`` (no request variables)."""
        template = self.get_template(name)
        variables = {**(context or {}), **values}
        rendered: str = await self._guarded(name, self._render(template, variables))
        return rendered

    async def context_for(self, request: Any, context: Mapping[str, Any] | None) -> dict[str, Any]:
        """Everything a template rendered for ``request`` sees: the request variables, the
        context processors' values, ``context``, then ``request.state.template_context`` (the
        ``template_context`` middleware's, which upstream Nexios lets win)."""
        variables = base_context(request)
        for processor in self.context_processors:
            extra = processor(request)
            if inspect.isawaitable(extra):
                extra = await extra
            variables.update(extra or {})
        variables.update(context or {})
        state_context = getattr(request.state, "template_context", None)
        if isinstance(state_context, Mapping):
            variables.update(state_context)
        return variables

    async def render_response(self, request: Any, name: str, context: Mapping[str, Any] | None = None, *,
                              status_code: int = 200, headers: Mapping[str, str] | None = None,
                              stream: bool = False) -> BaseResponse:
        """The HTML response for template ``name`` (what ``response.render`` sends)."""
        template = self.get_template(name)
        variables = await self.context_for(request, context)
        if not stream:
            body = await self._guarded(name, self._render(template, variables))
            return HTMLResponse(body, status_code=status_code, headers=headers)
        chunks = self._stream(name, template, variables)
        # The first chunk is rendered now: an error at the top of the page is still a clean 500.
        first = await self._guarded(name, chunks.__anext__(), empty_ok=True)
        return StreamingResponse(_prepend(first, chunks), status_code=status_code, headers=headers,
                                 media_type="text/html")

    async def _render(self, template: jinja2.Template, variables: dict[str, Any]) -> str:
        if self.config.enable_async:
            return await template.render_async(variables)
        return template.render(variables)

    async def _stream(self, name: str, template: jinja2.Template, variables: dict[str, Any]) -> AsyncIterator[str]:
        # An error once the response has started cannot become a 500: it is raised with the
        # template's name and line, and the server cuts the transfer short.
        try:
            if self.config.enable_async:
                generated: Any = template.generate_async(variables)
                async for chunk in generated:
                    yield chunk
            else:
                for chunk in template.generate(variables):
                    yield chunk
        except (HTTPException, TemplateRenderError):
            raise
        except Exception as exc:
            raise _render_error(name, exc) from exc

    async def _guarded(self, name: str, awaitable: Any, empty_ok: bool = False) -> Any:
        try:
            return await awaitable
        except StopAsyncIteration:
            if empty_ok:
                return None
            raise
        except (HTTPException, TemplateRenderError):
            raise  # an answer on purpose, or already named
        # Anything else, a missing `{% include %}` or `{% extends %}` target included: named with
        # the template and line that asked for it.
        except Exception as exc:
            raise _render_error(name, exc) from exc


def _current_config() -> Any:
    from ..config import get_config  # the facade's accessor: the current app's config, or the last set

    try:
        return get_config()
    except RuntimeError:  # no config anywhere yet: the defaults apply
        return None


def _config_section(config: Any) -> TemplateConfig | None:
    # The `templating` section of an app config: a TemplateConfig (upstream's spelling,
    # `MakeConfig({"templating": TemplateConfig(...)})`), a mapping of its fields, or absent.
    section = config.get("templating") if isinstance(config, Mapping) else getattr(config, "templating", None)
    if section is None or isinstance(section, TemplateConfig):
        return section
    if isinstance(section, Mapping):
        try:
            return TemplateConfig(**section)
        except TypeError as exc:
            raise ImproperlyConfigured(f"The config's templating section is not a TemplateConfig: {exc}") from None
    raise ImproperlyConfigured(
        f"The config's templating section is a {type(section).__name__}: "
        "give a TemplateConfig or a mapping of its fields"
    )


def _render_error(name: str, exc: BaseException) -> TemplateRenderError:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateRenderError(exc.name or name, exc, exc.lineno, exc.source)
    # Jinja rewrites the traceback so that template lines appear as frames of the template's
    # file (marked with `__jinja_exception__`): the innermost one is where rendering failed.
    line, failed, source = None, name, None
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if "__jinja_exception__" in frame.f_globals:
            filename = frame.f_code.co_filename
            line, failed = tb.tb_lineno, name if filename.startswith("<") else os.path.basename(filename)
            source = _read(filename)
        tb = tb.tb_next
    return TemplateRenderError(failed, exc, line, source)


def _read(filename: str) -> str | None:
    try:
        return Path(filename).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError):
        return None


async def _prepend(first: str | None, rest: AsyncIterator[str]) -> AsyncIterator[str]:
    if first is None:
        return
    yield first
    async for chunk in rest:
        yield chunk


def engine_for(request: Any = None) -> TemplateEngine:
    """The engine of ``request``'s app (or of the app handling the current request), else the
    engine set up last; ``NotImplementedError`` without one (as upstream Nexios did)."""
    request = request if request is not None else current_request()
    app = request.app if request is not None else current_app()
    engine = getattr(app, "templates", None) if app is not None else None
    if engine is None:
        engine = _last_engine
    if engine is None:
        raise NotImplementedError(
            "No template engine: app.install(TemplateEngine(directory='templates')) from nexios.templating"
        )
    chosen: TemplateEngine = engine
    return chosen


async def render(name: str, context: Mapping[str, Any] | None = None, status_code: int = 200,
                 headers: Mapping[str, str] | None = None, request: Any = None, **values: Any) -> BaseResponse:
    """Upstream Nexios' helper: an HTML response for template ``name``, rendered by the engine of
    the app handling ``request`` (default: the current request)."""
    request = request if request is not None else current_request()
    engine = engine_for(request)
    variables = {**(context or {}), **values}
    if request is None:
        return HTMLResponse(await engine.render(name, variables), status_code=status_code, headers=headers)
    return await engine.render_response(request, name, variables, status_code=status_code, headers=headers)


__all__ = [
    "AUTOESCAPED_EXTENSIONS",
    "ContextProcessor",
    "TemplateConfig",
    "TemplateEngine",
    "TemplateRenderError",
    "engine_for",
    "render",
]
