"""The API key backend: header or (opt-in) query parameter, static keys compared in constant time,
or a pluggable sync/async lookup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from nexios_auth import APIKeyAuthBackend, AuthenticationMiddleware, SimpleUser
from nexios_core.app import App
from nexios_core.dispatch import HandlerDispatcher
from nexios_core.exceptions import ImproperlyConfigured
from nexios_core.request import Request
from nexios_core.responses import Response

pytestmark = pytest.mark.anyio

Client = Callable[..., httpx.AsyncClient]
ROBOT = SimpleUser("robot", ["read"])
KEYS = {"key-one": ROBOT, "key-two": SimpleUser("other", ["write"])}


async def whoami(request: Request, response: Response) -> dict[str, Any]:
    return {"user": request.user.display_name if request.user else None,
            "scopes": sorted(request.auth.scopes), "backend": request.auth.backend}


async def get(client_for: Client, backend: APIKeyAuthBackend, url: str = "/",
              headers: dict[str, str] | None = None) -> dict[str, Any]:
    app = App(dispatcher=HandlerDispatcher(whoami), middlewares=[AuthenticationMiddleware(backend=backend)])
    async with client_for(app) as client:
        return (await client.get(url, headers=headers)).json()  # type: ignore[no-any-return]


async def test_key_in_the_default_header_authenticates(client_for: Client) -> None:
    result = await get(client_for, APIKeyAuthBackend(keys=KEYS), headers={"X-API-Key": "key-two"})
    assert result == {"user": "other", "scopes": ["write"], "backend": "apikey"}


async def test_unknown_missing_or_near_miss_keys_are_anonymous(client_for: Client) -> None:
    backend = APIKeyAuthBackend(keys=KEYS)
    for headers in ({}, {"x-api-key": "nope"}, {"x-api-key": "key-on"}, {"x-api-key": "key-one "},
                    {"x-api-key": ""}):
        assert (await get(client_for, backend, headers=headers))["user"] is None, headers


async def test_query_parameter_is_read_only_when_enabled(client_for: Client) -> None:
    default = APIKeyAuthBackend(keys=KEYS)
    enabled = APIKeyAuthBackend(keys=KEYS, header_name=None, query_param="api_key")
    assert (await get(client_for, default, "/?api_key=key-one"))["user"] is None
    assert (await get(client_for, enabled, "/?api_key=key-one"))["user"] == "robot"
    assert (await get(client_for, enabled, headers={"x-api-key": "key-one"}))["user"] is None


async def test_custom_header_name(client_for: Client) -> None:
    backend = APIKeyAuthBackend(keys=KEYS, header_name="X-Token")
    assert (await get(client_for, backend, headers={"x-token": "key-one"}))["user"] == "robot"


async def test_sync_and_async_lookups_are_both_supported(client_for: Client) -> None:
    seen: list[str] = []

    def sync_lookup(key: str) -> SimpleUser | None:
        seen.append(key)
        return ROBOT if key == "db-key" else None

    async def async_lookup(key: str) -> SimpleUser | None:
        seen.append(key)
        return ROBOT if key == "db-key" else None

    for lookup in (sync_lookup, async_lookup):
        backend = APIKeyAuthBackend(lookup)
        assert (await get(client_for, backend, headers={"x-api-key": "db-key"}))["user"] == "robot"
        assert (await get(client_for, backend, headers={"x-api-key": "bad"}))["user"] is None
    assert seen == ["db-key", "bad", "db-key", "bad"]


def test_every_static_key_is_compared_even_after_a_match(monkeypatch: pytest.MonkeyPatch) -> None:
    import hmac

    from nexios_auth.backends import apikey

    calls: list[int] = []
    real = hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        calls.append(1)
        return real(a, b)

    monkeypatch.setattr(apikey.hmac, "compare_digest", counting)
    backend = APIKeyAuthBackend(keys={f"key-{i}": SimpleUser(f"u{i}") for i in range(5)})
    assert backend._match("key-0") == SimpleUser("u0")
    assert len(calls) == 5  # no early exit that would time-leak which entry matched


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"lookup": lambda key: None, "keys": KEYS}, {"keys": {"": ROBOT}},
     {"keys": KEYS, "header_name": None}],
)
def test_misconfiguration_is_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ImproperlyConfigured):
        APIKeyAuthBackend(**kwargs)
