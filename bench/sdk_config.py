"""Benchmark the SDK proxy-config endpoint against /healthz under gunicorn and PostgreSQL.

    .venv/bin/python bench/sdk_config.py [--duration 10] [--connections 32] [--cache-url URL]

Creates its own PostgreSQL database (from BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/postgres, as the server to connect to), migrates it,
seeds an app with a live test set through the services, starts gunicorn with 2 workers on
127.0.0.1, loads it with wrk (proxy-config first, then /healthz, same run), prints req/s,
p50 and p99 of each and their ratio, and drops the database. The last line is JSON.
Target: proxy-config >= 70% of /healthz's throughput, p99 < 20 ms.

SDK_APP_CACHE_SECONDS=0 in the environment makes every proxy-config request query the
database once (the default, 1, lets a process reuse an app's row for a second).
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
TURN_SECRET = "bench-turn-secret"
TARGET_RATIO = 0.70
TARGET_P99_MS = 20.0
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def database_urls(server_url: str) -> tuple[str, str, str]:
    """Return (admin URL, bench URL, bench database name) on the server of ``server_url``."""
    name = f"bench_sdk_{os.getpid()}"
    parts = urlsplit(server_url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    return admin, urlunsplit(parts._replace(path=f"/{name}")), name


def admin_execute(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(env: dict) -> str:
    """Migrate the bench database and give one app a live test set; return its App ID."""
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    script = (
        "from provisioning.services.reference_data import reference_data_load\n"
        "from accounts.services.apps import app_create\n"
        "from accounts.models import Customer\n"
        "from provisioning.models import Region\n"
        "from provisioning.services.requests import request_submit\n"
        "from provisioning.services.lifecycle import request_allocate_test\n"
        "reference_data_load()\n"
        "customer = Customer.objects.create(name='Bench', slug='bench', "
        "contact_email='bench@example.com')\n"
        "app, _ = app_create(customer=customer, app_id='0123456789abcdef0123456789abcdef', "
        "name='Bench app')\n"
        "request = request_submit(app=app, regions=list(Region.objects.filter("
        "code__in=['cn-east', 'eu'])), concurrency=1000)\n"
        "request_allocate_test(request=request)\n"
        "print(app.app_id)\n"
    )
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip().splitlines()[-1]


def wait_ready(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s.")


def to_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * UNITS_MS[unit]


def wrk(url: str, *, duration: int, connections: int) -> dict:
    """Run wrk against ``url`` and return rps, p50_ms, p99_ms, errors."""
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def server_env(database_url: str, cache_url: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "600",
        "SECRET_KEY": "bench-only-secret-key",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "TURN_SHARED_SECRETS": TURN_SECRET,
        # The bench is one client address hammering one app: lift the throttles, keep them on.
        "SDK_THROTTLE_APP_RATE": "100000000/second",
        "SDK_THROTTLE_IP_RATE": "100000000/second",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CELERY_BROKER_URL", None)
    if cache_url:
        env["CACHE_URL"] = cache_url
    else:
        env.pop("CACHE_URL", None)
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="Seconds per wrk run.")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--gunicorn-args",
        default="",
        help="Extra gunicorn arguments, e.g. '-k gthread --threads 4'.",
    )
    parser.add_argument(
        "--cache-url", default="", help="Redis URL for the cache (default: per-process memory)."
    )
    args = parser.parse_args()

    server = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    admin_url, database_url, name = database_urls(server)
    admin_execute(admin_url, f'CREATE DATABASE "{name}"')
    gunicorn = None
    try:
        env = server_env(database_url, args.cache_url)
        app_id = seed(env)
        port = free_port()
        gunicorn = subprocess.Popen(
            [
                GUNICORN,
                "config.wsgi",
                *("-w", str(args.workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"),
                *args.gunicorn_args.split(),
            ],
            cwd=ROOT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        sdk_url = f"{base}/api/v1/sdk/proxy-config?app_id={app_id}&mode=auto"
        healthz_url = f"{base}/healthz"
        wait_ready(healthz_url)
        wait_ready(sdk_url)
        wrk(sdk_url, duration=2, connections=args.connections)  # warm both workers' caches
        sdk = wrk(sdk_url, duration=args.duration, connections=args.connections)
        healthz = wrk(healthz_url, duration=args.duration, connections=args.connections)
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=15)
        admin_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    ratio = sdk["rps"] / healthz["rps"]
    for label, result in (("proxy-config", sdk), ("/healthz", healthz)):
        print(
            f"{label:>13}: {result['rps']:9.1f} req/s  p50 {result['p50_ms']:6.2f} ms  "
            f"p99 {result['p99_ms']:6.2f} ms  non-2xx {result['non_2xx']}"
        )
    meets = ratio >= TARGET_RATIO and sdk["p99_ms"] < TARGET_P99_MS
    print(
        f"ratio {ratio:.2f} (target >= {TARGET_RATIO:.2f}), p99 {sdk['p99_ms']:.2f} ms "
        f"(target < {TARGET_P99_MS:.0f} ms): {'met' if meets else 'NOT met'}"
    )
    print(
        json.dumps(
            {
                "rps": round(sdk["rps"], 1),
                "baseline_rps": round(healthz["rps"], 1),
                "ratio": round(ratio, 3),
                "p50_ms": sdk["p50_ms"],
                "p99_ms": sdk["p99_ms"],
                "baseline_p50_ms": healthz["p50_ms"],
                "baseline_p99_ms": healthz["p99_ms"],
                "non_2xx": sdk["non_2xx"],
                "workers": args.workers,
                "connections": args.connections,
                "duration_s": args.duration,
                "cache": "redis" if args.cache_url else "locmem",
                "app_cache_seconds": int(env.get("SDK_APP_CACHE_SECONDS", 1)),
                "target_met": meets,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
