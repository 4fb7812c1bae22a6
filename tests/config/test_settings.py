"""Settings come from the environment; production refuses to start unsafely."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "-production-secret-with-enough-entropy-1234567890",
    "ALLOWED_HOSTS": "proxy.example.com",
}


def _manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_service_refuses_to_start_without_secret_key_when_debug_is_off():
    result = _manage("check", DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_development_key_is_used_only_with_debug_on():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
    )
    assert result.returncode != 0

    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        DEBUG="1",
    )
    assert result.returncode == 0, result.stderr
    assert "development-only" in result.stdout


def test_check_deploy_reports_no_issues_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_bad_values_are_refused_with_the_variable_named():
    result = _manage("check", **PRODUCTION_ENV, DATABASE_CONN_MAX_AGE="soon")

    assert result.returncode != 0
    assert "DATABASE_CONN_MAX_AGE must be an integer" in result.stderr


def test_cache_and_broker_follow_the_environment():
    code = (
        "from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.CELERY_TASK_ALWAYS_EAGER)"
    )
    local = _manage("shell", "--no-imports", "-c", code, **PRODUCTION_ENV)
    remote = _manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        **PRODUCTION_ENV,
        CACHE_URL="redis://127.0.0.1:6379/5",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/5",
    )

    assert local.stdout.split() == ["django.core.cache.backends.locmem.LocMemCache", "True"]
    assert remote.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "False"]
