"""The deployment files for real: Debian's nginx with the project's config in front of real
``ava serve`` processes (one PostgreSQL database, real Redis), docker-compose's own validation of
the compose file, hadolint on the Dockerfile.

A missing nginx, docker-compose, PostgreSQL, Redis, Chromium or UI build skips the tests that need
it with a reason, unless ``AVA_REQUIRE_SERVICES=1`` (CI), where that is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from tests.deploy.stack import NGINX, PG_HOST, PG_PORT, REDIS_HOST, REDIS_PORT, reachable, required


@pytest.fixture(scope="module")
def module_pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database shared by one module's API processes, dropped afterwards."""
    if not reachable(PG_HOST, PG_PORT):
        required(f"PostgreSQL is not reachable on {PG_HOST}:{PG_PORT}")
    import psycopg

    name = f"ava_test_{uuid.uuid4().hex[:12]}"
    admin = f"host={PG_HOST} port={PG_PORT} user=postgres dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def module_redis_url() -> str:
    if not reachable(REDIS_HOST, REDIS_PORT):
        required(f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT}")
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/0"


@pytest.fixture(scope="session")
def nginx_binary() -> str:
    if not os.access(NGINX, os.X_OK):
        required(f"{NGINX} is missing (apt-get install nginx, or `make system-deps`)")
    return NGINX
