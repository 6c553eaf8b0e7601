"""The three limiting algorithms, as pure functions of a key's state and the time.

The in-memory store runs these; the Redis store runs the same arithmetic in Lua (in
milliseconds), so a rule behaves alike on either. ``limit`` requests (``cost`` units each) are
allowed per ``window`` seconds:

- **fixed window**: a counter that starts with the key's first request and resets ``window``
  seconds later. Simple and exact, but allows a burst of up to ``2 * limit`` across a reset.
- **sliding window**: the counters of the current and the previous window (aligned to multiples
  of ``window``), the previous one weighted by how much of it still overlaps the last ``window``
  seconds. Smooths the reset burst in constant memory; it is an estimate that assumes the previous
  window's requests were spread evenly.
- **token bucket**: ``limit`` tokens, refilled continuously at ``limit / window`` per second; a
  request takes ``cost`` tokens. Allows bursts up to ``limit`` and a steady rate after.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Algorithm = Literal["fixed_window", "sliding_window", "token_bucket"]
ALGORITHMS: tuple[Algorithm, ...] = ("fixed_window", "sliding_window", "token_bucket")

State = list[float]
"""A key's state: its meaning depends on the algorithm."""


@dataclass(frozen=True)
class Decision:
    """The answer for one request."""

    allowed: bool
    limit: int
    remaining: int
    """Requests (cost units) still allowed now."""
    reset_after: float
    """Seconds until the quota is whole again (``RateLimit-Reset``)."""
    retry_after: float
    """Seconds until this request would be allowed (0 when it is)."""


def fixed_window(state: State | None, now: float, limit: int, window: float, cost: int) -> tuple[State, Decision]:
    """State: ``[count, end of the window]``."""
    if state is None or now >= state[1]:
        state = [0.0, now + window]
    count, end = state
    left = end - now
    if count + cost > limit:
        return state, Decision(False, limit, max(limit - int(count), 0), left, left)
    state[0] = count + cost
    return state, Decision(True, limit, limit - int(state[0]), left, 0.0)


def sliding_window(state: State | None, now: float, limit: int, window: float, cost: int) -> tuple[State, Decision]:
    """State: ``[window index, current count, previous count]``."""
    index = math.floor(now / window)
    current = previous = 0.0
    if state is not None:
        if state[0] == index:
            current, previous = state[1], state[2]
        elif state[0] == index - 1:
            previous = state[1]
    left = window - (now - index * window)
    used = previous * left / window + current
    if used + cost > limit:
        reset = left + window if current > 0 else left
        retry = sliding_retry_after(previous, current, left, limit, window, cost)
        return [index, current, previous], Decision(False, limit, max(math.floor(limit - used), 0), reset, retry)
    current += cost
    used += cost
    return [index, current, previous], Decision(True, limit, max(math.floor(limit - used), 0), left + window, 0.0)


def sliding_retry_after(previous: float, current: float, left: float, limit: int, window: float, cost: int) -> float:
    """The least wait after which ``previous * weight + current + cost <= limit``: within this
    window when the previous window's share can fade enough, else early in the next window."""
    room = limit - current - cost
    if room >= 0 and previous > 0:
        return max(left - room * window / previous, 0.0)
    fade = 0.0 if current == 0 else window - (limit - cost) * window / current
    return left + max(fade, 0.0)


def token_bucket(state: State | None, now: float, limit: int, window: float, cost: int) -> tuple[State, Decision]:
    """State: ``[tokens, time of the last update]``."""
    rate = limit / window
    tokens = float(limit) if state is None else min(float(limit), state[0] + max(now - state[1], 0.0) * rate)
    allowed = tokens >= cost
    retry = 0.0
    if allowed:
        tokens -= cost
    else:
        retry = (cost - tokens) / rate
    reset = (limit - tokens) / rate
    return [tokens, now], Decision(allowed, limit, math.floor(tokens), reset, retry)


def expiry_of(algorithm: Algorithm, state: State, now: float, window: float, decision: Decision) -> float:
    """When the state is worth nothing more than a fresh one (the store may then forget it)."""
    if algorithm == "fixed_window":
        return state[1]
    if algorithm == "sliding_window":
        return (state[0] + 2) * window
    return now + decision.reset_after


STEPS = {"fixed_window": fixed_window, "sliding_window": sliding_window, "token_bucket": token_bucket}


__all__ = ["ALGORITHMS", "STEPS", "Algorithm", "Decision", "State", "expiry_of", "fixed_window",
           "sliding_retry_after", "sliding_window", "token_bucket"]
