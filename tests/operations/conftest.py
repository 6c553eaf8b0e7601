"""Logging is process-wide: every test here leaves the root logger, the access logger, the
server's loggers, the log-record factory and the request-id binding as it found them."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from nexios_core import request_ids

SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


@pytest.fixture(autouse=True)
def restore_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    root = logging.getLogger()
    access = logging.getLogger("nexios.access")
    saved = (list(root.handlers), root.level, access.level, logging.getLogRecordFactory())
    servers = [(logger, list(logger.handlers), list(logger.filters), logger.level, logger.propagate)
               for logger in map(logging.getLogger, SERVER_LOGGERS)]
    monkeypatch.setattr(request_ids, "_context_wanted", request_ids._context_wanted)
    yield
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    access.setLevel(saved[2])
    logging.setLogRecordFactory(saved[3])
    for logger, handlers, filters, level, propagate in servers:
        logger.handlers[:], logger.filters[:] = handlers, filters
        logger.setLevel(level)
        logger.propagate = propagate
