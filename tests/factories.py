"""factory_boy factories for the domain models. Writes that have invariants beyond a
single row (pool prefixes, requests) go through the services, as production code does."""

import secrets

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.choices import MembershipRole
from accounts.models import App, Customer, Membership
from accounts.services.staff_groups import staff_groups_sync
from provisioning.choices import PoolKind, PoolRole, PoolScope, PortPurpose, Protocol
from provisioning.models import Isp, PortProfile, PortRange, ProxyPool, Region
from provisioning.services.pools import pool_prefix_add
from provisioning.services.requests import request_submit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(user, create, extracted, **kwargs):
        if create:
            user.save()


class StaffUserFactory(UserFactory):
    is_staff = True


def staff_member(group: str = "ops", **kwargs):
    """Return a staff user in the ``ops`` or ``sales`` group, with its permissions."""
    staff_groups_sync()
    user = StaffUserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=group))
    return user


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    slug = factory.Sequence(lambda n: f"customer-{n}")
    contact_email = factory.Sequence(lambda n: f"netops{n}@example.com")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    customer = factory.SubFactory(CustomerFactory)
    role = MembershipRole.ADMIN


class AppFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = App

    customer = factory.SubFactory(CustomerFactory)
    app_id = factory.LazyFunction(lambda: secrets.token_hex(16))
    name = factory.Sequence(lambda n: f"App {n}")
    certificate = factory.LazyFunction(lambda: secrets.token_hex(16))


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"region-{n}")
    name = factory.LazyAttribute(lambda region: region.code.title())
    domestic = False


class IspFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Isp
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"isp-{n}")
    name = factory.LazyAttribute(lambda isp: isp.code.title())


class PortProfileFactory(factory.django.DjangoModelFactory):
    """A profile with the seed's standard ports unless ``ranges`` says otherwise."""

    class Meta:
        model = PortProfile
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"profile-{n}")
    name = factory.LazyAttribute(lambda profile: profile.code.title())

    @factory.post_generation
    def ranges(profile, create, extracted, **kwargs):
        if not create or profile.ranges.exists():
            return
        specs = extracted or [
            (Protocol.TCP, 443, 443, PortPurpose.SIGNALLING),
            (Protocol.TCP, 4000, 4000, PortPurpose.SIGNALLING),
            (Protocol.TCP, 3433, 3460, PortPurpose.MEDIA),
            (Protocol.UDP, 3478, 3500, PortPurpose.MEDIA),
        ]
        for protocol, start, end, purpose in specs:
            PortRange.objects.create(
                profile=profile, protocol=protocol, port_start=start, port_end=end, purpose=purpose
            )


class ProxyPoolFactory(factory.django.DjangoModelFactory):
    """A production proxy pool; pass ``prefixes=[...]`` to give it networks."""

    class Meta:
        model = ProxyPool
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"pool-{n}")
    kind = PoolKind.PRODUCTION
    role = PoolRole.PROXY
    region = factory.SubFactory(RegionFactory)
    scope = factory.LazyAttribute(
        lambda pool: (
            PoolScope.GLOBAL
            if pool.region is None
            else PoolScope.DOMESTIC
            if pool.region.domestic
            else PoolScope.OVERSEAS
        )
    )
    port_profile = factory.SubFactory(PortProfileFactory)
    capacity_per_address = 100

    @factory.post_generation
    def prefixes(pool, create, extracted, **kwargs):
        if create:
            for network in extracted or []:
                pool_prefix_add(pool=pool, network=network)


def request_for(app=None, *, regions, isps=(), concurrency=100, actor=None):
    """Submit a request through the service, as customers and staff do."""
    return request_submit(
        app=app or AppFactory(),
        regions=list(regions),
        isps=list(isps),
        concurrency=concurrency,
        actor=actor,
    )


# --- Allocation engine --------------------------------------------------------------------


def edge_pool(*, region=None, prefixes=(), **fields):
    """Create a production edge pool (shared: every production set gets all of it)."""
    return ProxyPoolFactory(
        role=PoolRole.EDGE,
        region=region,
        port_profile=PortProfileFactory(
            code="edge-test", ranges=[(Protocol.TCP, 443, 443, PortPurpose.EDGE)]
        ),
        prefixes=list(prefixes),
        **fields,
    )


def customer_admin(customer, *, email=None):
    """Add an admin member to ``customer`` and return the user."""
    user = UserFactory(email=email or f"admin-{customer.slug}@example.com")
    MembershipFactory(user=user, customer=customer, role=MembershipRole.ADMIN)
    return user
