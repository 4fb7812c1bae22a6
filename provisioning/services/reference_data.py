"""Load the seed's reference data: regions, ISPs, port profiles and the shared test pools."""

from django.db import transaction

from provisioning import reference_data as seed
from provisioning.choices import PoolRole
from provisioning.models import Isp, PoolPrefix, PortProfile, PortRange, ProxyPool, Region
from provisioning.services.pools import pool_prefix_add


def _port_profiles_load() -> dict[str, PortProfile]:
    profiles = {}
    for code, spec in seed.PORT_PROFILES.items():
        profile, _ = PortProfile.objects.update_or_create(
            code=code, defaults={"name": spec["name"], "description": spec["description"]}
        )
        wanted = set()
        for protocol, start, end, purpose in spec["ranges"]:
            port_range, _ = PortRange.objects.update_or_create(
                profile=profile,
                protocol=protocol,
                port_start=start,
                port_end=end,
                defaults={"purpose": purpose},
            )
            wanted.add(port_range.pk)
        profile.ranges.exclude(pk__in=wanted).delete()
        profiles[code] = profile
    return profiles


def _test_pool_create_defaults(spec: dict, profiles: dict[str, PortProfile]) -> dict:
    """Return the fields of a new test pool: staff's later edits of its TLS host-name
    pattern survive reloads."""
    return {
        "kind": spec["kind"],
        "role": spec["role"],
        "scope": spec["scope"],
        "port_profile": profiles[spec["profile"]],
        "tls_hostname_pattern": seed.TEST_TLS_HOSTNAME_PATTERN
        if spec["role"] == PoolRole.PROXY
        else "",
    }


def _test_pools_load(profiles: dict[str, PortProfile]) -> list[ProxyPool]:
    pools = []
    for spec in seed.TEST_POOLS:
        pool, _ = ProxyPool.objects.update_or_create(
            name=spec["name"],
            defaults={
                "kind": spec["kind"],
                "role": spec["role"],
                "scope": spec["scope"],
                "port_profile": profiles[spec["profile"]],
                "region": None,
                "isp": None,
            },
            create_defaults=_test_pool_create_defaults(spec, profiles),
        )
        present = set(PoolPrefix.objects.filter(pool=pool).values_list("network", flat=True))
        for network in spec["prefixes"]:
            if network not in present:
                pool_prefix_add(pool=pool, network=network)
        pools.append(pool)
    return pools


@transaction.atomic
def reference_data_load() -> dict[str, int]:
    """Create or update the reference data; running it again changes nothing."""
    for code, name, domestic in seed.REGIONS:
        Region.objects.update_or_create(code=code, defaults={"name": name, "domestic": domestic})
    for code, name in seed.ISPS:
        Isp.objects.update_or_create(code=code, defaults={"name": name})
    profiles = _port_profiles_load()
    pools = _test_pools_load(profiles)
    return {
        "regions": len(seed.REGIONS),
        "isps": len(seed.ISPS),
        "port_profiles": len(profiles),
        "test_pools": len(pools),
    }
