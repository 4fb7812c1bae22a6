import pytest

from provisioning.services.reference_data import reference_data_load


@pytest.fixture
def reference_data(db):
    """Load the seed's regions, ISPs, port profiles and test pools."""
    reference_data_load()
