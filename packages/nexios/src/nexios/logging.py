"""``nexios.logging``: the standard library's logging names, and upstream Nexios's
``create_logger`` for a ready-to-use logger."""

from __future__ import annotations

import logging as _logging
import sys
from logging import (
    CRITICAL,
    DEBUG,
    ERROR,
    INFO,
    WARNING,
    FileHandler,
    Formatter,
    Handler,
    Logger,
    LoggerAdapter,
    StreamHandler,
    basicConfig,
    getLogger,
)
from logging.handlers import RotatingFileHandler

DEFAULT_FORMAT = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"
"""The line format :func:`create_logger` gives its handlers."""


def create_logger(
    logger_name: str = "nexios",
    log_level: int = DEBUG,
    log_file: str | None = None,
    *,
    max_bytes: int = 10 * 1024 * 1024,
    backup_count: int = 5,
) -> Logger:
    """The logger ``logger_name`` at ``log_level``, writing to stderr and, with ``log_file``, to
    that file (rotated at ``max_bytes``, ``backup_count`` old files kept). Calling it again for
    the same logger does not add its handlers twice."""
    logger = getLogger(logger_name)
    logger.setLevel(log_level)
    formatter = Formatter(DEFAULT_FORMAT)
    marker = "_nexios_create_logger"
    if not any(getattr(handler, marker, None) == "stream" for handler in logger.handlers):
        stream = StreamHandler(sys.stderr)
        stream.setFormatter(formatter)
        setattr(stream, marker, "stream")
        logger.addHandler(stream)
    if log_file is not None and not any(
        getattr(handler, marker, None) == f"file:{log_file}" for handler in logger.handlers
    ):
        file_handler = RotatingFileHandler(log_file, maxBytes=max_bytes, backupCount=backup_count)
        file_handler.setFormatter(formatter)
        setattr(file_handler, marker, f"file:{log_file}")
        logger.addHandler(file_handler)
    return logger


NOTSET = _logging.NOTSET

__all__ = [
    "CRITICAL",
    "DEBUG",
    "DEFAULT_FORMAT",
    "ERROR",
    "INFO",
    "NOTSET",
    "WARNING",
    "FileHandler",
    "Formatter",
    "Handler",
    "Logger",
    "LoggerAdapter",
    "RotatingFileHandler",
    "StreamHandler",
    "basicConfig",
    "create_logger",
    "getLogger",
]
