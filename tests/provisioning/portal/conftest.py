import pytest

from accounts.choices import MembershipRole
from tests.factories import AppFactory, CustomerFactory, MembershipFactory, UserFactory

PASSWORD = "correct horse battery"


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Acme Bank")


@pytest.fixture
def member(customer):
    """An admin member of ``customer``."""
    return MembershipFactory(customer=customer, role=MembershipRole.ADMIN).user


@pytest.fixture
def viewer(customer):
    """A read-only member of ``customer``."""
    return MembershipFactory(customer=customer, role=MembershipRole.VIEWER).user


@pytest.fixture
def app(customer):
    return AppFactory(customer=customer, name="Teller video")


@pytest.fixture
def other_app(db):
    """An app of another customer, which ``member`` must never see."""
    return AppFactory(customer=CustomerFactory(name="Other Corp"), name="Secret app")


@pytest.fixture
def outsider(db):
    """A signed-in user with no customer at all."""
    return UserFactory()


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client
