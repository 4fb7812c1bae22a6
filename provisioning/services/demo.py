"""Seed a demo customer, app, request, production pools and logins (idempotent)."""

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.choices import MembershipRole
from accounts.models import App, Customer, Membership
from accounts.services.apps import app_create
from provisioning import reference_data as seed
from provisioning.choices import OPEN_REQUEST_STATUSES, PoolKind, PoolRole, PoolScope
from provisioning.models import Isp, PoolPrefix, PortProfile, ProvisioningRequest, ProxyPool, Region
from provisioning.services.pools import pool_prefix_add
from provisioning.services.reference_data import reference_data_load
from provisioning.services.requests import request_submit

DEMO_APP_ID = "0123456789abcdef0123456789abcdef"
DEMO_CUSTOMER_SLUG = "demo-bank"

# Production pools on documentation prefixes (RFC 5737, RFC 3849): never routed anywhere.
DEMO_PRODUCTION_POOLS = [
    ("cn-east telecom", "cn-east", "telecom", PoolRole.PROXY, ["192.0.2.0/25"]),
    ("cn-east unicom", "cn-east", "unicom", PoolRole.PROXY, ["192.0.2.128/25"]),
    ("cn-east multi-line", "cn-east", None, PoolRole.PROXY, ["198.51.100.0/25"]),
    ("cn-east edge", "cn-east", None, PoolRole.EDGE, ["198.51.100.128/29"]),
    ("na multi-line", "na", None, PoolRole.PROXY, ["203.0.113.0/25", "2001:db8:1::/64"]),
    ("na edge", "na", None, PoolRole.EDGE, ["203.0.113.128/29", "2001:db8:ed9e::/125"]),
]


@dataclass
class DemoLogins:
    password: str
    generated: bool
    certificate: str | None


def _user_with_password(username: str, password: str, *, staff: bool):
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.com"}
    )
    user.is_staff = user.is_superuser = staff
    user.set_password(password)
    user.save()
    return user


def _production_pools_seed():
    profiles = {p.code: p for p in PortProfile.objects.all()}
    for name, region_code, isp_code, role, prefixes in DEMO_PRODUCTION_POOLS:
        region = Region.objects.get(code=region_code)
        pool, _ = ProxyPool.objects.update_or_create(
            name=name,
            defaults={
                "kind": PoolKind.PRODUCTION,
                "role": role,
                "scope": PoolScope.DOMESTIC if region.domestic else PoolScope.OVERSEAS,
                "region": region,
                "isp": Isp.objects.get(code=isp_code) if isp_code else None,
                "port_profile": profiles[
                    seed.EDGE_PROFILE if role == PoolRole.EDGE else seed.STANDARD_PROFILE
                ],
            },
        )
        present = set(pool.prefixes.values_list("network", flat=True))
        for network in prefixes:
            if network not in present and not PoolPrefix.objects.filter(network=network).exists():
                pool_prefix_add(pool=pool, network=network)


@transaction.atomic
def demo_data_seed(*, password: str | None = None) -> DemoLogins:
    """Create the demo data; existing rows are kept and the two logins get ``password``."""
    reference_data_load()
    generated = not password
    password = password or secrets.token_urlsafe(12)
    admin = _user_with_password("admin", password, staff=True)
    demo_user = _user_with_password("demo", password, staff=False)

    customer, _ = Customer.objects.get_or_create(
        slug=DEMO_CUSTOMER_SLUG,
        defaults={"name": "Demo Bank", "contact_email": "netops@example.com", "sales_owner": admin},
    )
    Membership.objects.get_or_create(
        user=demo_user, customer=customer, defaults={"role": MembershipRole.ADMIN}
    )
    certificate = None
    app = App.objects.filter(app_id=DEMO_APP_ID).first()
    if app is None:
        app, certificate = app_create(
            customer=customer,
            app_id=DEMO_APP_ID,
            name="Demo video banking",
            certificate_enabled=True,
        )
    _production_pools_seed()
    if not ProvisioningRequest.objects.filter(app=app, status__in=OPEN_REQUEST_STATUSES).exists():
        request_submit(
            app=app,
            regions=list(Region.objects.filter(code__in=["cn-east", "na"])),
            isps=list(Isp.objects.filter(code__in=["telecom", "unicom"])),
            concurrency=1000,
            notes="Demo request: branch offices in Shanghai and New York.",
            actor=demo_user,
        )
    return DemoLogins(password=password, generated=generated, certificate=certificate)
