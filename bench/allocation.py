"""Benchmark production allocation: median ms per set by prefix size and pool fill, and
allocations per second with concurrent workers.

Run: DATABASE_URL=postgres://user@host:5432/any .venv/bin/python bench/allocation.py

It creates its own database (``bench_alloc`` on the same server), migrates it, and drops
it at the end, so it never touches real data. The last line printed is one JSON object.
"""

import ipaddress
import json
import os
import secrets
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DB = "bench_alloc"
SAMPLES = 25  # allocations timed per scenario
PREFILL = 10_000  # addresses already allocated in the "full" scenarios
CONCURRENT_WORKERS = 4
CONCURRENT_ALLOCATIONS = 200
# (label, network for the empty pool, network for the pool with PREFILL addresses held)
SCENARIOS = [
    ("IPv4 /24", "10.24.0.0/24", "10.25.0.0/24"),
    ("IPv4 /16", "10.16.0.0/16", "10.17.0.0/16"),
    ("IPv4 /8", "11.0.0.0/8", "12.0.0.0/8"),
    ("IPv6 /64", "2001:db8:64::/64", "2001:db8:65::/64"),
]


def _database_urls() -> tuple[str, str]:
    """Return the admin URL (to create/drop) and the bench database URL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (postgres://user@host:port/db).")
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    return admin, urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def _admin_execute(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def _setup_django(bench_url: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Follow-up tasks (customer e-mails, firewall exports) run on workers in a deployment:
    # queue them on an in-memory broker nobody consumes, so the timings are the allocation
    # transaction itself (which includes publishing the app's new rule set).
    os.environ["CELERY_BROKER_URL"] = "memory://"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _customer():
    from accounts.models import Customer

    return Customer.objects.create(
        name="Bench", slug=f"bench-{secrets.token_hex(4)}", contact_email="bench@example.com"
    )


def _request(customer, region):
    from accounts.models import App
    from provisioning.services.requests import request_submit

    app = App.objects.create(
        customer=customer,
        app_id=secrets.token_hex(16),
        name="bench",
        certificate=secrets.token_hex(16),
    )
    return request_submit(app=app, regions=[region], concurrency=1000)


def _pool(label: str, network: str):
    from provisioning.models import PortProfile, Region
    from provisioning.services.pools import pool_create

    code = "bench-" + label.lower().replace(" ", "").replace("/", "-")
    region = Region.objects.create(code=code + secrets.token_hex(2), name=label, domestic=False)
    pool = pool_create(
        name=f"{code}-{secrets.token_hex(2)}",
        kind="production",
        role="proxy",
        scope="overseas",
        region=region,
        port_profile=PortProfile.objects.get(code="standard"),
        capacity_per_address=500,
        redundancy=1,
        prefixes=[network],
    )
    return region, pool


def _prefill(customer, region, pool, network: str, count: int) -> int:
    """Hold ``count`` addresses from the bottom of ``network`` by one allocation."""
    from django.utils import timezone

    from provisioning.addresses import address_sort_key
    from provisioning.models import AllocatedEndpoint, Allocation

    if count <= 0:
        return 0
    request = _request(customer, region)
    now = timezone.now()
    allocation = Allocation.objects.create(
        request=request, kind="production", status="active", activated_at=now
    )
    net = ipaddress.ip_network(network)
    first = int(net.network_address) + 1
    rows = []
    for value in range(first, first + count):
        address = str(ipaddress.ip_address(value))
        rows.append(
            AllocatedEndpoint(
                allocation=allocation,
                pool=pool,
                address=address,
                address_key=address_sort_key(address),
                role="proxy",
                region=region,
                dedicated=True,
                live=True,
            )
        )
    AllocatedEndpoint.objects.bulk_create(rows, batch_size=2000)
    return count


def _scenario(customer, label: str, network: str, fill: int) -> tuple[int, float]:
    from provisioning.services.lifecycle import request_approve

    region, pool = _pool(label, network)
    usable = ipaddress.ip_network(network).num_addresses - 2
    fill = min(fill, usable - 3 * SAMPLES - 3)  # a /24 can't hold 10,000
    held = _prefill(customer, region, pool, network, fill)
    requests = [_request(customer, region) for _ in range(SAMPLES + 1)]
    request_approve(request=requests.pop())  # warm-up: caches, prepared plans
    timings = []
    for request in requests:
        started = time.perf_counter()
        request_approve(request=request)
        timings.append((time.perf_counter() - started) * 1000)
    return held, statistics.median(timings)


def _concurrent(customer) -> tuple[float, int, int]:
    from django.db import connection, connections

    from provisioning.exceptions import ProvisioningError
    from provisioning.services.lifecycle import request_approve

    region, _pool_unused = _pool("concurrent", "10.99.0.0/16")
    requests = [_request(customer, region) for _ in range(CONCURRENT_ALLOCATIONS)]
    failures = []

    def work(chunk):
        try:
            for request in chunk:
                try:
                    request_approve(request=request)
                except ProvisioningError as exc:
                    failures.append(str(exc))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=work, args=(requests[i::CONCURRENT_WORKERS],))
        for i in range(CONCURRENT_WORKERS)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT address FROM provisioning_allocatedendpoint "
            "WHERE live AND dedicated GROUP BY address HAVING COUNT(*) > 1) AS dup"
        )
        duplicates = cursor.fetchone()[0]
    return CONCURRENT_ALLOCATIONS / elapsed, duplicates, len(failures)


def main() -> None:
    admin_url, bench_url = _database_urls()
    _admin_execute(admin_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    _admin_execute(admin_url, f"CREATE DATABASE {BENCH_DB}")
    try:
        _setup_django(bench_url)
        from provisioning.services.reference_data import reference_data_load

        reference_data_load()
        customer = _customer()
        print(f"{'pool':<10} {'already allocated':>18} {'median ms / allocation':>24}")
        medians = {}
        for label, empty, full in SCENARIOS:
            for network, fill in ((empty, 0), (full, PREFILL)):
                held, median = _scenario(customer, label, network, fill)
                medians[f"{label} +{held}"] = round(median, 2)
                print(f"{label:<10} {held:>18,} {median:>24.2f}")
        per_second, duplicates, failures = _concurrent(customer)
        print(
            f"{CONCURRENT_WORKERS} concurrent workers: {per_second:.1f} allocations/s, "
            f"{duplicates} duplicate addresses, {failures} failed allocations"
        )
        from django.db import connections

        connections.close_all()
    finally:
        _admin_execute(admin_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    print(
        json.dumps(
            {
                "max_median_ms": max(medians.values()),
                "allocations_per_s": round(per_second, 1),
                "duplicates": duplicates,
                "failed_allocations": failures,
                "medians_ms": medians,
            }
        )
    )


if __name__ == "__main__":
    main()
