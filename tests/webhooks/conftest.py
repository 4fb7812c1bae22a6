import pytest

from tests.factories import AppFactory, MembershipFactory
from tests.webhooks.receiver import Receiver


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    """Loopback receivers over plain HTTP, as only tests and labs allow; short timeouts."""
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True
    settings.WEBHOOK_ALLOW_INSECURE_HTTP = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    settings.PUBLIC_BASE_URL = "https://proxy.example.com"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def app(db):
    app = AppFactory()
    MembershipFactory(customer=app.customer, user__email="alice@example.com")
    MembershipFactory(customer=app.customer, user__email="bob@example.com")
    MembershipFactory(customer=app.customer, user__email="viewer@example.com", role="viewer")
    return app
