import pytest

from provisioning.templatetags.address_counts import address_count


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "0"),
        (126, "126"),
        (999_999, "999,999"),
        (2**64 - 1, "18,446,744,073,709,551,615"),
        (None, ""),
        ("x", ""),
    ],
)
def test_address_count_is_exact_with_thousands_separators(value, shown):
    assert address_count(value) == shown
