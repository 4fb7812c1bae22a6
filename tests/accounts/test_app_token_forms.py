"""Tokens in the plain form are checked without PyJWT; every other form goes to PyJWT.

Wherever the plain reading answers, it must answer exactly as PyJWT does (same claims),
and for every token the outcome (claims, or the error code and message) must be the one
the PyJWT reading alone gives.
"""

import base64
import json

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.services.app_tokens import (
    AppTokenError,
    _plain_claims,
    _pyjwt_claims,
    _signed_claims,
)

CERTIFICATES = ("0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210")
OTHER_KEY = "00000000000000000000000000000000"
APP_ID = "aa92de23d4bc2f266ebea835b749396b"


def _segment(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


HEADERS = st.sampled_from(
    [
        {"alg": "HS256", "typ": "JWT"},
        {"alg": "HS256", "typ": "JWT"},
        {"alg": "HS256", "typ": "JWT"},
        {"alg": "HS256"},
        {"typ": "JWT", "alg": "HS256"},
        {"alg": "HS256", "typ": "JWT", "kid": "k"},
        {"alg": "HS256", "kid": 1},
        {"alg": "HS512", "typ": "JWT"},
        {"alg": "none", "typ": "JWT"},
        {"alg": "HS256", "typ": "JWT", "crit": ["b64"], "b64": False},
        ["HS256"],
    ]
)
VALUES = st.one_of(
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
)
CLAIMS = st.dictionaries(
    st.sampled_from(["sub", "exp", "iat", "nbf", "aud", "iss", "jti", "x"]), VALUES, max_size=5
)
TIMES = st.integers(min_value=0, max_value=2**33)
PLAIN = st.fixed_dictionaries(
    {"sub": st.sampled_from([APP_ID, APP_ID.upper(), ""])},
    optional={"exp": TIMES, "iat": TIMES, "nbf": st.one_of(TIMES, VALUES)},
)
PAYLOADS = st.one_of(
    PLAIN,
    PLAIN,
    CLAIMS.map(lambda claims: {"sub": APP_ID, **claims}),
    CLAIMS,
    st.sampled_from([[1], "text", 7]),
)
MUTATIONS = st.sampled_from(
    ["none"] * 6 + ["pad", "dot", "flip", "strip", "plus", "space", "unicode"]
)


def _mutate(token: str, mutation: str, index: int) -> str:
    position = index % len(token)
    if mutation == "pad":
        return token + "="
    if mutation == "dot":
        return token[:position] + "." + token[position:]
    if mutation == "flip":
        swapped = "A" if token[position] != "A" else "B"
        return token[:position] + swapped + token[position + 1 :]
    if mutation == "strip":
        return token[:-1]
    if mutation == "plus":
        return token.replace("-", "+").replace("_", "/")
    if mutation == "space":
        return token[:position] + " " + token[position:]
    if mutation == "unicode":
        return token[:position] + "é" + token[position:]
    return token


def _outcome(read, token: str, certificates):
    try:
        return ("claims", read(certificates=certificates, token=token))
    except AppTokenError as exc:
        return ("error", exc.code, exc.message)


@settings(max_examples=600, deadline=None)
@given(
    header=HEADERS,
    payload=PAYLOADS,
    key=st.sampled_from([*CERTIFICATES, OTHER_KEY]),
    slots=st.sampled_from([CERTIFICATES[:1], CERTIFICATES, CERTIFICATES[::-1]]),
    mutation=MUTATIONS,
    index=st.integers(min_value=0, max_value=400),
)
def test_the_plain_reading_agrees_with_pyjwt(header, payload, key, slots, mutation, index):
    head = _segment(json.dumps(header, separators=(",", ":")).encode())
    body = _segment(json.dumps(payload, separators=(",", ":")).encode())
    signature = jwt.algorithms.HMACAlgorithm(jwt.algorithms.HMACAlgorithm.SHA256).sign(
        f"{head}.{body}".encode(), key.encode()
    )
    token = _mutate(f"{head}.{body}.{_segment(signature)}", mutation, index)

    plain = _plain_claims(certificates=slots, token=token)
    expected = _outcome(_pyjwt_claims, token, slots)
    if plain is not None:
        assert expected == ("claims", plain)
    assert _outcome(_signed_claims, token, slots) == expected


@pytest.mark.parametrize("slot", [0, 1])
def test_minted_tokens_take_the_plain_reading(slot):
    token = jwt.encode({"sub": APP_ID, "iat": 1, "exp": 2}, CERTIFICATES[slot], algorithm="HS256")

    assert _plain_claims(certificates=CERTIFICATES, token=token) == {
        "sub": APP_ID,
        "iat": 1,
        "exp": 2,
    }
    assert _plain_claims(certificates=(OTHER_KEY,), token=token) is None
