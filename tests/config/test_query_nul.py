"""The NUL check reads the raw query string: it must agree with the parsed parameters."""

from urllib.parse import parse_qsl

from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from config.middleware import NUL, query_has_nul

QUERY_TEXT = st.text(alphabet="%0025aF+=&;\x00x", max_size=24)


def _parsed_has_nul(query: str) -> bool:
    pairs = QueryDict(query).lists()
    return any(NUL in key or any(NUL in v for v in values) for key, values in pairs)


@given(QUERY_TEXT)
def test_the_raw_check_agrees_with_the_parsed_parameters(query):
    assert query_has_nul(query) == _parsed_has_nul(query)


def test_escapes_that_only_look_like_nul_pass():
    for query in ("a=%2500", "a=%0", "a=%0g0", "a=%u0000"):
        assert not query_has_nul(query), query
        assert not any(NUL in v for _, v in parse_qsl(query, keep_blank_values=True))
