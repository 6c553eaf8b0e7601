"""Logging is process-wide: every test here leaves the root logger, the access logger, the
log-record factory and the request-id binding as it found them."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from nexios_core import request_ids


@pytest.fixture(autouse=True)
def restore_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    root = logging.getLogger()
    access = logging.getLogger("nexios.access")
    saved = (list(root.handlers), root.level, access.level, logging.getLogRecordFactory())
    monkeypatch.setattr(request_ids, "_context_wanted", request_ids._context_wanted)
    yield
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    access.setLevel(saved[2])
    logging.setLogRecordFactory(saved[3])
