"""prepsite.cache: Django's Redis cache with one redis-py client per server."""

from prepsite.cache import RedisCache


def test_one_client_per_server_not_per_command():
    # Making a client opens no connection: nothing here needs Redis to be up.
    cache = RedisCache("redis://127.0.0.1:6379/15", {"OPTIONS": {}})
    client = cache._cache.get_client("a-key")
    assert cache._cache.get_client("another-key") is client
    assert cache._cache.get_client("a-key", write=True) is client
    assert client.connection_pool is cache._cache._get_connection_pool(write=True)


def test_reads_go_to_the_replicas_writes_to_the_first_server():
    cache = RedisCache("redis://127.0.0.1:6379/15,redis://127.0.0.1:6379/14", {})
    writer = cache._cache.get_client(write=True)
    reader = cache._cache.get_client()
    assert writer is not reader
    assert reader.connection_pool.connection_kwargs["db"] == 14
    assert cache._cache.get_client() is reader
