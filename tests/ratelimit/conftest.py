"""The rate limiting tests run against real redis-servers (see ``tests/support/redis_server.py``)."""

from tests.support.redis_server import prefix, redis_server, redis_url

__all__ = ["prefix", "redis_server", "redis_url"]
