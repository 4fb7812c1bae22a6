"""Benchmark the SDK proxy-config endpoint against /healthz under gunicorn and PostgreSQL.

    .venv/bin/python bench/sdk_config.py [--duration 10] [--connections 32] [--cache-url URL]
                                         [--many 2000,20000] [--warmup 3]

Creates its own PostgreSQL database (from BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/postgres, as the server to connect to) and starts its own
redis-server as CACHE_URL (unless --cache-url names one), migrates, seeds one app with a
live test set through the services and 20,000 more in bulk (half with certificates and app
tokens, see bench/sdk_seed.py), warms their cache entries (manage.py sdk_config_warm) and
starts gunicorn with 2 workers on 127.0.0.1. Then, for the single app and for 2,000 and
20,000 apps (a wrk Lua script picking App IDs and tokens uniformly at random), it warms the
workers up (a second per 500 apps: each worker serves each app about twice, as workers that
have run a while have; the warm-up's figures are printed too), then loads
/healthz and proxy-config in alternating short runs (the machine is shared: both see the
same load) and prints the medians of req/s, p50, p99, of the paired ratios and the
database statements per proxy-config request (transactions of the bench database, from
pg_stat_database, over the measured run). The last line is JSON, with many_ratio and
many_p99_ms for the largest set. Targets: ratio >= 0.70, p99 < 20 ms, 0 statements.
"""

import argparse
import contextlib
import json
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
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
# Warm-up for many apps: a second per this many apps. At the 2,500 req/s or so of 2 workers
# here, each worker then serves each app about twice, as a worker running for a while has
# (its memos of rendered bodies and verified tokens are per process).
WARMUP_APPS_PER_SECOND = 500
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


def wrk(url: str, *, duration: int, connections: int, script: str = "", arg: str = "") -> dict:
    """Run wrk against ``url`` (with a Lua ``script``) and return rps, p50_ms, p99_ms,
    requests and errors."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    output = subprocess.run(
        [*command, *(["-s", script] if script else []), url, *(["--", arg] if arg else [])],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "requests": requests,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def transactions(admin_url: str, name: str) -> int:
    """Return the transactions (autocommit: statements) run so far in database ``name``."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s", (name,)
        ).fetchone()
    return int(row[0])


@contextlib.contextmanager
def redis_server(directory: str):
    """Run a redis-server of the bench's own on a free port; yield its URL."""
    port = free_port()
    command = [shutil.which("redis-server") or "redis-server", "--bind", "127.0.0.1"]
    command += ["--port", str(port), "--save", "", "--appendonly", "no", "--dir", directory]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait(timeout=10)


def seed_many(env: dict, *, count: int, sizes: list[int], directory: str) -> None:
    """Seed ``count`` apps in bulk and write one wrk script per size (bench/sdk_seed.py)."""
    started = time.monotonic()
    script = "import runpy; runpy.run_path('bench/sdk_seed.py')"
    extra = {"BENCH_APPS": str(count), "BENCH_SIZES": ",".join(map(str, sizes))}
    subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env={**env, **extra, "BENCH_LUA_DIR": directory},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seeded = time.monotonic()
    subprocess.run([PYTHON, "manage.py", "sdk_config_warm"], cwd=ROOT, env=env, check=True)
    print(
        f"seeded {count} apps in {seeded - started:.1f} s, "
        f"warmed their cache entries in {time.monotonic() - seeded:.1f} s"
    )


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
        # One client address hammering one app: lift the per-App budget, keep it counting.
        # The failure limits stay at their defaults (the bench sends valid requests only).
        "SDK_THROTTLE_APP_RATE": "100000000/minute",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CELERY_BROKER_URL", None)
    if cache_url:
        env["CACHE_URL"] = cache_url
    else:
        env.pop("CACHE_URL", None)
    return env


def _rounds(args, *, sdk_url: str, healthz_url: str, script: str) -> tuple[dict, dict, float]:
    """Alternate short wrk runs of /healthz and proxy-config (``--rounds`` of each), so both
    see the same machine; return the medians of each and of the paired ratios."""
    seconds = max(1, args.duration // args.rounds)
    pairs = []
    for _ in range(args.rounds):
        # The many-app runs load /healthz through the same script (same client-side cost).
        healthz = wrk(
            healthz_url if not script else sdk_url,
            duration=seconds,
            connections=args.connections,
            script=script,
            arg="healthz" if script else "",
        )
        sdk = wrk(sdk_url, duration=seconds, connections=args.connections, script=script)
        pairs.append((sdk, healthz))

    def median_of(results: list[dict]) -> dict:
        merged = {
            key: statistics.median(r[key] for r in results) for key in ("rps", "p50_ms", "p99_ms")
        }
        merged["requests"] = sum(r["requests"] for r in results)
        merged["non_2xx"] = sum(r["non_2xx"] for r in results)
        return merged

    ratio = statistics.median(sdk["rps"] / healthz["rps"] for sdk, healthz in pairs)
    return median_of([p[0] for p in pairs]), median_of([p[1] for p in pairs]), ratio


def warm_up(label: str, *, sdk_url: str, script: str, apps: int, args) -> dict:
    """Load proxy-config until the workers are as warm as long-running ones: ``--warmup``
    seconds, and for many apps long enough that each worker serves each app about twice
    (``WARMUP_APPS_PER_SECOND``); print what the workers did meanwhile."""
    seconds = max(args.warmup, math.ceil(apps / WARMUP_APPS_PER_SECOND))
    result = wrk(sdk_url, duration=seconds, connections=args.connections, script=script)
    print(
        f"{label:>12}  warm-up {seconds} s: {result['rps']:9.1f} req/s  "
        f"p99 {result['p99_ms']:6.2f} ms  non-2xx {result['non_2xx']}"
    )
    return {"warmup_s": seconds, "warmup_rps": result["rps"]}


def measure(
    label: str, *, sdk_url: str, healthz_url: str, script: str, apps: int, args, stats
) -> dict:
    """Warm up, then load /healthz and proxy-config in alternating rounds; count the
    statements the database ran meanwhile (after 11 s: idle backends report within 10 s)."""
    warm = warm_up(label, sdk_url=sdk_url, script=script, apps=apps, args=args)
    time.sleep(11)
    before = stats()
    sdk, healthz, ratio = _rounds(args, sdk_url=sdk_url, healthz_url=healthz_url, script=script)
    time.sleep(11)
    queries = (stats() - before) / max(1, sdk["requests"])
    for name, result in (("proxy-config", sdk), ("/healthz", healthz)):
        print(
            f"{label:>12} {name:>13}: {result['rps']:9.1f} req/s  p50 {result['p50_ms']:6.2f} ms"
            f"  p99 {result['p99_ms']:6.2f} ms  non-2xx {result['non_2xx']}"
        )
    meets = ratio >= TARGET_RATIO and sdk["p99_ms"] < TARGET_P99_MS and queries < 0.01
    print(
        f"{label:>12} ratio {ratio:.2f} (target >= {TARGET_RATIO:.2f}), p99 {sdk['p99_ms']:.2f} ms"
        f" (target < {TARGET_P99_MS:.0f} ms), {queries:.3f} statements per request "
        f"(target 0): {'met' if meets else 'NOT met'}"
    )
    return {
        "rps": round(sdk["rps"], 1),
        "baseline_rps": round(healthz["rps"], 1),
        "ratio": round(ratio, 3),
        "p50_ms": sdk["p50_ms"],
        "p99_ms": sdk["p99_ms"],
        "baseline_p99_ms": healthz["p99_ms"],
        "non_2xx": sdk["non_2xx"],
        "queries_per_request": round(queries, 4),
        "target_met": meets,
        **warm,
    }


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=int, default=20, help="Seconds of load per endpoint and size."
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--warmup",
        type=int,
        default=3,
        help="Seconds of load before measuring (more for many apps, see warm_up).",
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="Alternating runs per endpoint (duration split)."
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--gunicorn-args",
        default="",
        help="Extra gunicorn arguments, e.g. '-k gthread --threads 4'.",
    )
    parser.add_argument(
        "--cache-url",
        default="",
        help="Redis URL for the cache (default: a redis-server of its own).",
    )
    parser.add_argument(
        "--many", default="2000,20000", help="Sizes of the many-app runs ('' for none)."
    )
    return parser.parse_args()


def run(args, *, admin_url: str, database_url: str, name: str, cache_url: str, tmp: str) -> dict:
    sizes = [int(size) for size in args.many.split(",") if size]
    env = server_env(database_url, cache_url)
    app_id = seed(env)
    if sizes:
        seed_many(env, count=max(sizes), sizes=sizes, directory=tmp)
    port = free_port()
    command = [GUNICORN, "config.wsgi", "-w", str(args.workers), "-b", f"127.0.0.1:{port}"]
    command += ["--log-level", "warning", *args.gunicorn_args.split()]
    gunicorn = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        healthz_url = f"{base}/healthz"
        sdk_url = f"{base}/api/v1/sdk/proxy-config?app_id={app_id}&mode=auto"
        wait_ready(healthz_url)
        wait_ready(sdk_url)
        common = {"healthz_url": healthz_url, "args": args}
        common["stats"] = lambda: transactions(admin_url, name)
        results = {"one": measure("1 app", sdk_url=sdk_url, script="", apps=1, **common)}
        for size in sizes:
            script = str(Path(tmp) / f"apps-{size}.lua")
            results[size] = measure(
                f"{size} apps", sdk_url=base + "/", script=script, apps=size, **common
            )
        return results
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=15)


def main() -> int:
    args = parse_args()
    server = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    admin_url, database_url, name = database_urls(server)
    admin_execute(admin_url, f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
            cache_url = args.cache_url or stack.enter_context(redis_server(tmp))
            results = run(
                args, admin_url=admin_url, database_url=database_url, name=name,
                cache_url=cache_url, tmp=tmp,
            )  # fmt: skip
    finally:
        admin_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    one = results.pop("one")
    summary = {**one, "workers": args.workers, "connections": args.connections}
    summary.update(duration_s=args.duration, cache="redis")
    for size, result in results.items():
        summary[f"apps_{size}"] = result
    if results:
        largest = results[max(results)]
        summary.update(
            many_apps=max(results),
            many_ratio=largest["ratio"],
            many_p99_ms=largest["p99_ms"],
            many_queries_per_request=largest["queries_per_request"],
        )
    summary["target_met"] = one["target_met"] and all(r["target_met"] for r in results.values())
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
