"""``nexios.middleware.ratelimit``: ``RateLimitMiddleware`` and the rules it checks (the rest of
rate limiting is in ``nexios.ratelimit``)."""

from nexios_core.ratelimit import RateLimit, RateLimitMiddleware, by_api_key, by_client_ip, by_user

__all__ = ["RateLimit", "RateLimitMiddleware", "by_api_key", "by_client_ip", "by_user"]
