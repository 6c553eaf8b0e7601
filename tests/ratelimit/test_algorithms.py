"""The three algorithms as pure functions of state and time (no store, no clock)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nexios_core.ratelimit.algorithms import STEPS, Decision, State, fixed_window, sliding_window, token_bucket


def run(step: Any, times: list[float], limit: int, window: float, cost: int = 1) -> list[Decision]:
    state: State | None = None
    decisions = []
    for now in times:
        state, decision = step(state, now, limit, window, cost)
        decisions.append(decision)
    return decisions


def test_fixed_window_allows_the_limit_then_refuses_until_the_window_ends() -> None:
    decisions = run(fixed_window, [100.0, 101.0, 102.0, 103.0], limit=3, window=10)
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert decisions[3].retry_after == pytest.approx(7.0)  # the window began at the first request
    assert decisions[0].reset_after == pytest.approx(10.0)
    state, _ = fixed_window(None, 100.0, 3, 10, 1)
    for now in (101.0, 102.0, 103.0):
        state, _ = fixed_window(state, now, 3, 10, 1)
    state, after = fixed_window(state, 110.0, 3, 10, 1)
    assert after.allowed and after.remaining == 2  # a new window


def test_a_refused_request_is_not_counted() -> None:
    state, _ = fixed_window(None, 0.0, 2, 10, 2)
    state, refused = fixed_window(state, 1.0, 2, 10, 1)
    assert not refused.allowed and state[0] == 2


def test_sliding_window_weighs_the_previous_window() -> None:
    # 10 requests late in window [0, 60); at t=90 half of that window still overlaps.
    state: State | None = None
    for t in range(50, 60):
        state, decision = sliding_window(state, float(t), 10, 60, 1)
        assert decision.allowed
    state, decision = sliding_window(state, 90.0, 10, 60, 1)
    assert decision.allowed and decision.remaining == 4  # 10 * 0.5 + 1 used
    for _ in range(4):
        state, decision = sliding_window(state, 90.0, 10, 60, 1)
        assert decision.allowed
    state, refused = sliding_window(state, 90.0, 10, 60, 1)
    assert not refused.allowed
    # Allowed again once the previous window's share has faded by one request: 6 s later.
    assert refused.retry_after == pytest.approx(6.0)


def test_token_bucket_allows_a_burst_then_the_refill_rate() -> None:
    decisions = run(token_bucket, [0.0] * 5 + [0.5, 1.0], limit=5, window=5)  # 1 token a second
    assert [d.allowed for d in decisions] == [True] * 5 + [False, True]
    assert decisions[5].retry_after == pytest.approx(0.5)
    assert decisions[4].reset_after == pytest.approx(5.0)


def test_every_algorithm_refuses_a_cost_it_cannot_cover_in_one_window() -> None:
    for step in STEPS.values():
        decisions = run(step, [0.0, 0.0], limit=3, window=60, cost=2)
        assert [d.allowed for d in decisions] == [True, False]


hits = st.lists(st.floats(min_value=0, max_value=30, allow_nan=False), min_size=1, max_size=40).map(sorted)


@pytest.mark.parametrize("name", sorted(STEPS))
@settings(max_examples=150, deadline=None)
@given(times=hits, limit=st.integers(1, 8), window=st.sampled_from([1.0, 2.5, 10.0]), cost=st.integers(1, 3))
def test_retry_after_is_honest(name: str, times: list[float], limit: int, window: float, cost: int) -> None:
    """After a refusal, the same request is allowed once ``retry_after`` has passed, and still
    refused a little before (refusals leave the state as it was, so probing is harmless)."""
    step = STEPS[name]
    if cost > limit:
        return
    state: State | None = None
    for now in times:
        state, decision = step(state, now, limit, window, cost)
        if decision.allowed:
            assert decision.retry_after == 0
            assert 0 <= decision.remaining <= limit
            continue
        wait = decision.retry_after
        assert wait > 0
        _, later = step(list(state), now + wait + 1e-6, limit, window, cost)
        assert later.allowed, (name, now, wait)
        if wait > 1e-3:
            _, sooner = step(list(state), now + wait * 0.999 - 1e-6, limit, window, cost)
            assert not sooner.allowed, (name, now, wait)


@settings(max_examples=150, deadline=None)
@given(times=hits, limit=st.integers(1, 8), window=st.sampled_from([1.0, 2.5, 10.0]))
def test_fixed_window_and_token_bucket_never_exceed_their_bound(times: list[float], limit: int, window: float) -> None:
    for name in ("fixed_window", "token_bucket"):
        decisions = run(STEPS[name], times, limit, window)
        allowed = [t for t, d in zip(times, decisions, strict=True) if d.allowed]
        for start in allowed:
            inside = [t for t in allowed if start <= t < start + window]
            # A fixed window admits at most `limit` per window it opens (so < 2 * limit across a
            # reset); a bucket at most its capacity plus what refills in the interval.
            assert len(inside) <= 2 * limit
            if name == "token_bucket":
                assert len(inside) <= limit + limit * (inside[-1] - start) / window + 1e-9
