"""Key functions (who a request counts against) and the in-memory store's memory bounds, with
hostile input: forged forwarding headers, huge API keys, floods of distinct keys."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from nexios_core.ratelimit import (
    InMemoryRateLimitStore,
    RateLimit,
    RateLimitStore,
    by_api_key,
    by_client_ip,
    by_user,
    digest,
)
from nexios_core.request import Request

pytestmark = pytest.mark.anyio


def request(headers: dict[str, str] | None = None, client: str = "203.0.113.7", user: Any = None) -> Request:
    scope: dict[str, Any] = {
        "type": "http", "method": "GET", "path": "/", "query_string": b"", "client": (client, 4321),
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()],
    }
    if user is not None:
        scope["user"] = user
    return Request(scope, None, None)  # type: ignore[arg-type]


class User:
    def __init__(self, identity: Any, authenticated: bool = True) -> None:
        self.identity = identity
        self.is_authenticated = authenticated


def test_client_address_ignores_forwarded_headers_unless_proxies_are_trusted() -> None:
    forged = request({"X-Forwarded-For": "198.51.100.1, 192.0.2.9"})
    assert by_client_ip()(forged) == "ip:203.0.113.7"  # the peer: a client can write any header
    assert by_client_ip(trusted_proxies=1)(forged) == "ip:192.0.2.9"  # the entry our proxy added
    assert by_client_ip(trusted_proxies=2)(forged) == "ip:198.51.100.1"
    assert by_client_ip(trusted_proxies=1)(request({"X-Forwarded-For": "not-an-ip"})) == "ip:203.0.113.7"
    with pytest.raises(ValueError):
        by_client_ip(trusted_proxies=-1)


def test_user_key_reads_the_authenticated_user_and_falls_back_for_anonymous_requests() -> None:
    assert by_user()(request(user=User(42))) == "user:42"
    assert by_user()(request(user=User(None, authenticated=False))) == "ip:203.0.113.7"
    assert by_user()(request()) == "ip:203.0.113.7"  # no authentication middleware at all
    assert by_user(fallback=lambda r: None)(request()) is None  # anonymous requests exempt


def test_an_is_authenticated_method_is_called_not_taken_as_true() -> None:
    class MethodUser:
        def __init__(self, name: str, authenticated: bool) -> None:
            self.identity, self.authenticated = name, authenticated

        def is_authenticated(self) -> bool:
            return self.authenticated

    assert by_user()(request(user=MethodUser("ann", True))) == "user:ann"
    # An anonymous user with a method must not share one "user:" bucket with every other one.
    assert by_user()(request(user=MethodUser("anonymous", False))) == "ip:203.0.113.7"


def test_api_keys_are_digested_and_missing_ones_fall_back() -> None:
    secret = "sk_live_123"
    key = by_api_key()(request({"X-API-Key": secret}))
    assert key == "key:" + digest(secret) and secret not in key
    assert by_api_key("authorization")(request({"Authorization": secret})) == key
    assert by_api_key()(request()) == "ip:203.0.113.7"


async def test_a_huge_key_costs_a_digest_not_its_size() -> None:
    store = InMemoryRateLimitStore()
    rule = RateLimit(2, 60, key=lambda r: r.headers["x-junk"], store=store)
    junk = "A" * 100_000
    for _ in range(3):
        decision = await rule.check(request({"X-Junk": junk}))
    assert decision is not None and not decision.allowed  # still one key: the same client
    [(stored, _)] = store._entries.items()
    assert len(stored) < 100 and junk not in stored


async def test_custom_key_functions_may_be_async_and_may_exempt() -> None:
    async def by_tenant(req: Request) -> str | None:
        return req.headers.get("x-tenant")

    rule = RateLimit(1, 60, key=by_tenant)
    assert (await rule.check(request({"X-Tenant": "a"}))).allowed  # type: ignore[union-attr]
    assert not (await rule.check(request({"X-Tenant": "a"}))).allowed  # type: ignore[union-attr]
    assert (await rule.check(request({"X-Tenant": "b"}))).allowed  # type: ignore[union-attr]
    assert await rule.check(request()) is None  # no tenant: not limited
    with pytest.raises(TypeError, match="str or None"):
        await RateLimit(1, 60, key=lambda r: 42).check(request())


async def test_the_store_forgets_expired_keys_as_requests_come() -> None:
    now = [0.0]
    store = InMemoryRateLimitStore(clock=lambda: now[0])
    assert isinstance(store, RateLimitStore)
    for n in range(50):
        await store.hit(f"client-{n}", "fixed_window", 5, 10, 1)
    assert len(store) == 50
    now[0] = 100.0  # every window is over
    for n in range(10):
        await store.hit(f"new-{n}", "token_bucket", 5, 10, 1)
    # Each request forgets a few expired keys: 10 requests, up to 40 of the 50.
    assert len(store) == 10 + 50 - 40
    for n in range(10, 20):
        await store.hit(f"new-{n}", "token_bucket", 5, 10, 1)
    assert sorted(store._entries) == sorted(f"new-{n}" for n in range(20))


async def test_a_flood_of_distinct_keys_stays_within_max_keys(caplog: pytest.LogCaptureFixture) -> None:
    store = InMemoryRateLimitStore(max_keys=1000)
    rule = RateLimit(5, 3600, key=lambda r: r.headers["x-api-key"], store=store)
    with caplog.at_level(logging.WARNING, logger="nexios.ratelimit"):
        for n in range(5000):
            await rule.check(request({"X-API-Key": f"forged-{n}"}))
    assert len(store) == 1000
    assert caplog.text.count("store is full") == 1  # said once, not 4,000 times
    with pytest.raises(ValueError):
        InMemoryRateLimitStore(max_keys=0)


async def test_rules_keep_separate_counts_in_a_shared_store() -> None:
    store = InMemoryRateLimitStore()
    login = RateLimit(1, 60, store=store, name="login")
    search = RateLimit(1, 60, store=store, name="search")
    assert (await login.check(request())).allowed  # type: ignore[union-attr]
    assert (await search.check(request())).allowed  # type: ignore[union-attr]
    assert not (await login.check(request())).allowed  # type: ignore[union-attr]
