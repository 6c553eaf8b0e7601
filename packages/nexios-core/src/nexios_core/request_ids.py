"""Request ids: one per request, the client's own when it sent a well-formed one.

The id of a request is the ``X-Request-ID`` header the client (or the proxy in front) sent, when
it is 1 to 128 characters of ``A-Z a-z 0-9 . _ -`` and sent once; otherwise 32 random hex digits. It is made
the first time something asks for it (the echo on the response, a log record, the 500 body) and
kept in the scope, so every part of the request, a mounted app included, sees the same one.

Finding it costs the request path nothing until asked: the app echoes it on every response by
default (``App(echo_request_id=False)`` turns that off), and log records get it from
:func:`current_request_id`, which reads a context variable bound only when logging asks for it
(see :mod:`nexios_core.logs`) and otherwise finds the request on the call stack.
"""

from __future__ import annotations

import binascii
import itertools
import logging
import os
import re
import struct
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from .current_app import current_request, entry_frame
from .types import Scope

REQUEST_ID_HEADER = b"x-request-id"
"""The request and response header carrying the id (lower case, as ASGI headers are)."""
MAX_REQUEST_ID_LENGTH = 128
"""Longer incoming ids are replaced by a new one."""
REQUEST_ID_SCOPE_KEY = "nexios.request_id"
"""Where the id is kept in the scope, as the response header pair ``(b"x-request-id", id)``."""

_WELL_FORMED = re.compile(rb"[A-Za-z0-9._-]+")
_IDS_PER_REFILL = 256

# PERF: new ids come ready-made as response header pairs, 256 at a time from one system call, all
# built in C (`hexlify`'s loop without a separator, `struct` cutting the digits into 32-byte ids,
# `zip` pairing each with the header name as it is taken). Per request, taking one is one `next`:
# no list to grow or shrink, and no tuple allocated once the previous request's pair is gone
# (bench/README.md: the echo's cost).
_cut_ids = struct.Struct("32s" * _IDS_PER_REFILL).unpack
id_header_batch: list[Iterator[tuple[bytes, bytes]]] = [iter(())]
"""The batch new ids are taken from, as the only item of a list (so that every module sees a
refill): ``next(id_header_batch[0])`` is ``(b"x-request-id", new id)``, or ``StopIteration``
when the batch is used up (then call :func:`refill_id_pool`). Threads may take from it at the
same time: ``next`` on it runs in C, and two refills at once only waste the rest of one batch."""


def refill_id_pool() -> tuple[bytes, bytes]:
    """Draw the next batch of 256 ids and take one (see :data:`id_header_batch`)."""
    ids = _cut_ids(binascii.hexlify(os.urandom(16 * _IDS_PER_REFILL)))
    batch = zip(itertools.repeat(REQUEST_ID_HEADER), ids)
    id_header_batch[0] = batch
    return next(batch)


def new_request_id_header() -> tuple[bytes, bytes]:
    """``(b"x-request-id", new id)`` with a new random id."""
    try:
        return next(id_header_batch[0])
    except StopIteration:
        return refill_id_pool()


def _forget_batch() -> None:
    id_header_batch[0] = iter(())


if hasattr(os, "register_at_fork"):
    # A forked worker must not hand out the ids its parent drew.
    os.register_at_fork(after_in_child=_forget_batch)


def new_request_id() -> bytes:
    """A new random id: 32 lower-case hex digits (128 bits), as ASCII bytes."""
    return new_request_id_header()[1]


def is_well_formed_request_id(value: str | bytes) -> bool:
    """Whether ``value`` is acceptable as a request id from a client (1 to 128 characters of
    letters, digits, ``.``, ``_`` and ``-``: nothing that could forge a log line or a header)."""
    if isinstance(value, str):
        if not value.isascii():
            return False
        value = value.encode("ascii")
    return 0 < len(value) <= MAX_REQUEST_ID_LENGTH and _WELL_FORMED.fullmatch(value) is not None


def request_id_header(scope: Scope) -> tuple[bytes, bytes]:
    """``(b"x-request-id", id)``: the response header naming the request's id, made on first use
    and kept in the scope (so the whole request, and a mounted app, see the same one)."""
    if REQUEST_ID_SCOPE_KEY in scope:
        return scope[REQUEST_ID_SCOPE_KEY]  # type: ignore[no-any-return]
    for name, _ in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER:
            found = _client_request_id_header(scope)
            break
    else:
        found = new_request_id_header()
    scope[REQUEST_ID_SCOPE_KEY] = found
    return found


def _client_request_id_header(scope: Scope) -> tuple[bytes, bytes]:
    """The header pair of the id the client sent, or of a new one when it sent a malformed id
    or more than one."""
    given = None
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER:
            if given is not None:
                # Two ids (a client's and a proxy's, or a forgery next to the real one): no way
                # to tell which to trust, so neither is used.
                given = b""
                break
            given = value
    if given and len(given) <= MAX_REQUEST_ID_LENGTH and _WELL_FORMED.fullmatch(given):
        return (REQUEST_ID_HEADER, bytes(given))
    return new_request_id_header()


def raw_request_id(scope: Scope) -> bytes:
    """The id of the request described by ``scope`` as ASCII bytes, made on first use."""
    return request_id_header(scope)[1]


def request_id(scope: Scope) -> str:
    """The id of the request (or WebSocket connection) described by ``scope``."""
    return raw_request_id(scope).decode("ascii")


# ------------------------------------------------------------------------------ log records
_CURRENT: ContextVar[str | None] = ContextVar("nexios_request_id", default=None)
_context_wanted = False


def bind_request_ids() -> None:
    """Ask every app started from now on to bind each request's id in a context variable for
    the time it is handled, so that log records from threads and tasks the handler starts carry
    it too (without it, :func:`current_request_id` finds it on the call stack, which covers
    code running in the request's own task). :class:`RequestIdFilter`,
    :func:`install_request_id_records` and :func:`nexios_core.logs.setup_logging` call it.

    Process-wide on purpose, as logging's own configuration is.
    """
    global _context_wanted
    _context_wanted = True


def request_ids_bound() -> bool:
    """Whether :func:`bind_request_ids` was called (apps read it once, at start-up)."""
    return _context_wanted


def bind_current_request_id(value: str) -> Any:
    """Make ``value`` the current request id; returns the token for :func:`unbind_current_request_id`."""
    return _CURRENT.set(value)


def unbind_current_request_id(token: Any) -> None:
    """Undo :func:`bind_current_request_id`."""
    _CURRENT.reset(token)


def current_request_id() -> str | None:
    """The id of the request being handled by the code that calls this, or ``None`` outside
    of one (a start-up hook, a script)."""
    bound = _CURRENT.get()
    if bound is not None:
        return bound
    frame = entry_frame(sys._getframe(1))
    scope = frame.f_locals.get("scope") if frame is not None else None
    if scope is None:  # a sync handler's worker thread knows its request
        request = current_request()
        scope = request.scope if request is not None else None
    if isinstance(scope, dict) and scope.get("type") in ("http", "websocket"):
        return request_id(scope)
    return None


class RequestIdFilter(logging.Filter):
    """A logging filter that sets ``record.request_id`` (``"-"`` outside a request) and lets
    every record through. Add it to a handler and use ``%(request_id)s`` in its format::

        handler.addFilter(RequestIdFilter())
    """

    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        bind_request_ids()

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True


def install_request_id_records() -> None:
    """Give every log record a ``request_id`` attribute from the moment it is made, whatever
    handler or formatter writes it (a log record factory, installed once)."""
    bind_request_ids()
    factory = logging.getLogRecordFactory()
    if getattr(factory, "_nexios_request_ids", False):
        return

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        record.request_id = current_request_id() or "-"
        return record

    make_record._nexios_request_ids = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)


__all__ = [
    "MAX_REQUEST_ID_LENGTH",
    "REQUEST_ID_HEADER",
    "REQUEST_ID_SCOPE_KEY",
    "RequestIdFilter",
    "bind_current_request_id",
    "bind_request_ids",
    "current_request_id",
    "install_request_id_records",
    "is_well_formed_request_id",
    "new_request_id",
    "raw_request_id",
    "request_id",
    "request_id_header",
    "request_ids_bound",
    "unbind_current_request_id",
]
