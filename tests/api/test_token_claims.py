"""Claims of the wrong shape in a correctly signed token are a 401, never a server error."""

from __future__ import annotations

import asyncio
import json
import math
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appraisal_engine.api.auth import InvalidToken, TokenVerifier
from appraisal_engine.api.roles import Role
from tests.api.conftest import AUDIENCE, AUTH, ISSUER, SECRET, Api

NIP = "198001152006041001"
DROP: Any = object()  # leaves the claim out, where None puts in a JSON null


def signed(**changes: Any) -> str:
    """A correctly signed token with valid claims, `changes` put in."""
    now = int(datetime.now(UTC).timestamp())
    base = {
        "sub": NIP,
        "roles": ["hr"],
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
    }
    payload = {k: v for k, v in {**base, **changes}.items() if v is not DROP}
    # Signed as JSON bytes: jwt.encode itself refuses some wrong shapes (an `iss` number).
    return jwt.api_jws.encode(json.dumps(payload).encode(), SECRET, algorithm="HS256")


NOW = int(datetime.now(UTC).timestamp())
WRONG_SHAPES: dict[str, dict[str, Any]] = {
    "roles of objects": {"roles": [{"role": "hr"}]},
    "roles of lists": {"roles": [["hr"]]},
    "roles a string": {"roles": "hr"},
    "roles an object": {"roles": {"hr": True}},
    "roles of numbers": {"roles": [1]},
    "roles null": {"roles": None},
    "sub a number": {"sub": 198001152006041001},
    "sub a list": {"sub": [NIP]},
    "sub an object": {"sub": {"nip": NIP}},
    "sub null": {"sub": None},
    "sub not an NIP": {"sub": "admin"},
    "sub 17 digits": {"sub": NIP[:-1]},
    "exp a string": {"exp": str(NOW + 3600)},
    "exp a boolean": {"exp": True},
    "exp an object": {"exp": {"at": NOW + 3600}},
    "exp not a number": {"exp": math.nan},
    "exp infinite": {"exp": math.inf},
    "iat a string": {"iat": str(NOW)},
    "iat a boolean": {"iat": True},
    "iat a list": {"iat": [NOW]},
    "iat not a number": {"iat": math.nan},
    "nbf a string": {"nbf": "0"},
    "nbf a boolean": {"nbf": False},
    "nbf null": {"nbf": None},
    "iss a number": {"iss": 1},
    "aud an object": {"aud": {"aud": AUDIENCE}},
}


@pytest.mark.parametrize("name", sorted(WRONG_SHAPES))
async def test_a_claim_of_the_wrong_shape_is_a_401_problem(api: Api, name: str) -> None:
    token = signed(**WRONG_SHAPES[name])
    r = await api.http.get("/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"] == "Bearer"


async def test_a_well_shaped_token_still_gets_in() -> None:
    principal = await TokenVerifier(AUTH).verify(signed(roles=["hr", "superuser"]))
    assert principal.nip == NIP and principal.roles == frozenset({Role.HR})
    without_optional = await TokenVerifier(AUTH).verify(signed(roles=DROP, nbf=DROP))
    assert without_optional.roles == frozenset()


# Any JSON value: what whoever signs a token could put in a claim.
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


def _finite_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


WRONG: dict[str, st.SearchStrategy[Any]] = {
    # An 18-digit string could be a real NIP: every other value is wrong.
    "sub": JSON.filter(lambda v: not (isinstance(v, str) and len(v) == 18 and v.isdigit())),
    "roles": JSON.filter(
        lambda v: not (isinstance(v, list) and all(isinstance(r, str) for r in v))
    ),
    "exp": JSON.filter(lambda v: not _finite_number(v)),
    "iat": JSON.filter(lambda v: not _finite_number(v)),
    "nbf": JSON.filter(lambda v: not _finite_number(v)),
}


@settings(max_examples=150, deadline=None)
@given(claim=st.sampled_from(sorted(WRONG)), data=st.data())
def test_any_wrong_shape_of_any_claim_is_an_invalid_token(claim: str, data: st.DataObject) -> None:
    token = signed(**{claim: data.draw(WRONG[claim], label=claim)})
    with pytest.raises(InvalidToken):
        asyncio.run(TokenVerifier(AUTH).verify(token))
