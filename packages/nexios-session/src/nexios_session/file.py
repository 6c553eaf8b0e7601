"""Sessions stored as JSON files in a directory, one file per session.

Safe by construction rather than by care: a file name is built only from an id that matches
:data:`~nexios_session.interface.SESSION_ID_PATTERN` (no dots, no slashes: it cannot name another
path); writes go to a temporary file in the same directory and are renamed over the old one, so a
reader sees the old session or the new one, never half of either; expired files are removed when
they are read and by a sweep that runs at most once per ``sweep_interval``. Disk I/O runs in worker
threads so the event loop never waits on the file system.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import anyio.to_thread

from . import _json
from .interface import is_valid_session_id

_SUFFIX = ".json"
_TEMP_PREFIX = ".tmp-"
# A temporary file this old was left by a crash mid-write; younger ones may be in use.
_ABANDONED_TEMP_AGE = 3600.0


class FileSessionManager:
    """A :class:`~nexios_session.interface.SessionBackend` writing one file per session under
    ``directory`` (created on first save, owner-only permissions).

    ``sweep_interval`` is the least time in seconds between sweeps for expired files (the first
    save runs one); ``clock`` returns the current Unix time (tests pass their own).
    """

    def __init__(
        self,
        directory: str | os.PathLike[str] = "sessions",
        *,
        sweep_interval: float = 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.directory = Path(directory)
        self.sweep_interval = sweep_interval
        self.clock = clock
        self._next_sweep = float("-inf")

    def path_for(self, session_id: str) -> Path | None:
        """The file for ``session_id``; ``None`` when the id is not one this package issues."""
        if not is_valid_session_id(session_id):
            return None
        return self.directory / (session_id + _SUFFIX)

    # ---------------------------------------------------------------- the backend interface
    async def load(self, session_id: str) -> dict[str, Any] | None:
        """The session's data; ``None`` when unknown, unreadable or expired (the file is removed)."""
        path = self.path_for(session_id)
        if path is None:
            return None
        return await anyio.to_thread.run_sync(self._read, path)

    async def save(self, session_id: str, data: Mapping[str, Any], max_age: int) -> None:
        """Write the session atomically; it expires ``max_age`` seconds from now."""
        path = self.path_for(session_id)
        if path is None:
            raise ValueError("Refusing to save a session under an id this package did not issue")
        now = self.clock()
        # Encoded here, not in the thread, so an unserialisable value fails with a clear error.
        record = _json.dumps({"expires": now + max_age, "data": dict(data)}).encode("utf-8")
        sweep = now >= self._next_sweep
        if sweep:
            self._next_sweep = now + self.sweep_interval
        await anyio.to_thread.run_sync(self._write, path, record, sweep)

    async def delete(self, session_id: str) -> None:
        """Remove the session's file, if any."""
        path = self.path_for(session_id)
        if path is not None:
            await anyio.to_thread.run_sync(_unlink, path)

    async def sweep(self) -> int:
        """Remove every expired session file now; returns how many were removed."""
        self._next_sweep = self.clock() + self.sweep_interval
        return await anyio.to_thread.run_sync(self._sweep)

    # ---------------------------------------------------------------- blocking parts (threads)
    def _read(self, path: Path) -> dict[str, Any] | None:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        data = self._live_data(raw)
        if data is None:  # expired or corrupt: it can never be loaded, so it goes now
            _unlink(path)
        return data

    def _live_data(self, raw: bytes) -> dict[str, Any] | None:
        record = _json.loads_data(raw)
        if record is None:
            return None
        expires, data = record.get("expires"), record.get("data")
        if not isinstance(expires, (int, float)) or not isinstance(data, dict):
            return None
        return data if expires > self.clock() else None

    def _write(self, path: Path, record: bytes, sweep: bool) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkstemp creates the file with mode 0600: other local users cannot read sessions.
        fd, temp_name = tempfile.mkstemp(dir=self.directory, prefix=_TEMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as temp:
                temp.write(record)
            os.replace(temp_name, path)
        except BaseException:
            _unlink(Path(temp_name))
            raise
        if sweep:
            self._sweep()

    def _sweep(self) -> int:
        removed = 0
        try:
            entries = list(os.scandir(self.directory))
        except FileNotFoundError:
            return 0
        for entry in entries:
            name = entry.name
            if name.startswith(_TEMP_PREFIX):
                with contextlib.suppress(OSError):
                    if entry.stat().st_mtime < time.time() - _ABANDONED_TEMP_AGE:
                        _unlink(Path(entry.path))
                continue
            if not name.endswith(_SUFFIX) or not is_valid_session_id(name[: -len(_SUFFIX)]):
                continue  # not ours: never delete a file this backend did not write
            try:
                raw = Path(entry.path).read_bytes()
            except OSError:
                continue
            if self._live_data(raw) is None:
                _unlink(Path(entry.path))
                removed += 1
        return removed


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


__all__ = ["FileSessionManager"]
