"""The session object: a dict that records reads, writes, clears and id changes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from nexios.session.base import BaseSessionInterface
from nexios_session import is_valid_session_id


def test_new_session_is_empty_and_untouched() -> None:
    session = BaseSessionInterface()
    assert not session.accessed and not session.modified
    assert len(session) == 0
    assert session.accessed and not session.modified


def test_reading_marks_accessed_but_not_modified() -> None:
    session = BaseSessionInterface({"user": "alice"}, session_id="x" * 43)
    assert session.get("user") == "alice"
    assert session["user"] == "alice"
    assert "user" in session and list(session.keys()) == ["user"]
    assert dict(session.items()) == {"user": "alice"}
    assert list(session.values()) == ["alice"]
    assert session.accessed and not session.modified
    assert not session.should_set_cookie


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.__setitem__("n", 1),
        lambda s: s.set_session("n", 1),
        lambda s: s.update({"n": 1}),
        lambda s: s.setdefault("n", 1),
        lambda s: s.__delitem__("user"),
        lambda s: s.pop("user"),
        lambda s: s.delete_session("user"),
        lambda s: s.clear(),
    ],
)
def test_every_change_marks_the_session_modified(change: object) -> None:
    session = BaseSessionInterface({"user": "alice"}, session_id="x" * 43)
    change(session)  # type: ignore[operator]
    assert session.modified and session.should_set_cookie


def test_deleting_a_missing_key_with_delete_session_is_not_a_change() -> None:
    session = BaseSessionInterface({"user": "alice"})
    session.delete_session("missing")
    assert not session.modified
    with pytest.raises(KeyError):
        del session["missing"]


def test_nexios_2_helpers() -> None:
    session = BaseSessionInterface()
    assert session.is_empty()
    session.set_session("a", 1)
    assert session.get_session("a") == 1 and session.get_session("b", 2) == 2
    assert dict(session.get_all()) == {"a": 1}
    assert not session.is_empty()


def test_regenerate_moves_data_to_a_new_id_and_retires_the_old_one() -> None:
    old_id = "a" * 43
    session = BaseSessionInterface({"cart": [1]}, session_id=old_id)
    new_id = session.regenerate()
    assert new_id != old_id and is_valid_session_id(new_id)
    assert session.session_id == new_id
    assert session["cart"] == [1]
    assert session._stale_ids == [old_id]
    assert session.modified and session.is_new


def test_clear_forgets_the_id_so_later_data_gets_a_new_one() -> None:
    old_id = "b" * 43
    session = BaseSessionInterface({"user": "alice"}, session_id=old_id)
    session.clear()
    assert dict(session) == {}
    session["user"] = "bob"
    assert session.session_id != old_id
    assert session._stale_ids == [old_id]


def test_a_new_session_gets_a_random_id_on_request() -> None:
    first, second = BaseSessionInterface(), BaseSessionInterface()
    assert is_valid_session_id(first.session_id)
    assert first.session_id != second.session_id
    assert first.session_id == first.session_id  # stable once given


def test_loader_runs_once_on_first_use() -> None:
    calls = []

    def loader() -> tuple[str, dict[str, object]]:
        calls.append(1)
        return "c" * 43, {"theme": "dark"}

    session = BaseSessionInterface(loader=loader)
    assert not session.loaded and calls == []
    assert session["theme"] == "dark" and session.session_id == "c" * 43
    assert session.get("theme") == "dark"
    assert calls == [1] and session.loaded and not session.is_new


def test_expiry_reflects_max_age() -> None:
    session = BaseSessionInterface(max_age=3600)
    assert session.get_expiry_age() == 3600
    expected = datetime.now(timezone.utc) + timedelta(seconds=3600)
    assert abs((session.get_expiry() - expected).total_seconds()) < 5


def test_repr_does_not_show_values() -> None:
    session = BaseSessionInterface({"token": "very-secret"})
    assert "very-secret" not in repr(session) and "token" in repr(session)
