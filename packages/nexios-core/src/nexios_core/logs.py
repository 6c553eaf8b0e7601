"""Setting up logs for production: plain text (the default) or one JSON object per line.

``setup_logging(format="json")`` is the one call: it sends every record (yours, the framework's,
the server's) to stderr in the chosen format, turns on the access log (``nexios.access``: one
record per request with its method, route template, status, duration, client and request id)
and gives every record the id of the request it was made for, from code running in the
request's task, in a worker thread or in a task it started. ``nexios run --log-format json`` does
the same for the server it starts.

A JSON line holds ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, ``request_id``,
then whichever of ``method``, ``route``, ``status``, ``duration_ms``, ``client`` the record has,
``trace_id`` and ``span_id`` when an OpenTelemetry span is current, and ``exception`` (the
traceback) for errors. Nothing Nexios logs holds a header, a cookie, a query string or a body.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import IO, Any, Literal

from .request_ids import bind_request_ids, current_request_id, install_request_id_records
from .request_log import ACCESS_LOGGER

LogFormat = Literal["text", "json"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
"""The line ``setup_logging(format="text")`` writes (``%(request_id)s`` is ``-`` outside requests)."""

ACCESS_FIELDS = ("method", "route", "status", "duration_ms", "client")
"""Record attributes a JSON line carries when present (access records set them all)."""


class JSONFormatter(logging.Formatter):
    """One JSON object per line (see the module documentation for the fields). Usable on its
    own in any logging configuration: ``{"()": "nexios_core.logs.JSONFormatter"}``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bind_request_ids()  # records from worker threads and tasks get their request's id too

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": _request_id_of(record),
        }
        for field in ACCESS_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        entry.update(_trace_ids())
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        line = json.dumps(entry, default=str, ensure_ascii=False, separators=(",", ":"))
        if not line.isascii():
            # JSON leaves these unescaped, yet many readers (Python's splitlines, some editors and
            # shippers) end a line at them: a client's text in a message would split the object.
            line = line.translate(_LINE_BREAKS_ESCAPED)
        return line


_LINE_BREAKS_ESCAPED = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}


class TextFormatter(logging.Formatter):
    """:data:`TEXT_FORMAT` lines; ``%(request_id)s`` works even for records made before the
    request-id record factory was installed."""

    def __init__(self, fmt: str | None = None, datefmt: str | None = None, **kwargs: Any) -> None:
        super().__init__(fmt or TEXT_FORMAT, datefmt, **kwargs)
        bind_request_ids()

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id_of(record) or "-"
        return super().format(record)


def _request_id_of(record: logging.LogRecord) -> str | None:
    value = getattr(record, "request_id", None)
    if value is None or value == "-":
        value = current_request_id()
    return value


def _trace_ids() -> Mapping[str, str]:
    # Only when OpenTelemetry is already in use: a log line never imports it.
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None:
        return {}
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return {}
    return {"trace_id": format(context.trace_id, "032x"), "span_id": format(context.span_id, "016x")}


class ServerAccessLinesFilter(logging.Filter):
    """Drops the access lines a server writes among its own messages: uvicorn logs each
    WebSocket handshake on ``uvicorn.error`` with the raw path and query string (where a token
    often travels, as browsers cannot set headers on a WebSocket). ``nexios.access`` writes
    those connections instead, by route template. Everything else passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith('%s - "WebSocket %s"'))


SERVER_LOGGERS = ("uvicorn", "uvicorn.error")
"""The server's loggers that :func:`setup_logging` sends through its own handler."""
SERVER_ACCESS_LOGGER = "uvicorn.access"
"""The server's access log (raw paths and query strings), turned off: ``nexios.access`` replaces it."""


def _take_over_server_loggers() -> None:
    # uvicorn configures its loggers (own handlers, no propagation) before it imports the app:
    # undo that so its lines reach our handler, and silence its access log.
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    error_logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(existing, ServerAccessLinesFilter) for existing in error_logger.filters):
        error_logger.addFilter(ServerAccessLinesFilter())
    access = logging.getLogger(SERVER_ACCESS_LOGGER)
    access.handlers.clear()
    access.propagate = False
    access.setLevel(logging.WARNING)


_HANDLER_MARK = "_nexios_setup_logging"


def setup_logging(format: LogFormat = "text", level: int | str = "INFO", *,
                  stream: IO[str] | None = None, access_log: bool = True) -> logging.Handler:
    """Send every log record to ``stream`` (stderr) in ``format`` (``"text"`` or ``"json"``),
    at ``level`` and above; with ``access_log``, one record per request on ``nexios.access``.
    uvicorn's loggers lose their own handlers and write through this one; its access log
    (raw paths and query strings) is turned off, as are its WebSocket handshake lines.
    Call it before the app starts (apps decide at start-up whether to write access records).
    Calling it again replaces the handler it added before, as it replaces the one
    :func:`logging_config` set up (``nexios run --log-format``). Returns that handler."""
    if format not in ("text", "json"):
        raise ValueError(f"Log format must be 'text' or 'json', not {format!r}")
    install_request_id_records()
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JSONFormatter() if format == "json" else TextFormatter())
    setattr(handler, _HANDLER_MARK, True)
    root = logging.getLogger()
    # One handler writing Nexios's format at a time: the one added by an earlier call, or by
    # logging_config() (``nexios run --log-format``, whose worker processes configure logging
    # before importing an app module that calls this too), is replaced, or every line would be
    # written twice.
    for previous in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)
                     or isinstance(h.formatter, (JSONFormatter, TextFormatter))]:
        root.removeHandler(previous)
    root.addHandler(handler)
    root.setLevel(level)
    _take_over_server_loggers()
    logging.getLogger(ACCESS_LOGGER).setLevel(logging.INFO if access_log else logging.WARNING)
    return handler


def logging_config(format: LogFormat = "text", level: int | str = "INFO", *,
                   access_log: bool = True) -> dict[str, Any]:
    """The same set-up as :func:`setup_logging`, as a :func:`logging.config.dictConfig`
    dictionary (servers that configure logging in each worker process take one: ``nexios run``
    hands it to uvicorn). The server's own access log is left off: ``nexios.access`` replaces it."""
    formatter = ({"()": "nexios_core.logs.JSONFormatter"} if format == "json"
                 else {"()": "nexios_core.logs.TextFormatter"})
    handler = {"class": "logging.StreamHandler", "formatter": "nexios", "stream": "ext://sys.stderr"}
    level_name = level if isinstance(level, int) else level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"nexios": formatter},
        "filters": {"server_access_lines": {"()": "nexios_core.logs.ServerAccessLinesFilter"}},
        "handlers": {"nexios": handler},
        "root": {"handlers": ["nexios"], "level": level_name},
        "loggers": {
            # uvicorn's loggers write through their own handlers by default: send them to ours.
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True, "filters": ["server_access_lines"]},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            ACCESS_LOGGER: {"level": "INFO" if access_log else "WARNING"},
        },
    }


__all__ = [
    "ACCESS_FIELDS",
    "JSONFormatter",
    "LogFormat",
    "SERVER_ACCESS_LOGGER",
    "SERVER_LOGGERS",
    "ServerAccessLinesFilter",
    "TEXT_FORMAT",
    "TextFormatter",
    "logging_config",
    "setup_logging",
]
