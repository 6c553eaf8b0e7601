"""``nexios.session.redis``: the Redis backend (needs ``nexios[redis]``)."""

from nexios_session.redis import RedisSessionManager

__all__ = ["RedisSessionManager"]
