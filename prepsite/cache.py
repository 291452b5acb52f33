"""Django's Redis cache, with one redis-py client per server instead of one per command.

Django's `RedisCacheClient.get_client` makes a new `redis.Redis` for every get and set, and
redis-py fills a table of some 170 response callbacks each time: about a tenth of a
millisecond per cache command, which every request pays at least once for its session
(issue #22). A `redis.Redis` holds no connection of its own (its pool does) and is safe to
share between threads, so one per connection pool does the same work.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
