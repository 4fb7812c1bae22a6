"""Seed many apps for bench/sdk_config.py in bulk, and write wrk Lua scripts rotating them.

Run inside Django (``manage.py shell -c "import runpy; runpy.run_path('bench/sdk_seed.py')"``)
with BENCH_APPS (how many apps), BENCH_SIZES (comma-separated prefixes to write a script
for) and BENCH_LUA_DIR. Every app gets a submitted request in testing with a live test
allocation on the shared test pools; every other app has its certificate enabled and a
token. Rows are written with bulk_create: 20,000 apps take seconds, not the minutes the
allocation engine would.
"""

import json
import os
import secrets
from pathlib import Path

from django.utils import timezone

from accounts.models import App, Customer
from accounts.services.app_tokens import app_token_mint
from provisioning.choices import AllocationKind, AllocationStatus, PoolKind, RequestStatus
from provisioning.models import AllocatedEndpoint, Allocation, ProvisioningRequest, ProxyPool

BATCH = 2000
LUA = """-- Rotate App IDs (and app tokens, for apps with a certificate) uniformly at random.
-- With the argument "healthz" (wrk ... -- healthz) the same requests go to /healthz, so
-- the baseline pays the same client-side cost on a machine wrk shares with the server.
local apps = {
%s
}
local count = #apps
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

local path = "/api/v1/sdk/proxy-config?mode=auto&app_id="
local requests = {}

-- Every request is formatted once per thread, before the run: formatting one per call
-- would spend on wrk CPU the server shares.
function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
  if args[1] == "healthz" then
    path = "/healthz?mode=auto&app_id="
  end
  for i, app in ipairs(apps) do
    local headers = {}
    if app[2] ~= "" then
      headers["Authorization"] = "Bearer " .. app[2]
    end
    requests[i] = wrk.format("GET", path .. app[1], headers)
  end
end

function request()
  return requests[math.random(count)]
end
"""


def _endpoints(allocations, pools, ports_by_pool) -> list:
    endpoints = []
    for allocation in allocations:
        for pool in pools:
            endpoints.append(
                AllocatedEndpoint(
                    allocation=allocation,
                    pool=pool,
                    address=pool.bench_address,
                    role=pool.role,
                    region=pool.region,
                    ports=ports_by_pool[pool.pk],
                    dedicated=False,
                    live=True,
                )
            )
    return endpoints


def seed(count: int) -> list[tuple[str, str]]:
    customer = Customer.objects.create(
        name="Bench many", slug="bench-many", contact_email="bench-many@example.com"
    )
    pools = list(ProxyPool.objects.filter(kind=PoolKind.TEST).select_related("region"))
    from provisioning.services.allocation.state import ports_snapshot

    ports_by_pool = {pool.pk: ports_snapshot(pool) for pool in pools}
    for pool in pools:
        pool.bench_address = str(pool.prefixes.first().network).split("/")[0]
    now = timezone.now()
    apps = App.objects.bulk_create(
        [
            App(
                customer=customer,
                app_id=secrets.token_hex(16),
                name=f"Bench app {n}",
                certificate=secrets.token_hex(16),
                certificate_enabled=n % 2 == 0,
            )
            for n in range(count)
        ],
        batch_size=BATCH,
    )
    requests = ProvisioningRequest.objects.bulk_create(
        [
            ProvisioningRequest(app=app, concurrency=1000, status=RequestStatus.TESTING)
            for app in apps
        ],
        batch_size=BATCH,
    )
    allocations = Allocation.objects.bulk_create(
        [
            Allocation(
                request=request,
                kind=AllocationKind.TEST,
                status=AllocationStatus.ACTIVE,
                activated_at=now,
            )
            for request in requests
        ],
        batch_size=BATCH,
    )
    AllocatedEndpoint.objects.bulk_create(
        _endpoints(allocations, pools, ports_by_pool), batch_size=BATCH
    )
    return [
        (app.app_id, app_token_mint(app=app, ttl_seconds=86400) if app.certificate_enabled else "")
        for app in apps
    ]


def main() -> None:
    count = int(os.environ["BENCH_APPS"])
    directory = Path(os.environ["BENCH_LUA_DIR"])
    pairs = seed(count)
    for size in (int(s) for s in os.environ["BENCH_SIZES"].split(",")):
        rows = ",\n".join(f"  {{{json.dumps(a)}, {json.dumps(t)}}}" for a, t in pairs[:size])
        (directory / f"apps-{size}.lua").write_text(LUA % rows)
    print(json.dumps({"apps": count}))


main()
