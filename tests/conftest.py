import pytest

from provisioning.services.reference_data import reference_data_load


@pytest.fixture
def reference_data(db):
    """Load the seed's regions, ISPs, port profiles and test pools."""
    reference_data_load()


@pytest.fixture(scope="session", autouse=True)
def _plain_http_in_tests():
    """Let the test client and live servers speak plain HTTP; production insists on HTTPS.

    Session-wide, so it is in place before any live server builds its middleware.
    """
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


def pytest_collection_modifyitems(config, items):
    """Skip tests marked ``postgresql`` when the suite runs on SQLite (CI runs them all on
    PostgreSQL and fails on any skip)."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL")
    for item in items:
        if item.get_closest_marker("postgresql"):
            item.add_marker(skip)
