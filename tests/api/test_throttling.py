"""The API's rate limit counts in Redis, shared by every process, and lets
requests through when Redis is away (core/throttling.py)."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.tokens import api_token_create
from core.throttling import SharedUserRateThrottle

ROOT = Path(__file__).resolve().parents[2]
URL = "/api/v1/providers/"
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


@pytest.fixture
def three_an_hour(monkeypatch):
    # DRF reads the rates when the class is defined; the class's own copy is patched.
    monkeypatch.setattr(SharedUserRateThrottle, "THROTTLE_RATES", {"user": "3/hour"})


def _clients(user, n: int) -> list[APIClient]:
    _row, token = api_token_create(user=user, name="throttle")
    clients = [APIClient() for _ in range(n)]
    for client in clients:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return clients


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_two_clients_of_one_token_share_the_count(db, users, three_an_hour):
    first, second = _clients(users["police"], 2)
    assert [first.get(URL).status_code, second.get(URL).status_code, first.get(URL).status_code] == [200, 200, 200]

    response = second.get(URL)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    # Another officer has a count of their own.
    [other] = _clients(users["police2"], 1)
    assert other.get(URL).status_code == 200


def test_the_count_is_kept_in_redis_where_every_process_reads_it(db, users, settings, three_an_hour):
    [client] = _clients(users["police"], 1)
    client.get(URL)
    client.get(URL)

    # A client of its own, as another gunicorn worker or host would have.
    key = cache.make_key(f"throttle_user_{users['police'].pk}")
    history = cache.get(f"throttle_user_{users['police'].pk}")
    assert redis.Redis.from_url(settings.REDIS_URL).exists(key) == 1
    assert len(history) == 2


def test_a_redis_that_is_away_lets_requests_through_with_a_warning(db, users, settings, caplog, three_an_hour):
    settings.CACHES = {"default": settings.CACHES["default"] | {"LOCATION": f"redis://127.0.0.1:{_closed_port()}/0"}}
    [client] = _clients(users["police"], 1)

    with caplog.at_level(logging.WARNING, logger="core.throttling"):
        statuses = [client.get(URL).status_code for _ in range(5)]

    assert statuses == [200] * 5  # not a 500, and no limit without a counter
    assert caplog.messages == ["API rate limit not applied: the cache is unreachable (ConnectionError)."] * 5


def test_every_throttled_view_uses_the_shared_throttle():
    from django.urls import get_resolver

    def views(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from views(pattern.url_patterns)
            elif getattr(getattr(pattern.callback, "view_class", None), "throttle_classes", None):
                yield pattern.callback.view_class

    throttled = list(views(get_resolver().url_patterns))
    assert len(throttled) >= 3  # the referral, programme and report APIs
    for view in throttled:
        assert all(issubclass(c, SharedUserRateThrottle) for c in view.throttle_classes), view


def test_production_caches_in_redis_not_in_process_memory():
    script = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG"}} | {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "s" * 50,
        "ALLOWED_HOSTS": "casework.example.org",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == REDIS_CACHE
