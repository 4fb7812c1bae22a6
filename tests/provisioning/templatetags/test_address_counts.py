import pytest

from provisioning.templatetags.address_counts import address_count


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "0"), (126, "126"), (999_999, "999,999"), (2**64 - 1, "1.8e+19"), (None, "")],
)
def test_address_count_is_exact_when_readable_and_short_when_huge(value, shown):
    assert address_count(value) == shown
