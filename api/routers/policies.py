"""The policy presets a cycle can be launched under."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentPrincipal
from api.openapi import responses
from domain.policy import Policy
from domain.presets import PRESETS

router = APIRouter(prefix="/v1/policies", tags=["policies"])


@router.get("", responses=responses(401))
async def list_policies(principal: CurrentPrincipal) -> list[Policy]:
    """Every preset, in full: the rules a cycle launched under it follows."""
    return list(PRESETS.values())
