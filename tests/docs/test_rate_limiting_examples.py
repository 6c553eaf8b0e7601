"""The examples of ``docs/rate-limiting.md`` do what the page says they do."""

from __future__ import annotations

from nexios.testclient import TestClient
from tests.support.doc_examples import load


def test_login_allows_five_attempts_a_minute() -> None:
    example = load("rate_limits.py")
    http = TestClient(example.app)
    answers = [http.post("/login") for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[0].headers["ratelimit-limit"] == "5"  # the route's limit: closer than 100/minute
    assert answers[5].headers["ratelimit-remaining"] == "0" and int(answers[5].headers["retry-after"]) >= 1


def test_search_allows_a_burst_of_ten_per_api_key() -> None:
    example = load("rate_limits.py")
    http = TestClient(example.app)
    burst = [http.get("/search", headers={"X-API-Key": "demo-key"}) for _ in range(11)]
    assert [a.status_code for a in burst] == [200] * 10 + [429]
    assert burst[10].headers["retry-after"] == "1"  # one token a second
    assert http.get("/search", headers={"X-API-Key": "another-key"}).status_code == 200


def test_every_request_counts_against_the_app_wide_limit_except_health_checks() -> None:
    example = load("rate_limits.py")
    http = TestClient(example.app)
    assert all(http.get("/health").status_code == 200 for _ in range(150))
    answers = [http.get("/missing", headers={"X-API-Key": "demo-key"}) for _ in range(101)]
    assert answers[0].headers["ratelimit-policy"] == "100;w=60"
    assert [a.status_code for a in answers] == [404] * 100 + [429]
    assert http.get("/missing").status_code == 404  # anonymous: counted by address, separately
