import pytest
from django.core.exceptions import ValidationError

from provisioning.addresses import tls_hostname, tls_hostname_pattern_problem
from tests.factories import ProxyPoolFactory


def test_dashed_placeholder_maps_each_address_to_a_name():
    assert tls_hostname("{dashed}.turn.example.net", "192.0.2.10") == "192-0-2-10.turn.example.net"
    assert tls_hostname("{dashed}.T.example.net", "2001:db8::1").startswith("2001-0db8-0000-")
    assert tls_hostname("turn.example.net", "192.0.2.10") == "turn.example.net"


@pytest.mark.parametrize(
    "pattern", ["{address}.example.net", "{dashed}", "-{dashed}.example.net", "a b.example"]
)
def test_patterns_that_name_no_host_are_refused(pattern):
    assert tls_hostname_pattern_problem(pattern)


@pytest.mark.django_db
def test_pool_validates_its_pattern_and_names_its_addresses():
    pool = ProxyPoolFactory(tls_hostname_pattern="{dashed}.example.net")
    assert pool.tls_hostname("198.51.100.7") == "198-51-100-7.example.net"
    pool.tls_hostname_pattern = "{ip}.example.net"
    with pytest.raises(ValidationError) as error:
        pool.full_clean()
    assert "tls_hostname_pattern" in error.value.message_dict
