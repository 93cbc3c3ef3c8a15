//! Server engine unit tests.
