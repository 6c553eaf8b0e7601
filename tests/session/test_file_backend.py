"""The file backend: one JSON file per session, atomic writes, ids that cannot name a path,
expired files removed."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import anyio
import pytest

from nexios.session.file import FileSessionManager
from nexios_session import new_session_id

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_save_load_delete(tmp_path: Path) -> None:
    manager = FileSessionManager(tmp_path / "sessions")
    session_id = new_session_id()
    assert await manager.load(session_id) is None
    await manager.save(session_id, {"user": "alice", "cart": [1, 2]}, 60)
    assert await manager.load(session_id) == {"user": "alice", "cart": [1, 2]}
    await manager.delete(session_id)
    assert await manager.load(session_id) is None
    await manager.delete(session_id)  # deleting twice is not an error


async def test_files_and_directory_are_private_to_the_owner(tmp_path: Path) -> None:
    directory = tmp_path / "sessions"
    manager = FileSessionManager(directory)
    session_id = new_session_id()
    await manager.save(session_id, {"a": 1}, 60)
    path = manager.path_for(session_id)
    assert path is not None and path.parent == directory
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) & 0o077 == 0


@pytest.mark.parametrize(
    "hostile_id",
    [
        "../../../../etc/passwd",
        "..",
        "/etc/passwd",
        "a" * 42 + "/",
        "a" * 42 + "\x00",
        "a" * 44,
        "a" * 42,
        "..%2F..%2Fetc%2Fpasswd",
        "a" * 40 + "..\\",
        "",
    ],
)
async def test_ids_that_could_name_a_path_are_refused(tmp_path: Path, hostile_id: str) -> None:
    victim = tmp_path / "victim.json"
    victim.write_text(json.dumps({"expires": 9e12, "data": {"secret": "x"}}))
    manager = FileSessionManager(tmp_path / "sessions")
    assert manager.path_for(hostile_id) is None
    assert await manager.load(hostile_id) is None
    with pytest.raises(ValueError):
        await manager.save(hostile_id, {"a": 1}, 60)
    await manager.delete(hostile_id)
    assert victim.exists()
    assert not (tmp_path / "sessions").exists() or list((tmp_path / "sessions").iterdir()) == []


async def test_writes_replace_the_file_whole_and_leave_no_temporary_files(tmp_path: Path) -> None:
    directory = tmp_path / "sessions"
    manager = FileSessionManager(directory)
    session_id = new_session_id()

    async def writer(n: int) -> None:
        for i in range(20):
            await manager.save(session_id, {"writer": n, "i": i, "pad": "x" * 5000}, 60)

    async def reader(seen: list[dict[str, object]]) -> None:
        for _ in range(60):
            data = await manager.load(session_id)
            if data is not None:
                seen.append(data)

    seen: list[dict[str, object]] = []
    async with anyio.create_task_group() as group:
        for n in range(4):
            group.start_soon(writer, n)
        group.start_soon(reader, seen)
    # Every read saw one complete write, never a torn or empty file.
    assert seen and all(set(data) == {"writer", "i", "pad"} for data in seen)
    assert [p.name for p in directory.iterdir()] == [f"{session_id}.json"]


async def test_an_expired_session_is_not_loaded_and_its_file_is_removed(tmp_path: Path) -> None:
    clock = Clock()
    manager = FileSessionManager(tmp_path, clock=clock)
    session_id = new_session_id()
    await manager.save(session_id, {"a": 1}, 100)
    clock.now += 99
    assert await manager.load(session_id) == {"a": 1}
    clock.now += 1
    assert await manager.load(session_id) is None
    assert not (tmp_path / f"{session_id}.json").exists()


async def test_a_corrupt_file_reads_as_no_session(tmp_path: Path) -> None:
    manager = FileSessionManager(tmp_path)
    session_id = new_session_id()
    for content in (b"{not json", b"[1, 2]", b'{"expires": "soon", "data": {}}', b"\xff\xfe", b"[" * 100_000):
        (tmp_path / f"{session_id}.json").write_bytes(content)
        assert await manager.load(session_id) is None


async def test_sweep_removes_expired_sessions_only(tmp_path: Path) -> None:
    clock = Clock()
    manager = FileSessionManager(tmp_path, clock=clock)
    short, long_lived = new_session_id(), new_session_id()
    await manager.save(short, {"a": 1}, 10)
    await manager.save(long_lived, {"a": 2}, 1000)
    (tmp_path / "notes.txt").write_text("not a session")
    (tmp_path / "unrelated.json").write_text("{}")
    clock.now += 11
    assert await manager.sweep() == 1
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([f"{long_lived}.json", "notes.txt", "unrelated.json"])


async def test_saving_sweeps_at_most_once_per_interval(tmp_path: Path) -> None:
    clock = Clock()
    manager = FileSessionManager(tmp_path, clock=clock, sweep_interval=3600)
    stale = new_session_id()
    await manager.save(stale, {"a": 1}, 10)  # the first save sweeps (nothing to do yet)
    clock.now += 20
    await manager.save(new_session_id(), {"b": 1}, 1000)
    assert (tmp_path / f"{stale}.json").exists()  # within the interval: no sweep
    clock.now += 3600
    await manager.save(new_session_id(), {"c": 1}, 1000)
    assert not (tmp_path / f"{stale}.json").exists()


async def test_sweep_removes_temporary_files_abandoned_by_a_crash(tmp_path: Path) -> None:
    manager = FileSessionManager(tmp_path)
    abandoned, fresh = tmp_path / ".tmp-abandoned", tmp_path / ".tmp-in-progress"
    abandoned.write_bytes(b"half")
    fresh.write_bytes(b"half")
    two_hours_ago = os.path.getmtime(abandoned) - 7200
    os.utime(abandoned, (two_hours_ago, two_hours_ago))
    await manager.sweep()
    assert not abandoned.exists() and fresh.exists()


async def test_data_that_is_not_json_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    from nexios_session import SessionDataError

    manager = FileSessionManager(tmp_path / "sessions")
    with pytest.raises(SessionDataError):
        await manager.save(new_session_id(), {"x": {1, 2}}, 60)
    assert not (tmp_path / "sessions").exists()
