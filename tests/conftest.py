import pytest

from provisioning.services.reference_data import reference_data_load


@pytest.fixture
def reference_data(db):
    """Load the seed's regions, ISPs, port profiles and test pools."""
    reference_data_load()


@pytest.fixture(autouse=True)
def _plain_http_in_tests(settings):
    """Let the test client and live server speak plain HTTP; production redirects to HTTPS."""
    settings.SECURE_SSL_REDIRECT = False
