"""The claims a verified token carries: their shapes, checked strictly, and the token's lifetime."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from appraisal_engine.domain.nip import Nip

# A JSON number of seconds since the epoch; never a string, a boolean, NaN or infinity.
NumericDate = int | Annotated[float, Field(allow_inf_nan=False)]


class Claims(BaseModel):
    """What this service reads from a token whose signature, times, issuer and audience PyJWT
    has checked. Strict: `"123"` is not a number and `1` is not an NIP; other claims are
    ignored."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    sub: Nip
    iss: str
    aud: str | list[str]
    iat: NumericDate
    exp: NumericDate
    nbf: NumericDate | None = None
    # Unknown role names are ignored (another system's roles may share the claim); other
    # shapes are refused.
    roles: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        # An explicit null is not the same as a missing claim: a token that says
        # `"roles": null` or `"nbf": null` was made wrong.
        if isinstance(data, dict):
            nulls = sorted(k for k in cls.model_fields if k in data and data[k] is None)
            if nulls:
                raise ValueError(f"null claims: {', '.join(nulls)}")
        return data


class Identity(BaseModel):
    """Who a verified token names: an NIP and the role names it carries, as strict as Claims."""

    model_config = ConfigDict(strict=True, frozen=True)

    nip: Nip
    roles: list[str] = Field(default_factory=list)


def identity_of(
    claims: Mapping[str, Any], *, nip_claim: str = "sub", roles_claim: str = "roles"
) -> Identity:
    """The NIP and role names read from the named claims of a verified token (an API bearer
    token, or the web sign-in's ID token); ValueError when the NIP is missing or no NIP, or the
    roles claim is null or not a list of strings."""
    if claims.get(roles_claim, []) is None:
        raise ValueError(f"null claim: {roles_claim}")
    return Identity.model_validate(
        {"nip": claims.get(nip_claim), "roles": claims.get(roles_claim, [])}
    )


def lifetime_error(claims: Claims, *, now: float, maximum: int, leeway: int) -> str | None:
    """Why the token lives too long, or None: from iat to exp, and from now to exp, are each at
    most `maximum` seconds (the second with `leeway` for clock skew)."""
    # Compared, never subtracted: an integer exp of 400 digits does not fit in a float.
    if claims.exp > claims.iat + maximum:
        return f"lifetime over {maximum} s"
    if claims.exp > now + maximum + leeway:
        return f"expires more than {maximum} s from now"
    return None
